"""SQL for leaders' service logs and their totals over any period."""

from typing import Any

import asyncpg

from schemas.service_logs import ServiceLogFilter
from service.access import repo as access
from service.principal import Principal

_SELECT = """SELECT sl.*, c.name AS cadre_name, lu.name AS unit_name
  FROM service_logs sl JOIN cadres c ON c.id = sl.cadre_id JOIN units cu ON cu.id = c.unit_id
  JOIN units lu ON lu.id = sl.unit_id"""

_FILTERS = """($2::bigint IS NULL OR sl.cadre_id = $2) AND ($3::bigint IS NULL OR $3 = ANY(lu.ancestor_ids))
  AND ($4::text IS NULL OR sl.kind = $4) AND ($5::date IS NULL OR sl.served_on >= $5)
  AND ($6::date IS NULL OR sl.served_on <= $6)"""

_SUMS = """count(*) AS sessions,
  count(*) FILTER (WHERE sl.kind = 'window_service') AS window_sessions,
  count(*) FILTER (WHERE sl.kind = 'mobile_service') AS mobile_visits,
  coalesce(sum(sl.items_handled), 0) AS items_handled,
  coalesce(sum(sl.problems_solved), 0) AS problems_solved,
  coalesce(sum(cardinality(sl.rectification_proposals)), 0) AS rectification_proposals,
  coalesce(sum(cardinality(sl.processes_improved)), 0) AS processes_improved,
  min(sl.served_on) AS first_on, max(sl.served_on) AS last_on"""


async def insert(conn: asyncpg.Connection, data: dict[str, Any], user_id: int) -> int:
    """Create a log."""
    log_id: int = await conn.fetchval(
        """INSERT INTO service_logs (kind, cadre_id, unit_id, served_on, place, items_handled,
             problems_solved, rectification_proposals, processes_improved, notes, record_id, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id""",
        data["kind"], data["cadre_id"], data["unit_id"], data["served_on"], data["place"],
        data["items_handled"], data["problems_solved"], data["rectification_proposals"],
        data["processes_improved"], data["notes"], data["record_id"], user_id)
    return log_id


async def get_visible(conn: asyncpg.Connection, principal: Principal, log_id: int,
                      lock: bool = False) -> asyncpg.Record | None:
    """A log of a cadre the caller may read."""
    sql = f"{_SELECT} WHERE sl.id = $1 AND {access.cadre_visible(principal, 'c', 'cu', 2)}"
    if lock:
        sql += " FOR UPDATE OF sl"
    row: asyncpg.Record | None = await conn.fetchrow(sql, log_id, principal.user_id)
    return row


def _filter_args(principal: Principal, f: ServiceLogFilter) -> tuple[Any, ...]:
    return (principal.user_id, f.cadre_id, f.unit_id, f.kind, f.date_from, f.date_to)


async def search(conn: asyncpg.Connection, principal: Principal, *, filters: ServiceLogFilter, limit: int,
                 offset: int) -> tuple[list[asyncpg.Record], int]:
    """Logs of readable cadres, newest first, and their total."""
    where = f"""{access.cadre_visible(principal, "c", "cu", 1)} AND {_FILTERS}
      AND ($7 OR sl.voided_at IS NULL)"""
    args = (*_filter_args(principal, filters), filters.include_voided)
    total: int = await conn.fetchval(f"""SELECT count(*) FROM service_logs sl
        JOIN cadres c ON c.id = sl.cadre_id JOIN units cu ON cu.id = c.unit_id
        JOIN units lu ON lu.id = sl.unit_id WHERE {where}""", *args)
    rows = await conn.fetch(f"{_SELECT} WHERE {where} ORDER BY sl.served_on DESC, sl.id DESC "
                            "LIMIT $8 OFFSET $9", *args, limit, offset)
    return rows, total


async def totals(conn: asyncpg.Connection, principal: Principal, *, group_by: str,
                 filters: ServiceLogFilter) -> tuple[asyncpg.Record, list[asyncpg.Record]]:
    """Sums over readable cadres' active logs: overall, and per leader or per unit."""
    key, name = ("sl.cadre_id", "c.name") if group_by == "cadre" else ("sl.unit_id", "lu.name")
    base = f"""FROM service_logs sl JOIN cadres c ON c.id = sl.cadre_id JOIN units cu ON cu.id = c.unit_id
      JOIN units lu ON lu.id = sl.unit_id
      WHERE sl.voided_at IS NULL AND {access.cadre_visible(principal, "c", "cu", 1)} AND {_FILTERS}"""
    args = _filter_args(principal, filters)
    overall = await conn.fetchrow(f"SELECT NULL::bigint AS id, '' AS name, {_SUMS} {base}", *args)
    rows = await conn.fetch(f"""SELECT {key} AS id, {name} AS name, {_SUMS} {base}
        GROUP BY {key}, {name} ORDER BY items_handled DESC, sessions DESC, {key}""", *args)
    assert overall is not None
    return overall, rows


async def yearly(conn: asyncpg.Connection, cadre_id: int) -> list[asyncpg.Record]:
    """A cadre's active logs summed per calendar year (the caller has checked the cadre is readable)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT extract(year FROM sl.served_on)::int AS year, {_SUMS} FROM service_logs sl
            WHERE sl.cadre_id = $1 AND sl.voided_at IS NULL GROUP BY 1 ORDER BY 1""", cadre_id)
    return rows


