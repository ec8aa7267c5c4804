"""SQL for assessment periods: setup, scores, adjustments, state and corrections."""

from decimal import Decimal
from typing import Any

import asyncpg

from service.access.units import period_visible, unit_writable
from service.principal import Principal


async def get(conn: asyncpg.Connection, period_id: int) -> asyncpg.Record | None:
    """A period by id (the caller has checked that it is readable)."""
    row: asyncpg.Record | None = await conn.fetchrow("SELECT * FROM assessment_periods WHERE id = $1",
                                                     period_id)
    return row


async def get_visible(conn: asyncpg.Connection, principal: Principal, period_id: int,
                      lock: bool = False) -> asyncpg.Record | None:
    """A readable period, optionally locked for update (every write to a period locks it first)."""
    sql = f"SELECT p.* FROM assessment_periods p WHERE p.id = $1 AND {period_visible(principal, 2)}"
    if lock:
        sql += " FOR UPDATE OF p"
    row: asyncpg.Record | None = await conn.fetchrow(sql, period_id, principal.user_id)
    return row


async def search(conn: asyncpg.Connection, principal: Principal, owner_unit_id: int | None,
                 state: str | None, limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
    """Readable periods, newest first, and their total."""
    where = f"""{period_visible(principal, 1)} AND ($2::bigint IS NULL OR p.owner_unit_id = $2)
      AND ($3::text IS NULL OR p.state = $3)"""
    args = (principal.user_id, owner_unit_id, state)
    total: int = await conn.fetchval(f"SELECT count(*) FROM assessment_periods p WHERE {where}", *args)
    rows = await conn.fetch(f"""SELECT p.* FROM assessment_periods p WHERE {where}
                                ORDER BY p.starts_on DESC, p.id DESC LIMIT $4 OFFSET $5""",
                            *args, limit, offset)
    return rows, total


async def code_taken(conn: asyncpg.Connection, owner_unit_id: int, code: str) -> bool:
    """Whether the owner already has a period with this code."""
    return bool(await conn.fetchval(
        "SELECT true FROM assessment_periods WHERE owner_unit_id = $1 AND code = $2",
        owner_unit_id, code))


async def insert_period(conn: asyncpg.Connection, code: str, name: str, owner_unit_id: int,
                        starts_on: Any, ends_on: Any, user_id: int) -> int:
    """Create a draft period."""
    period_id: int = await conn.fetchval(
        """INSERT INTO assessment_periods (code, name, owner_unit_id, starts_on, ends_on, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        code, name, owner_unit_id, starts_on, ends_on, user_id)
    return period_id


async def not_writable(conn: asyncpg.Connection, principal: Principal, unit_ids: list[int]) -> list[int]:
    """The given units that do not exist or lie outside the officer's scope."""
    rows = await conn.fetch(
        f"""SELECT i FROM unnest($1::bigint[]) AS i
            WHERE NOT {unit_writable(principal, "i", 2)} ORDER BY i""",
        sorted(set(unit_ids)), principal.user_id)
    return [r["i"] for r in rows]


async def outside_subtree(conn: asyncpg.Connection, owner_unit_id: int, unit_ids: list[int]) -> list[int]:
    """The given units that are not below (or equal to) the owner unit."""
    rows = await conn.fetch(
        """SELECT i FROM unnest($2::bigint[]) AS i
           WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.id = i AND $1 = ANY(u.ancestor_ids))
           ORDER BY i""", owner_unit_id, sorted(set(unit_ids)))
    return [r["i"] for r in rows]


async def units(conn: asyncpg.Connection, period_id: int) -> list[asyncpg.Record]:
    """The compared units, by code."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT u.id, u.code, u.name FROM assessment_period_units pu JOIN units u ON u.id = pu.unit_id
           WHERE pu.period_id = $1 ORDER BY u.code""", period_id)
    return rows


async def indicators(conn: asyncpg.Connection, period_id: int) -> list[asyncpg.Record]:
    """The indicators in order."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM assessment_indicators WHERE period_id = $1 ORDER BY position", period_id)
    return rows


async def star_rules(conn: asyncpg.Connection, period_id: int) -> list[asyncpg.Record]:
    """The star rules with their indicator codes."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT r.*, i.code AS indicator_code FROM assessment_star_rules r
           LEFT JOIN assessment_indicators i ON i.id = r.indicator_id
           WHERE r.period_id = $1 ORDER BY r.id""", period_id)
    return rows


async def in_use(conn: asyncpg.Connection, period_id: int, unit_ids: list[int],
                 codes: list[str]) -> tuple[list[int], list[str]]:
    """Units leaving the period and indicators being removed that already carry data."""
    units_used = await conn.fetch(
        """SELECT DISTINCT unit_id FROM (
             SELECT unit_id FROM assessment_scores WHERE period_id = $1
             UNION ALL SELECT unit_id FROM assessment_adjustments WHERE period_id = $1) d
           WHERE unit_id <> ALL($2::bigint[]) ORDER BY unit_id""", period_id, unit_ids)
    codes_used = await conn.fetch(
        """SELECT DISTINCT i.code FROM assessment_scores s JOIN assessment_indicators i
             ON i.id = s.indicator_id
           WHERE s.period_id = $1 AND i.code <> ALL($2::text[]) ORDER BY i.code""", period_id, codes)
    return [r["unit_id"] for r in units_used], [r["code"] for r in codes_used]


async def replace_setup(conn: asyncpg.Connection, period_id: int, unit_ids: list[int],
                        indicator_rows: list[dict[str, Any]], rules: list[dict[str, Any]]) -> None:
    """Make the compared units, indicators and star rules exactly these (derived results first)."""
    await clear_results(conn, period_id)
    await conn.execute("DELETE FROM assessment_star_rules WHERE period_id = $1", period_id)
    await conn.execute(
        "DELETE FROM assessment_period_units WHERE period_id = $1 AND unit_id <> ALL($2::bigint[])",
        period_id, unit_ids)
    await conn.execute(
        """INSERT INTO assessment_period_units (period_id, unit_id) SELECT $1, unnest($2::bigint[])
           ON CONFLICT DO NOTHING""", period_id, unit_ids)
    codes = [i["code"] for i in indicator_rows]
    await conn.execute(
        "DELETE FROM assessment_indicators WHERE period_id = $1 AND code <> ALL($2::text[])",
        period_id, codes)
    await conn.executemany(
        """INSERT INTO assessment_indicators (period_id, code, name, weight, max_score, position)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (period_id, code) DO UPDATE SET name = EXCLUDED.name, weight = EXCLUDED.weight,
             max_score = EXCLUDED.max_score, position = EXCLUDED.position""",
        [(period_id, i["code"], i["name"], i["weight"], i["max_score"], n)
         for n, i in enumerate(indicator_rows, start=1)])
    await conn.executemany(
        """INSERT INTO assessment_star_rules (period_id, kind, indicator_id, top_n, threshold, stars, label)
           VALUES ($1, $2, (SELECT id FROM assessment_indicators WHERE period_id = $1 AND code = $3),
                   $4, $5, $6, $7)""",
        [(period_id, r["kind"], r["indicator_code"], r["top_n"], r["threshold"], r["stars"],
          r["label"]) for r in rules])


async def update_header(conn: asyncpg.Connection, period_id: int, name: str, starts_on: Any,
                        ends_on: Any) -> None:
    """Replace the name and dates."""
    await conn.execute(
        "UPDATE assessment_periods SET name = $2, starts_on = $3, ends_on = $4 WHERE id = $1",
        period_id, name, starts_on, ends_on)


async def bump(conn: asyncpg.Connection, period_id: int) -> int:
    """Advance the period's version after any change to it or its data."""
    version: int = await conn.fetchval(
        """UPDATE assessment_periods SET version = version + 1, updated_at = now() WHERE id = $1
           RETURNING version""", period_id)
    return version


async def set_state(conn: asyncpg.Connection, period_id: int, state: str, user_id: int) -> None:
    """Move to published or locked, stamping who and when."""
    column = "published" if state == "published" else "locked"
    await conn.execute(
        f"""UPDATE assessment_periods SET state = $2, {column}_at = now(), {column}_by = $3
            WHERE id = $1""", period_id, state, user_id)


async def cells(conn: asyncpg.Connection, period_id: int) -> dict[tuple[int, int], asyncpg.Record]:
    """Stored scores keyed by (unit id, indicator id)."""
    rows = await conn.fetch("SELECT * FROM assessment_scores WHERE period_id = $1", period_id)
    return {(r["unit_id"], r["indicator_id"]): r for r in rows}


async def insert_score(conn: asyncpg.Connection, period_id: int, indicator_id: int, unit_id: int,
                       score: Decimal, user_id: int) -> None:
    """Store a new score."""
    await conn.execute(
        """INSERT INTO assessment_scores (period_id, indicator_id, unit_id, score, updated_by)
           VALUES ($1, $2, $3, $4, $5)""", period_id, indicator_id, unit_id, score, user_id)


async def update_score(conn: asyncpg.Connection, score_id: int, score: Decimal, user_id: int) -> None:
    """Change a stored score."""
    await conn.execute(
        """UPDATE assessment_scores SET score = $2, updated_by = $3, version = version + 1,
             updated_at = now() WHERE id = $1""", score_id, score, user_id)


async def adjustments(conn: asyncpg.Connection, period_id: int) -> list[asyncpg.Record]:
    """Every adjustment of the period, withdrawn ones included."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM assessment_adjustments WHERE period_id = $1 ORDER BY id", period_id)
    return rows


async def insert_adjustment(conn: asyncpg.Connection, period_id: int, unit_id: int, kind: str,
                            points: Decimal, reason: str, user_id: int) -> int:
    """Record bonus or deduction points."""
    adj_id: int = await conn.fetchval(
        """INSERT INTO assessment_adjustments (period_id, unit_id, kind, points, reason, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        period_id, unit_id, kind, points, reason, user_id)
    return adj_id


async def withdraw_adjustment(conn: asyncpg.Connection, period_id: int, adj_id: int, reason: str,
                              user_id: int) -> asyncpg.Record | None:
    """Withdraw an active adjustment of the period; None if there is none."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """UPDATE assessment_adjustments SET withdrawn_at = now(), withdrawn_by = $4, withdraw_reason = $3
           WHERE id = $2 AND period_id = $1 AND withdrawn_at IS NULL RETURNING *""",
        period_id, adj_id, reason, user_id)
    return row


async def clear_results(conn: asyncpg.Connection, period_id: int) -> None:
    """Drop the derived results of a period (recomputed right after)."""
    await conn.execute("DELETE FROM assessment_result_indicators WHERE period_id = $1", period_id)
    await conn.execute("DELETE FROM assessment_results WHERE period_id = $1", period_id)


async def insert_correction(conn: asyncpg.Connection, period_id: int, version: int, reason: str,
                            changes: dict[str, Any], user_id: int) -> int:
    """Keep an applied correction."""
    cid: int = await conn.fetchval(
        """INSERT INTO assessment_corrections (period_id, period_version, reason, changes, created_by)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""", period_id, version, reason, changes, user_id)
    return cid


async def corrections(conn: asyncpg.Connection, period_id: int) -> list[asyncpg.Record]:
    """Corrections of a period, oldest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM assessment_corrections WHERE period_id = $1 ORDER BY id", period_id)
    return rows


async def unit_ids_by_code(conn: asyncpg.Connection, codes: list[str]) -> dict[str, int]:
    """Unit ids of the given codes (unknown codes are absent)."""
    rows = await conn.fetch("SELECT code, id FROM units WHERE code = ANY($1::text[])", codes)
    return {r["code"]: r["id"] for r in rows}
