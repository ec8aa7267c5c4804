"""SQL for promotion records, their stages, the working-day calendar and the cadre changes."""

from datetime import date
from typing import Any

import asyncpg

from schemas.promotions import PromotionFilter
from service.access.selection import promotion_visible
from service.principal import Principal

_BASE = """FROM promotions p JOIN cadres c ON c.id = p.cadre_id JOIN units cu ON cu.id = c.unit_id
  JOIN units tu ON tu.id = p.target_unit_id"""


async def get_visible(conn: asyncpg.Connection, principal: Principal, promotion_id: int,
                      lock: bool = False) -> asyncpg.Record | None:
    """A visible record with the cadre's and target unit's names."""
    sql = (f"SELECT p.*, c.name AS cadre_name, tu.name AS target_unit_name {_BASE} "
           f"WHERE p.id = $2 AND {promotion_visible(principal, 1)}")
    if lock:
        sql += " FOR UPDATE OF p"
    row: asyncpg.Record | None = await conn.fetchrow(sql, principal.user_id, promotion_id)
    return row


async def search(conn: asyncpg.Connection, principal: Principal, *, filters: PromotionFilter, limit: int,
                 offset: int) -> tuple[list[asyncpg.Record], int]:
    """Visible records with simple filters, newest first, and the total."""
    where = (f"{promotion_visible(principal, 1)} AND ($2::bigint IS NULL OR p.cadre_id = $2) "
             "AND ($3::text IS NULL OR p.status = $3) AND ($4::text IS NULL OR p.kind = $4)")
    args = (principal.user_id, filters.cadre_id, filters.status, filters.kind)
    total: int = await conn.fetchval(f"SELECT count(*) {_BASE} WHERE {where}", *args)
    rows = await conn.fetch(f"SELECT p.*, c.name AS cadre_name, tu.name AS target_unit_name {_BASE} "
                            f"WHERE {where} ORDER BY p.id DESC LIMIT $5 OFFSET $6", *args, limit, offset)
    return rows, total


async def insert(conn: asyncpg.Connection, data: dict[str, Any]) -> int:
    """Open a record."""
    cols = list(data)
    marks = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    new_id: int = await conn.fetchval(
        f"INSERT INTO promotions ({', '.join(cols)}) VALUES ({marks}) RETURNING id", *data.values())
    return new_id


async def update(conn: asyncpg.Connection, promotion_id: int, fields: dict[str, Any]) -> int:
    """Change fields of a record and advance its version; returns the new version."""
    sets = ", ".join(f"{k} = ${i}" for i, k in enumerate(fields, start=2))
    version: int = await conn.fetchval(
        f"UPDATE promotions SET {sets}{', ' if sets else ''}version = version + 1, updated_at = now() "
        "WHERE id = $1 RETURNING version", promotion_id, *fields.values())
    return version


