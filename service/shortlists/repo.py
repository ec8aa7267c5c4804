"""SQL for shortlist marks (pin, exclude, seed) and saved shortlist versions."""

from typing import Any

import asyncpg

from service.access import repo as access
from service.principal import Principal


async def active_marks(conn: asyncpg.Connection, position_id: int) -> list[asyncpg.Record]:
    """Marks in force for a position, with the cadre's name."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT m.*, c.name FROM shortlist_marks m JOIN cadres c ON c.id = m.cadre_id
           WHERE m.position_id = $1 AND m.withdrawn_at IS NULL ORDER BY m.id""", position_id)
    return rows


async def all_marks(conn: asyncpg.Connection, position_id: int) -> list[asyncpg.Record]:
    """Every mark of a position, withdrawn ones included (the history)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM shortlist_marks WHERE position_id = $1 ORDER BY id", position_id)
    return rows


async def withdraw_for(conn: asyncpg.Connection, position_id: int, cadre_id: int, user_id: int) -> None:
    """Withdraw the mark in force on a cadre, if any (a new mark replaces it)."""
    await conn.execute(
        """UPDATE shortlist_marks SET withdrawn_at = now(), withdrawn_by = $3
           WHERE position_id = $1 AND cadre_id = $2 AND withdrawn_at IS NULL""",
        position_id, cadre_id, user_id)


async def add_mark(conn: asyncpg.Connection, position_id: int, cadre_id: int, action: str,
                   reason: str, user_id: int) -> asyncpg.Record:
    """Put a mark on a cadre, replacing the one in force."""
    await withdraw_for(conn, position_id, cadre_id, user_id)
    row = await conn.fetchrow(
        """INSERT INTO shortlist_marks (position_id, cadre_id, action, reason, created_by)
           VALUES ($1, $2, $3, $4, $5) RETURNING *""", position_id, cadre_id, action, reason, user_id)
    assert row is not None
    return row


async def withdraw(conn: asyncpg.Connection, principal: Principal, position_id: int,
                   mark_id: int) -> asyncpg.Record | None:
    """Withdraw a mark in force by id, if it marks a cadre the principal may read."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""UPDATE shortlist_marks SET withdrawn_at = now(), withdrawn_by = $3
            WHERE id = $2 AND position_id = $1 AND withdrawn_at IS NULL
              AND {access.cadre_id_visible(principal, "cadre_id", 3)} RETURNING *""",
        position_id, mark_id, principal.user_id)
    return row


async def next_version(conn: asyncpg.Connection, position_id: int) -> int:
    """The next version number (the caller holds the position row lock)."""
    n: int = await conn.fetchval(
        "SELECT coalesce(max(version), 0) + 1 FROM shortlist_versions WHERE position_id = $1", position_id)
    return n


async def insert_version(conn: asyncpg.Connection, data: dict[str, Any]) -> asyncpg.Record:
    """Store an immutable shortlist version."""
    cols = list(data)
    marks = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    row = await conn.fetchrow(
        f"INSERT INTO shortlist_versions ({', '.join(cols)}) VALUES ({marks}) RETURNING *",
        *data.values())
    assert row is not None
    return row


async def get_version(conn: asyncpg.Connection, position_id: int, version: int) -> asyncpg.Record | None:
    """One saved version."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM shortlist_versions WHERE position_id = $1 AND version = $2", position_id, version)
    return row


async def list_versions(conn: asyncpg.Connection, position_id: int) -> list[asyncpg.Record]:
    """Saved versions of a position, oldest first, without their results."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT id, position_id, version, reference_date, top_n, inputs_hash, result_hash, note,
                  created_by, created_at FROM shortlist_versions WHERE position_id = $1 ORDER BY version""",
        position_id)
    return rows
