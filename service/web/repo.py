"""SQL the pages need beyond the domain services: names and file lists for links, always scoped."""

import asyncpg

from service.access import repo as access
from service.attachments import repo as attachments_repo
from service.principal import Principal
from service.units.repo import tree_order


async def cadre_names(conn: asyncpg.Connection, principal: Principal, ids: list[int]) -> dict[int, str]:
    """Names of the readable cadres among the ids."""
    rows = await conn.fetch(
        f"""SELECT c.id, c.name FROM cadres c JOIN units u ON u.id = c.unit_id
            WHERE c.id = ANY($1::bigint[]) AND {access.cadre_visible(principal, "c", "u", 2)}""",
        ids, principal.user_id,
    )
    return {r["id"]: r["name"] for r in rows}


async def record_titles(conn: asyncpg.Connection, principal: Principal,
                        ids: list[int]) -> list[asyncpg.Record]:
    """(id, kind, title, occurred_on) of the readable field records among the ids, oldest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT r.id, r.kind, r.title, r.occurred_on FROM field_records r
            WHERE r.id = ANY($1::bigint[]) AND {access.record_visible(principal, "r", 2)}
            ORDER BY r.occurred_on, r.id""",
        ids, principal.user_id,
    )
    return rows


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


async def scope_units(conn: asyncpg.Connection, principal: Principal, max_depth: int = 2,
                      limit: int = 600) -> list[asyncpg.Record]:
    """Units under the user's scope units (down to `max_depth` levels below them), tree order, for
    unit pickers; units are not secret, the scope only keeps the list to what the user works on."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT u.id, u.name, u.kind, u.depth, u.path
           FROM units u
           WHERE EXISTS (SELECT 1 FROM user_scopes s JOIN units su ON su.id = s.unit_id
                         WHERE s.user_id = $1 AND s.unit_id = ANY(u.ancestor_ids)
                           AND u.depth <= su.depth + $2)
           ORDER BY {tree_order("u")} LIMIT $3""",
        principal.user_id, max_depth, limit)
    return rows


async def all_units(conn: asyncpg.Connection, limit: int = 2000) -> list[asyncpg.Record]:
    """Every unit in tree order (the admin's unit tree)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT id, code, name, kind, depth, parent_id, version FROM units u
            ORDER BY {tree_order('u')} LIMIT $1""", limit)
    return rows


async def researchers(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Active research-team accounts (id, display name), for choosing team members."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, display_name FROM users WHERE role = 'researcher' AND active ORDER BY display_name, id")
    return rows


async def unit_names(conn: asyncpg.Connection, ids: list[int]) -> dict[int, str]:
    """Names of units (units are not secret)."""
    rows = await conn.fetch("SELECT id, name FROM units WHERE id = ANY($1::bigint[])", ids)
    return {r["id"]: r["name"] for r in rows}