async def stages(conn: asyncpg.Connection, promotion_id: int) -> list[asyncpg.Record]:
    """Recorded stages in date order."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM promotion_stages WHERE promotion_id = $1 ORDER BY stage_date, recorded_at",
        promotion_id)
    return rows


async def insert_stage(conn: asyncpg.Connection, promotion_id: int, stage: str, stage_date: date,
                       end_date: date | None, payload: dict[str, Any], user_id: int) -> None:
    """Record a stage."""
    await conn.execute(
        """INSERT INTO promotion_stages (promotion_id, stage, stage_date, end_date, payload, recorded_by)
           VALUES ($1, $2, $3, $4, $5, $6)""", promotion_id, stage, stage_date, end_date, payload, user_id)


async def replace_stage(conn: asyncpg.Connection, promotion_id: int, stage: str, stage_date: date,
                        end_date: date | None, payload: dict[str, Any], user_id: int) -> None:
    """Amend a stage in place (the revision row keeps the previous content)."""
    await conn.execute(
        """UPDATE promotion_stages SET stage_date = $3, end_date = $4, payload = $5, recorded_by = $6,
             revision = revision + 1, recorded_at = now() WHERE promotion_id = $1 AND stage = $2""",
        promotion_id, stage, stage_date, end_date, payload, user_id)


async def working_days(conn: asyncpg.Connection, start: date, end: date) -> tuple[int, list[int]]:
    """Working days in [start, end] and the years of the range the calendar does not cover."""
    row = await conn.fetchrow(
        """SELECT working_days($1, $2) AS n,
             coalesce((SELECT array_agg(y ORDER BY y) FROM generate_series(extract(year FROM $1::date)::int,
                        extract(year FROM $2::date)::int) y
                       WHERE NOT EXISTS (SELECT 1 FROM calendar_years WHERE year = y)), '{}') AS missing""",
        start, end)
    assert row is not None
    return row["n"], list(row["missing"])


async def ordinal(conn: asyncpg.Connection, table: str, code: str | None) -> int | None:
    """Ordinal of a rank, post level or education code on its reference ladder."""
    if code is None:
        return None
    assert table in ("ranks", "post_levels")
    value: int | None = await conn.fetchval(f"SELECT ordinal FROM {table} WHERE code = $1", code)
    return value


async def cadre_evidence_count(conn: asyncpg.Connection, cadre_id: int, ids: list[int]) -> int:
    """How many of the evidence ids belong to the cadre."""
    n: int = await conn.fetchval("SELECT count(*) FROM evidence WHERE id = ANY($2::bigint[]) "
                                 "AND cadre_id = $1", cadre_id, list(set(ids)))
    return n


async def apply_appointment(conn: asyncpg.Connection, cadre_id: int, on: date,
                            fields: dict[str, Any], career: dict[str, Any]) -> int:
    """Change the cadre's post or rank, close the open resume line and add the new one."""
    sets = ", ".join(f"{k} = ${i}" for i, k in enumerate(fields, start=2))
    version: int = await conn.fetchval(
        f"UPDATE cadres SET {sets}, version = version + 1, updated_at = now() WHERE id = $1 "
        "RETURNING version", cadre_id, *fields.values())
    await conn.execute("""UPDATE career_entries SET end_date = $2::date - 1
                          WHERE cadre_id = $1 AND end_date IS NULL AND start_date < $2""", cadre_id, on)
    await conn.execute(
        """INSERT INTO career_entries (cadre_id, start_date, unit_id, unit_name, post, post_level,
                                       is_grassroots)
           SELECT $1, $2, u.id, u.name, $4, $5, u.kind IN ('street', 'town', 'community')
           FROM units u WHERE u.id = $3""",
        cadre_id, on, career["unit_id"], career["post"], career["post_level"])
    return version


async def cadre_snapshot(conn: asyncpg.Connection, cadre_id: int) -> dict[str, Any]:
    """The cadre's post fields and resume, for its revision (never the national ID number)."""
    row = await conn.fetchrow(
        """SELECT c.id, c.name, c.unit_id, c.post, c.post_level, c.post_level_since, c.rank, c.rank_since,
             c.tier, c.status, c.version,
             coalesce((SELECT jsonb_agg(jsonb_build_object('start_date', e.start_date, 'end_date', e.end_date,
                         'unit_id', e.unit_id, 'unit_name', e.unit_name, 'post', e.post,
                         'post_level', e.post_level) ORDER BY e.start_date, e.id)
                       FROM career_entries e WHERE e.cadre_id = c.id), '[]') AS career
           FROM cadres c WHERE c.id = $1""", cadre_id)
    assert row is not None
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in dict(row).items()}


async def linked_documents(conn: asyncpg.Connection, cadre_id: int) -> tuple[list[int], list[int]]:
    """Evidence and records concerning the cadre (their search documents carry its unit)."""
    ev = await conn.fetch("SELECT id FROM evidence WHERE cadre_id = $1", cadre_id)
    rec = await conn.fetch("SELECT record_id FROM field_record_cadres WHERE cadre_id = $1", cadre_id)
    return [r["id"] for r in ev], [r["record_id"] for r in rec]


async def in_progress(conn: asyncpg.Connection, cadre_id: int, kind: str) -> bool:
    """Whether the cadre has a promotion of this kind in progress."""
    return bool(await conn.fetchval("SELECT true FROM promotions WHERE cadre_id = $1 AND kind = $2 "
                                    "AND status = 'in_progress'", cadre_id, kind))
