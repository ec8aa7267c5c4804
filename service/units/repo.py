"""SQL for the unit hierarchy."""

import asyncpg

from service.access.units import unit_writable
from service.principal import Principal


def tree_order(unit: str) -> str:
    """An ORDER BY key for unit row `unit`: tree order with siblings by code, as the unit API lists
    children (鼓楼区 C-D01 before 临江区 C-D02). `path` is made of ids, so ordering by it put
    siblings in the text order of their ids (西山区 /1/102/ before 鼓楼区 /1/2/)."""
    return f"(SELECT array_agg(a.code ORDER BY a.depth) FROM units a WHERE a.id = ANY({unit}.ancestor_ids))"


_SELECT = """SELECT u.*, (SELECT array_agg(a.name ORDER BY a.depth) FROM units a
                        WHERE a.id = ANY(u.ancestor_ids)) AS path_names FROM units u"""


async def get(conn: asyncpg.Connection, unit_id: int) -> asyncpg.Record | None:
    """One unit with the names along its path."""
    row: asyncpg.Record | None = await conn.fetchrow(f"{_SELECT} WHERE u.id = $1", unit_id)
    return row


async def writable(conn: asyncpg.Connection, principal: Principal, unit_id: int) -> bool:
    """Whether the unit exists and the officer's scope covers it (may organize, place, report)."""
    return bool(await conn.fetchval(f"SELECT {unit_writable(principal, '$1', 2)}",
                                    unit_id, principal.user_id))


async def count_existing(conn: asyncpg.Connection, unit_ids: list[int]) -> int:
    """How many of the unit ids exist."""
    n: int = await conn.fetchval("SELECT count(*) FROM units WHERE id = ANY($1::bigint[])", unit_ids)
    return n


async def children(conn: asyncpg.Connection, parent_id: int | None) -> list[asyncpg.Record]:
    """Direct children of a unit (roots when parent is None)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"{_SELECT} WHERE u.parent_id IS NOT DISTINCT FROM $1 ORDER BY u.code", parent_id
    )
    return rows


async def subtree(conn: asyncpg.Connection, unit_id: int, limit: int, offset: int) -> list[asyncpg.Record]:
    """A unit and all its descendants, by path (index range scan)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""{_SELECT} WHERE u.path LIKE (SELECT path FROM units WHERE id = $1) || '%'
            ORDER BY u.path LIMIT $2 OFFSET $3""",
        unit_id, limit, offset,
    )
    return rows


async def insert(conn: asyncpg.Connection, code: str, name: str, kind: str,
                 parent: asyncpg.Record | None) -> asyncpg.Record | None:
    """Create a unit under a parent, deriving path, ancestors and depth."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """WITH new AS (SELECT nextval(pg_get_serial_sequence('units', 'id')) AS id)
           INSERT INTO units (id, code, name, kind, parent_id, path, ancestor_ids, depth)
           OVERRIDING SYSTEM VALUE
           SELECT new.id, $1, $2, $3, $4, coalesce($5, '/') || new.id || '/',
                  coalesce($6::bigint[], '{}') || new.id, coalesce($7 + 1, 0) FROM new
           ON CONFLICT (code) DO NOTHING RETURNING id""",
        code, name, kind, parent["id"] if parent else None, parent["path"] if parent else None,
        parent["ancestor_ids"] if parent else None, parent["depth"] if parent else None,
    )
    return row


async def rename(conn: asyncpg.Connection, unit_id: int, version: int, name: str) -> asyncpg.Record | None:
    """Rename a unit if still at the given version."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """UPDATE units SET name = $3, version = version + 1, updated_at = now()
           WHERE id = $1 AND version = $2 RETURNING id""",
        unit_id, version, name,
    )
    return row


async def cadres_in_subtree(conn: asyncpg.Connection, unit_id: int) -> list[int]:
    """Ids of cadres whose unit lies in the subtree (their search documents carry its name)."""
    rows = await conn.fetch(
        """SELECT c.id FROM cadres c JOIN units u ON u.id = c.unit_id
           WHERE $1 = ANY(u.ancestor_ids)""",
        unit_id,
    )
    return [r["id"] for r in rows]


async def move_subtree(conn: asyncpg.Connection, unit_id: int, version: int,
                       parent: asyncpg.Record) -> asyncpg.Record | None:
    """Re-parent a unit at the given version, rewriting the path of its whole subtree at once."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """WITH moved AS (SELECT id, depth, path FROM units WHERE id = $1 AND version = $2),
                changed AS (
                  SELECT u.id, $4::bigint[] || u.ancestor_ids[moved.depth + 1:] AS ancestors
                  FROM units u, moved WHERE u.path LIKE moved.path || '%')
           UPDATE units u SET ancestor_ids = c.ancestors,
                  path = '/' || array_to_string(c.ancestors, '/') || '/',
                  depth = array_length(c.ancestors, 1) - 1,
                  parent_id = CASE WHEN u.id = $1 THEN $3 ELSE u.parent_id END,
                  version = CASE WHEN u.id = $1 THEN u.version + 1 ELSE u.version END,
                  updated_at = now()
           FROM changed c WHERE u.id = c.id
           RETURNING u.id""",
        unit_id, version, parent["id"], parent["ancestor_ids"],
    )
    return row
