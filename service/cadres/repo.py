"""SQL for cadres, their resume, appraisals and rewards/penalties."""

from typing import Any

import asyncpg

from schemas.cadres import CadreFilter
from service.access import repo as access
from service.principal import Principal

PROFILE_COLUMNS = (
    "name", "gender", "birth_date", "ethnicity", "native_place", "birthplace", "party_join_date",
    "work_start_date", "health", "professional_title", "edu_fulltime_level", "edu_fulltime_school",
    "edu_fulltime_major", "edu_inservice_level", "edu_inservice_school", "edu_inservice_major",
    "unit_id", "post", "post_level", "post_level_since", "rank", "rank_since", "tier", "status",
    "is_unit_head", "photo_attachment_id", "national_id",
)


async def get_visible(conn: asyncpg.Connection, principal: Principal, cadre_id: int) -> asyncpg.Record | None:
    """A cadre the principal may read, with its unit name."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""SELECT c.*, u.name AS unit_name FROM cadres c JOIN units u ON u.id = c.unit_id
            WHERE c.id = $1 AND {access.cadre_visible(principal, "c", "u", 2)}""",
        cadre_id, principal.user_id,
    )
    return row


async def visible_ids(conn: asyncpg.Connection, principal: Principal, ids: list[int]) -> set[int]:
    """The ids among `ids` of cadres the principal may read."""
    rows = await conn.fetch(
        f"""SELECT c.id FROM cadres c JOIN units u ON u.id = c.unit_id
            WHERE c.id = ANY($1::bigint[]) AND {access.cadre_visible(principal, "c", "u", 2)}""",
        ids, principal.user_id,
    )
    return {r["id"] for r in rows}


async def lock_visible(conn: asyncpg.Connection, principal: Principal,
                       cadre_id: int) -> asyncpg.Record | None:
    """A readable cadre, locked for update."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""SELECT c.* FROM cadres c JOIN units u ON u.id = c.unit_id
            WHERE c.id = $1 AND {access.cadre_visible(principal, "c", "u", 2)}
            FOR UPDATE OF c""",
        cadre_id, principal.user_id,
    )
    return row


async def unit_manageable(conn: asyncpg.Connection, principal: Principal, unit_id: int, tier: str) -> bool:
    """Whether the officer's scope covers cadres of this unit and tier."""
    ok: bool | None = await conn.fetchval(
        f"""SELECT {access.unit_in_scope(principal, "u", "$3", 2)} FROM units u
            WHERE u.id = $1""",
        unit_id, principal.user_id, tier,
    )
    return bool(ok)


async def units_outside_scope(conn: asyncpg.Connection, principal: Principal,
                              unit_ids: list[int]) -> set[int]:
    """The ids among `unit_ids` that the officer's scope does not cover (any tier)."""
    rows = await conn.fetch(
        f"""SELECT x.id FROM unnest($1::bigint[]) AS x(id)
            WHERE NOT {access.unit_manageable(principal, "x.id", 2)}""",
        unit_ids, principal.user_id,
    )
    return {r["id"] for r in rows}


async def search(conn: asyncpg.Connection, principal: Principal, *, filters: CadreFilter,
                 limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
    """Readable cadres matching simple filters, and their total."""
    where = f"""{access.cadre_visible(principal, "c", "u", 1)}
      AND ($2::bigint IS NULL OR $2 = ANY(u.ancestor_ids))
      AND ($3::text IS NULL OR c.name LIKE $3 || '%')
      AND ($4::text IS NULL OR c.tier = $4) AND ($5::text IS NULL OR c.status = $5)"""
    args = (principal.user_id, filters.unit_id, filters.name, filters.tier, filters.status)
    base = f"FROM cadres c JOIN units u ON u.id = c.unit_id WHERE {where}"
    total: int = await conn.fetchval(f"SELECT count(*) {base}", *args)
    rows = await conn.fetch(
        f"SELECT c.*, u.name AS unit_name {base} ORDER BY c.id LIMIT $6 OFFSET $7",
        *args, limit, offset,
    )
    return rows, total


async def insert(conn: asyncpg.Connection, fields: dict[str, Any], created_by: int) -> int:
    """Create a cadre row."""
    cols = [*PROFILE_COLUMNS, "created_by"]
    values = [fields[c] for c in PROFILE_COLUMNS] + [created_by]
    placeholders = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    new_id: int = await conn.fetchval(
        f"INSERT INTO cadres ({', '.join(cols)}) VALUES ({placeholders}) RETURNING id",
        *values,
    )
    return new_id


async def update(conn: asyncpg.Connection, cadre_id: int, version: int, fields: dict[str, Any]) -> bool:
    """Replace the profile fields if still at the given version."""
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(PROFILE_COLUMNS, start=3))
    done = await conn.fetchval(
        f"""UPDATE cadres SET {sets}, version = version + 1, updated_at = now()
            WHERE id = $1 AND version = $2 RETURNING true""",
        cadre_id, version, *[fields[c] for c in PROFILE_COLUMNS],
    )
    return bool(done)


