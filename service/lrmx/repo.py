"""SQL of LRMX and roster imports: staged imports, matching by ID number, units in scope."""

from typing import Any

import asyncpg

from service.access import repo as access
from service.principal import Principal


async def insert_import(conn: asyncpg.Connection, kind: str, user_id: int, file_name: str,
                        sha256: str, size: int, options: dict[str, Any], preview_hash: str,
                        report: dict[str, Any]) -> int:
    """Stage a checked upload with its preview."""
    new_id: int = await conn.fetchval(
        """INSERT INTO format_imports (kind, user_id, file_name, sha256, size_bytes, options,
                                       preview_hash, report)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id""",
        kind, user_id, file_name, sha256, size, options, preview_hash, report)
    return new_id


async def get_import(conn: asyncpg.Connection, import_id: int, user_id: int, kind: str,
                     lock: bool = False) -> asyncpg.Record | None:
    """One of the user's own staged imports."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""SELECT * FROM format_imports WHERE id = $1 AND user_id = $2 AND kind = $3
            {"FOR UPDATE" if lock else ""}""", import_id, user_id, kind)
    return row


async def mark_applied(conn: asyncpg.Connection, import_id: int, result: dict[str, Any]) -> None:
    """Record that an import was written, with its per-file report."""
    await conn.execute(
        "UPDATE format_imports SET status = 'applied', applied_at = now(), result = $2 WHERE id = $1",
        import_id, result)


async def cadres_by_national_id(conn: asyncpg.Connection, principal: Principal,
                                ids: list[str]) -> dict[str, tuple[int, bool]]:
    """Registered cadres by ID number: (cadre id, whether the principal may manage them)."""
    rows = await conn.fetch(
        f"""SELECT c.national_id, c.id, {access.cadre_visible(principal, "c", "u", 2)} AS visible
            FROM cadres c JOIN units u ON u.id = c.unit_id WHERE c.national_id = ANY($1::text[])""",
        ids, principal.user_id)
    return {r["national_id"]: (r["id"], bool(r["visible"])) for r in rows}


async def scope_units(conn: asyncpg.Connection, principal: Principal) -> list[tuple[int, str]]:
    """Units whose cadres the officer manages (in any tier: the tier test compares s.tier with itself)."""
    rows = await conn.fetch(
        f"""SELECT u.id, u.name FROM units u WHERE {access.unit_in_scope(principal, "u", "s.tier", 1)}
            ORDER BY length(u.name) DESC, u.id""", principal.user_id)
    return [(r["id"], r["name"]) for r in rows]


async def unit_name(conn: asyncpg.Connection, unit_id: int) -> str | None:
    """A unit's name."""
    name: str | None = await conn.fetchval("SELECT name FROM units WHERE id = $1", unit_id)
    return name


async def promotion_for_form(conn: asyncpg.Connection, principal: Principal,
                             promotion_id: int) -> asyncpg.Record | None:
    """A readable promotion record with what the form takes from it: target, kind, motion reason."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""SELECT p.id, p.cadre_id, p.kind, u.name AS target_unit, p.target_post,
                   (SELECT s.payload->>'reason' FROM promotion_stages s
                    WHERE s.promotion_id = p.id AND s.stage = 'motion') AS reason
            FROM promotions p JOIN units u ON u.id = p.target_unit_id
            WHERE p.id = $1 AND {access.cadre_id_visible(principal, "p.cadre_id", 2)}""",
        promotion_id, principal.user_id)
    return row
