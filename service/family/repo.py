"""SQL for cadres' family members."""

from typing import Any

import asyncpg

from service.access import repo as access
from service.principal import Principal


async def cadre_manageable(conn: asyncpg.Connection, principal: Principal, cadre_id: int,
                           lock: bool = False) -> bool:
    """Whether the cadre exists within the officer's scope (optionally locking it)."""
    found = await conn.fetchval(
        f"""SELECT true FROM cadres c JOIN units u ON u.id = c.unit_id
            WHERE c.id = $1 AND {access.cadre_visible(principal, "c", "u", 2)}
            {"FOR UPDATE OF c" if lock else ""}""",
        cadre_id, principal.user_id,
    )
    return bool(found)


async def insert(conn: asyncpg.Connection, cadre_id: int, fields: dict[str, Any],
                 created_by: int) -> asyncpg.Record:
    """Add a family member."""
    row: asyncpg.Record = await conn.fetchrow(
        """INSERT INTO family_members (cadre_id, relation, name, birth_date, political_status,
                                       work_unit_post, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""",
        cadre_id, fields["relation"], fields["name"], fields["birth_date"],
        fields["political_status"], fields["work_unit_post"], created_by,
    )
    return row


async def of_cadre(conn: asyncpg.Connection, cadre_id: int) -> list[asyncpg.Record]:
    """A cadre's family members in the order they were entered."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM family_members WHERE cadre_id = $1 ORDER BY id", cadre_id
    )
    return rows
