"""SQL the pages need beyond the domain services: names and file lists for links, always scoped."""

import asyncpg

from service.access import repo as access
from service.attachments import repo as attachments_repo
from service.principal import Principal


async def cadre_names(conn: asyncpg.Connection, principal: Principal, ids: list[int]) -> dict[int, str]:
    """Names of the readable cadres among the ids."""
    rows = await conn.fetch(
        f"""SELECT c.id, c.name FROM cadres c JOIN units u ON u.id = c.unit_id
            WHERE c.id = ANY($1::bigint[]) AND {access.cadre_visible(principal, "c", "u", 2)}""",
        ids, principal.user_id,
    )
    return {r["id"]: r["name"] for r in rows}


async def attachments(conn: asyncpg.Connection, principal: Principal, ids: list[int]) -> list[asyncpg.Record]:
    """The readable attachments among the ids, in upload order."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT {attachments_repo.COLUMNS} FROM attachments att
            WHERE att.id = ANY($2::bigint[]) AND {attachments_repo.readable(principal, 1)}
            ORDER BY att.id""",
        principal.user_id, ids,
    )
    return rows


async def users_names(conn: asyncpg.Connection, ids: list[int]) -> dict[int, str]:
    """Display names of accounts (who verified, who saved a version)."""
    rows = await conn.fetch("SELECT id, display_name FROM users WHERE id = ANY($1::bigint[])", ids)
    return {r["id"]: r["display_name"] for r in rows}