async def bump_version(conn: asyncpg.Connection, cadre_id: int) -> int:
    """Advance the cadre's version after a change to its resume, appraisals or rewards."""
    version: int = await conn.fetchval(
        "UPDATE cadres SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING version",
        cadre_id,
    )
    return version


async def insert_career(conn: asyncpg.Connection, cadre_id: int, entries: list[dict[str, Any]]) -> None:
    """Add resume lines."""
    await conn.executemany(
        """INSERT INTO career_entries (cadre_id, start_date, end_date, unit_id, unit_name, post,
                                       post_level, is_grassroots, team_role)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        [(cadre_id, e["start_date"], e["end_date"], e["unit_id"], e["unit_name"], e["post"],
          e["post_level"], e["is_grassroots"], e.get("team_role")) for e in entries],
    )


async def upsert_appraisals(conn: asyncpg.Connection, cadre_id: int, items: list[dict[str, Any]]) -> None:
    """Set appraisal grades per year."""
    await conn.executemany(
        """INSERT INTO appraisals (cadre_id, year, grade) VALUES ($1, $2, $3)
           ON CONFLICT (cadre_id, year) DO UPDATE SET grade = EXCLUDED.grade""",
        [(cadre_id, a["year"], a["grade"]) for a in items],
    )


async def insert_rewards(conn: asyncpg.Connection, cadre_id: int, items: list[dict[str, Any]]) -> None:
    """Add rewards or penalties."""
    await conn.executemany(
        """INSERT INTO rewards_penalties (cadre_id, kind, title, issuer, decided_on,
                                          effective_until, note)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        [(cadre_id, r["kind"], r["title"], r["issuer"], r["decided_on"], r["effective_until"],
          r["note"]) for r in items],
    )


async def career(conn: asyncpg.Connection, cadre_id: int) -> list[asyncpg.Record]:
    """Resume lines in date order."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM career_entries WHERE cadre_id = $1 ORDER BY start_date, id", cadre_id
    )
    return rows


async def appraisals(conn: asyncpg.Connection, cadre_id: int) -> list[asyncpg.Record]:
    """Appraisal grades by year."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT year, grade FROM appraisals WHERE cadre_id = $1 ORDER BY year", cadre_id
    )
    return rows


async def rewards(conn: asyncpg.Connection, cadre_id: int) -> list[asyncpg.Record]:
    """Rewards and penalties by date."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM rewards_penalties WHERE cadre_id = $1 ORDER BY decided_on, id", cadre_id
    )
    return rows



async def own_photo(conn: asyncpg.Connection, attachment_id: int, user_id: int) -> bool:
    """Whether the attachment is a JPEG/PNG image the user uploaded."""
    return bool(await conn.fetchval(
        """SELECT true FROM attachments WHERE id = $1 AND uploaded_by = $2
           AND content_type IN ('image/jpeg', 'image/png')""", attachment_id, user_id))


async def national_id_taken(conn: asyncpg.Connection, national_id: str) -> bool:
    """Whether a cadre with this national ID number is registered."""
    return bool(await conn.fetchval("SELECT true FROM cadres WHERE national_id = $1", national_id))
