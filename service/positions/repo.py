"""SQL for positions to fill."""

from datetime import date
from typing import Any

import asyncpg

from schemas.positions import Rules
from service.access.selection import position_visible
from service.positions import eligibility
from service.positions.eligibility import RuleSql
from service.principal import Principal

COLUMNS = ("unit_id", "title", "post_level", "tier", "category", "is_elected", "reference_date",
           "rules", "weights")


async def insert(conn: asyncpg.Connection, data: dict[str, Any], created_by: int) -> int:
    """Create a position."""
    cols = [*COLUMNS, "created_by"]
    marks = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    new_id: int = await conn.fetchval(
        f"INSERT INTO positions ({', '.join(cols)}) VALUES ({marks}) RETURNING id",
        *[data[c] for c in COLUMNS], created_by)
    return new_id


async def get_visible(conn: asyncpg.Connection, principal: Principal, position_id: int,
                      lock: bool = False) -> asyncpg.Record | None:
    """A position in the principal's scope, with its unit name."""
    sql = (f"SELECT p.*, u.name AS unit_name FROM positions p JOIN units u ON u.id = p.unit_id "
           f"WHERE p.id = $2 AND {position_visible(principal, 1)}")
    if lock:
        sql += " FOR UPDATE OF p"
    row: asyncpg.Record | None = await conn.fetchrow(sql, principal.user_id, position_id)
    return row


async def list_visible(conn: asyncpg.Connection, principal: Principal, status: str | None,
                       limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
    """Positions in scope, newest first, and their total."""
    where = f"{position_visible(principal, 1)} AND ($2::text IS NULL OR p.status = $2)"
    base = f"FROM positions p JOIN units u ON u.id = p.unit_id WHERE {where}"
    total: int = await conn.fetchval(f"SELECT count(*) {base}", principal.user_id, status)
    rows = await conn.fetch(f"SELECT p.*, u.name AS unit_name {base} ORDER BY p.id DESC "
                            "LIMIT $3 OFFSET $4", principal.user_id, status, limit, offset)
    return rows, total


async def update(conn: asyncpg.Connection, position_id: int, version: int,
                 data: dict[str, Any], status: str) -> bool:
    """Replace a position's fields if still at the given version."""
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(COLUMNS, start=4))
    done = await conn.fetchval(
        f"""UPDATE positions SET {sets}, status = $3, version = version + 1, updated_at = now()
            WHERE id = $1 AND version = $2 RETURNING true""",
        position_id, version, status, *[data[c] for c in COLUMNS])
    return bool(done)


async def relevance(conn: asyncpg.Connection, category: str) -> dict[str, float]:
    """The default domain relevance of a post category."""
    rows = await conn.fetch("SELECT domain, weight::float8 AS w FROM domain_relevance WHERE category = $1",
                            category)
    return {r["domain"]: r["w"] for r in rows}


async def rule_outcomes(conn: asyncpg.Connection, principal: Principal, *, rules: Rules, reference_date: date,
                        ids: list[int] | None = None, which: str = "all", limit: int = 50,
                        offset: int = 0) -> tuple[list[asyncpg.Record], list[RuleSql]]:
    """Per-rule outcomes of cadres in the pool (see eligibility.outcomes_query), with the built rules."""
    sql, p, built = eligibility.outcomes_query(principal, rules, reference_date=reference_date, ids=ids,
                                               which=which,
                                               limit=limit, offset=offset)
    await conn.execute(eligibility.NO_JIT)
    rows: list[asyncpg.Record] = await conn.fetch(sql, *p.values)
    return rows, built


async def eligible_count(conn: asyncpg.Connection, principal: Principal, rules: Rules,
                         reference_date: date) -> int:
    """How many cadres in the pool the rules admit (inside the transaction of rule_outcomes)."""
    sql, p = eligibility.eligible_query(principal, rules, reference_date)
    total: int = await conn.fetchval(f"SELECT count(*) FROM ({sql}) e", *p.values)
    return total


async def preview_counts(conn: asyncpg.Connection, principal: Principal, rules: Rules,
                         reference_date: date) -> tuple[asyncpg.Record, list[RuleSql]]:
    """The pool, the eligible and each rule's passing count (see eligibility.preview_query)."""
    sql, p, built = eligibility.preview_query(principal, rules, reference_date)
    async with conn.transaction():
        await conn.execute(eligibility.NO_JIT)
        row = await conn.fetchrow(sql, *p.values)
    assert row is not None  # an aggregate always returns one row
    return row, built