async def update(conn: asyncpg.Connection, log_id: int, version: int, data: dict[str, Any]) -> bool:
    """Replace the content if still at the given version."""
    done = await conn.fetchval(
        """UPDATE service_logs SET served_on = $3, place = $4, items_handled = $5, problems_solved = $6,
             rectification_proposals = $7, processes_improved = $8, notes = $9, record_id = $10,
             version = version + 1, updated_at = now()
           WHERE id = $1 AND version = $2 AND voided_at IS NULL RETURNING true""",
        log_id, version, data["served_on"], data["place"], data["items_handled"], data["problems_solved"],
        data["rectification_proposals"], data["processes_improved"], data["notes"], data["record_id"])
    return bool(done)


async def void(conn: asyncpg.Connection, log_id: int, version: int, reason: str, user_id: int) -> bool:
    """Mark a log void if still at the given version."""
    done = await conn.fetchval(
        """UPDATE service_logs SET voided_at = now(), voided_by = $4, void_reason = $3,
             version = version + 1, updated_at = now()
           WHERE id = $1 AND version = $2 AND voided_at IS NULL RETURNING true""",
        log_id, version, reason, user_id)
    return bool(done)


async def record_visible(conn: asyncpg.Connection, principal: Principal, record_id: int) -> bool:
    """Whether the field record exists and is readable by the caller."""
    return bool(await conn.fetchval(
        f"SELECT true FROM field_records r WHERE r.id = $1 AND {access.record_visible(principal, 'r', 2)}",
        record_id, principal.user_id))


async def get_by_id(conn: asyncpg.Connection, log_id: int) -> asyncpg.Record | None:
    """A log by id without a scope check (for changes the caller's own write caused)."""
    row: asyncpg.Record | None = await conn.fetchrow(f"{_SELECT} WHERE sl.id = $1", log_id)
    return row


async def linked_to_record(conn: asyncpg.Connection, record_id: int) -> list[asyncpg.Record]:
    """The active logs a field record stands behind, locked (one per cadre)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT * FROM service_logs WHERE record_id = $1 AND voided_at IS NULL
           ORDER BY cadre_id, id FOR UPDATE""", record_id)
    return rows


async def insert_for_record(conn: asyncpg.Connection, data: dict[str, Any], cadre_id: int,
                            user_id: int) -> int | None:
    """A window-service log for a cadre of a record, at the cadre's current unit."""
    log_id: int | None = await conn.fetchval(
        """INSERT INTO service_logs (kind, cadre_id, unit_id, served_on, place, items_handled,
             problems_solved, rectification_proposals, processes_improved, notes, record_id, created_by)
           SELECT 'window_service', c.id, c.unit_id, $2, $3, $4, $5, $6, $7, $8, $9, $10
           FROM cadres c WHERE c.id = $1 RETURNING id""",
        cadre_id, data["served_on"], data["place"], data["items_handled"], data["problems_solved"],
        data["rectification_proposals"], data["processes_improved"], data["notes"], data["record_id"],
        user_id)
    return log_id


async def record_window_service(conn: asyncpg.Connection, record_id: int) -> bool:
    """Whether the record is a submitted window-service record (its logs are kept by the record)."""
    return bool(await conn.fetchval(
        """SELECT true FROM field_records WHERE id = $1 AND kind = 'window_service'
           AND state = 'submitted'""", record_id))


# The existing links are read once, before the insert: an anti-join planned against a nearly empty
# service_logs re-scanned the table it was filling once per row (quadratic; 20+ minutes at 100,000
# cadres, where every new row is invisible to the statement yet still read).
_BACKFILL = """
WITH linked AS MATERIALIZED (
  SELECT record_id, cadre_id FROM service_logs WHERE record_id IS NOT NULL AND voided_at IS NULL)
INSERT INTO service_logs (kind, cadre_id, unit_id, served_on, place, items_handled, problems_solved,
                          rectification_proposals, processes_improved, notes, record_id, created_by)
SELECT 'window_service', c.id, c.unit_id, r.occurred_on, left(r.place, 200),
       CASE WHEN jsonb_typeof(r.details -> 'items_handled') = 'number'
            THEN least(greatest((r.details ->> 'items_handled')::numeric, 0), 100000)::int ELSE 0 END,
       CASE WHEN jsonb_typeof(r.details -> 'problems_solved') = 'number'
            THEN least(greatest((r.details ->> 'problems_solved')::numeric, 0), 100000)::int ELSE 0 END,
       CASE WHEN jsonb_typeof(r.details -> 'rectification_proposals') = 'array' THEN ARRAY(
         SELECT left(x, 500) FROM jsonb_array_elements_text(r.details -> 'rectification_proposals')
         WITH ORDINALITY AS t(x, n) WHERE n <= 50 ORDER BY n) ELSE '{}' END,
       CASE WHEN jsonb_typeof(r.details -> 'processes_improved') = 'array' THEN ARRAY(
         SELECT left(x, 500) FROM jsonb_array_elements_text(r.details -> 'processes_improved')
         WITH ORDINALITY AS t(x, n) WHERE n <= 50 ORDER BY n) ELSE '{}' END,
       left('调研记录 FR-' || lpad(r.id::text, 6, '0') || '：' || r.title, 20000), r.id, r.author_id
FROM field_records r JOIN field_record_cadres rc ON rc.record_id = r.id JOIN cadres c ON c.id = rc.cadre_id
WHERE r.kind = 'window_service' AND r.state = 'submitted'
  AND NOT EXISTS (SELECT 1 FROM linked sl WHERE sl.record_id = r.id AND sl.cadre_id = c.id);
"""


async def backfill_from_records(conn: asyncpg.Connection) -> int:
    """Logs for submitted window-service records that have none (records written in bulk)."""
    done = await conn.execute(_BACKFILL)
    return int(done.split()[-1])
