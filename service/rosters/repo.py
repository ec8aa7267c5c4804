"""SQL of rosters: cadres in scope with their unit, units by code."""

from typing import Any

import asyncpg

from schemas.common import Tier
from service.access import repo as access
from service.principal import Principal

MAX_EXPORT = 20_000


async def roster_rows(conn: asyncpg.Connection, principal: Principal, *, unit_id: int | None,
                      name: str | None, tier: str | None, status: str | None,
                      cadre_ids: list[int] | None) -> list[dict[str, Any]]:
    """Readable cadres matching the filters, by unit path then name, with unit name and code."""
    rows = await conn.fetch(
        f"""SELECT c.*, u.name AS unit_name, u.code AS unit_code, u.path AS unit_path,
                   f.retirement_base_age
            FROM cadres c JOIN units u ON u.id = c.unit_id
            LEFT JOIN cadre_forms f ON f.cadre_id = c.id
            WHERE {access.cadre_visible(principal, "c", "u", 1)}
              AND ($2::bigint IS NULL OR $2 = ANY(u.ancestor_ids))
              AND ($3::text IS NULL OR c.name LIKE $3 || '%')
              AND ($4::text IS NULL OR c.tier = $4) AND ($5::text IS NULL OR c.status = $5)
              AND ($6::bigint[] IS NULL OR c.id = ANY($6::bigint[]))
            ORDER BY u.path, c.name, c.id LIMIT $7""",
        principal.user_id, unit_id, name, tier, status, cadre_ids, MAX_EXPORT)
    return [dict(r) for r in rows]


async def units_by_code(conn: asyncpg.Connection, principal: Principal) -> dict[str, tuple[int, str, bool]]:
    """Every unit by code: (id, name, whether the officer manages cadres there in some tier)."""
    rows = await conn.fetch(
        f"""SELECT u.id, u.code, u.name, {access.unit_in_scope(principal, "u", "s.tier", 1)} AS managed
            FROM units u""", principal.user_id)
    return {r["code"]: (r["id"], r["name"], bool(r["managed"])) for r in rows}


async def managed_unit_codes(conn: asyncpg.Connection, principal: Principal) -> list[tuple[str, str]]:
    """Codes and names of the units the officer manages (for the template's drop-down)."""
    rows = await conn.fetch(
        f"""SELECT u.code, u.name FROM units u WHERE {access.unit_in_scope(principal, "u", "s.tier", 1)}
            ORDER BY u.path LIMIT 5000""", principal.user_id)
    return [(r["code"], r["name"]) for r in rows]


async def manageable_placements(conn: asyncpg.Connection, principal: Principal,
                                unit_ids: list[int]) -> set[tuple[int, str]]:
    """The (unit id, tier) pairs among the units in which the officer may place a cadre."""
    rows = await conn.fetch(
        f"""SELECT u.id, t.tier FROM units u CROSS JOIN unnest($2::text[]) AS t(tier)
            WHERE u.id = ANY($3::bigint[]) AND {access.unit_in_scope(principal, "u", "t.tier", 1)}""",
        principal.user_id, [t.value for t in Tier], unit_ids)
    return {(r["id"], r["tier"]) for r in rows}
