"""SQL for secondment programmes, placements, task force metric definitions and values.

Attribution: a task force's value dated D is credited, in full, to every cadre placed at that
task force on day D (placement starts_on <= D <= ends_on). It is a team result, not split.
"""

from typing import Any

import asyncpg

from service.access import repo as access
from service.access.units import program_visible, units_readable
from service.principal import Principal

_PROGRAM = """SELECT sp.*, (SELECT count(DISTINCT cadre_id) FROM secondment_placements x
                            WHERE x.program_id = sp.id) AS placed_cadres
              FROM secondment_programs sp"""


async def get_program(conn: asyncpg.Connection, principal: Principal, program_id: int,
                      lock: bool = False) -> asyncpg.Record | None:
    """A readable programme."""
    sql = f"{_PROGRAM} WHERE sp.id = $1 AND {program_visible(principal, 2)}"
    if lock:
        sql += " FOR UPDATE OF sp"
    row: asyncpg.Record | None = await conn.fetchrow(sql, program_id, principal.user_id)
    return row


async def search_programs(conn: asyncpg.Connection, principal: Principal, limit: int,
                          offset: int) -> tuple[list[asyncpg.Record], int]:
    """Readable programmes, latest first."""
    where = program_visible(principal, 1)
    total: int = await conn.fetchval(f"SELECT count(*) FROM secondment_programs sp WHERE {where}",
                                     principal.user_id)
    rows = await conn.fetch(f"{_PROGRAM} WHERE {where} ORDER BY sp.starts_on DESC, sp.id DESC "
                            "LIMIT $2 OFFSET $3", principal.user_id, limit, offset)
    return rows, total


async def insert_program(conn: asyncpg.Connection, data: dict[str, Any], user_id: int) -> int:
    """Create a programme with its task forces."""
    pid: int = await conn.fetchval(
        """INSERT INTO secondment_programs (name, description, owner_unit_id, starts_on, ends_on, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        data["name"], data["description"], data["owner_unit_id"], data["starts_on"], data["ends_on"], user_id)
    await conn.execute("""INSERT INTO secondment_task_forces (program_id, unit_id)
                          SELECT $1, unnest($2::bigint[])""", pid, data["task_force_unit_ids"])
    return pid


async def not_task_forces(conn: asyncpg.Connection, unit_ids: list[int]) -> list[int]:
    """The given ids that are not units of kind task_force."""
    rows = await conn.fetch(
        """SELECT i FROM unnest($1::bigint[]) AS i WHERE NOT EXISTS
             (SELECT 1 FROM units u WHERE u.id = i AND u.kind = 'task_force') ORDER BY i""", unit_ids)
    return [r["i"] for r in rows]


async def task_forces(conn: asyncpg.Connection, program: asyncpg.Record) -> list[asyncpg.Record]:
    """A programme's task forces with how many placements each had."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT u.id AS unit_id, u.code AS unit_code, u.name AS unit_name,
             (SELECT count(*) FROM secondment_placements p WHERE p.program_id = t.program_id
                AND p.task_force_unit_id = t.unit_id) AS placed
           FROM secondment_task_forces t JOIN units u ON u.id = t.unit_id
           WHERE t.program_id = $1 ORDER BY u.code""", program["id"])
    return rows


async def metric_totals(conn: asyncpg.Connection, unit_ids: list[int], date_from: Any,
                        date_to: Any) -> list[asyncpg.Record]:
    """Each task force's metric sums within a span."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT v.task_force_unit_id AS unit_id, m.code, m.name, m.unit_label, sum(v.value) AS value
           FROM task_force_metric_values v JOIN task_force_metrics m ON m.id = v.metric_id
           WHERE v.task_force_unit_id = ANY($1::bigint[])
             AND ($2::date IS NULL OR v.recorded_on >= $2) AND ($3::date IS NULL OR v.recorded_on <= $3)
           GROUP BY v.task_force_unit_id, m.id ORDER BY m.code""", unit_ids, date_from, date_to)
    return rows


_PLACEMENT = """SELECT pl.*, sp.name AS program_name, tu.name AS task_force_name, c.name AS cadre_name,
  hu.name AS home_unit_name
  FROM secondment_placements pl JOIN secondment_programs sp ON sp.id = pl.program_id
  JOIN units tu ON tu.id = pl.task_force_unit_id JOIN units hu ON hu.id = pl.home_unit_id
  JOIN cadres c ON c.id = pl.cadre_id JOIN units cu ON cu.id = c.unit_id"""


async def placements(conn: asyncpg.Connection, principal: Principal, program_id: int | None,
                     cadre_id: int | None, placement_id: int | None, limit: int = 1000,
                     offset: int = 0, lock: bool = False) -> tuple[list[asyncpg.Record], int]:
    """Placements of cadres the caller may read, filtered, and their total."""
    where = f"""{access.cadre_visible(principal, "c", "cu", 1)}
      AND ($2::bigint IS NULL OR pl.program_id = $2) AND ($3::bigint IS NULL OR pl.cadre_id = $3)
      AND ($4::bigint IS NULL OR pl.id = $4)"""
    args = (principal.user_id, program_id, cadre_id, placement_id)
    total: int = await conn.fetchval(f"""SELECT count(*) FROM secondment_placements pl
        JOIN cadres c ON c.id = pl.cadre_id JOIN units cu ON cu.id = c.unit_id WHERE {where}""", *args)
    sql = f"{_PLACEMENT} WHERE {where} ORDER BY pl.starts_on, pl.id LIMIT $5 OFFSET $6"
    if lock:
        sql += " FOR UPDATE OF pl"
    rows = await conn.fetch(sql, *args, limit, offset)
    return rows, total


async def attributed(conn: asyncpg.Connection, placement_ids: list[int]) -> list[asyncpg.Record]:
    """Metric sums credited to each placement (values of its task force dated within it)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT pl.id AS placement_id, m.code, m.name, m.unit_label, sum(v.value) AS value
           FROM secondment_placements pl
           JOIN task_force_metric_values v ON v.task_force_unit_id = pl.task_force_unit_id
             AND v.recorded_on BETWEEN pl.starts_on AND pl.ends_on
           JOIN task_force_metrics m ON m.id = v.metric_id
           WHERE pl.id = ANY($1::bigint[]) GROUP BY pl.id, m.id ORDER BY pl.id, m.code""", placement_ids)
    return rows


async def lock_cadre_placements(conn: asyncpg.Connection, cadre_id: int) -> None:
    """Serialize placement changes of one cadre, so overlap checks cannot race."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", (0x53 << 56) | cadre_id)


async def overlapping(conn: asyncpg.Connection, cadre_id: int, starts_on: Any, ends_on: Any,
                      except_id: int | None = None) -> asyncpg.Record | None:
    """Another placement of the cadre sharing a day with the range."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT pl.id, sp.name AS program_name, pl.starts_on, pl.ends_on FROM secondment_placements pl
           JOIN secondment_programs sp ON sp.id = pl.program_id
           WHERE pl.cadre_id = $1 AND pl.starts_on <= $3 AND pl.ends_on >= $2
             AND pl.id IS DISTINCT FROM $4 LIMIT 1""", cadre_id, starts_on, ends_on, except_id)
    return row


async def insert_placement(conn: asyncpg.Connection, program_id: int, data: dict[str, Any],
                           user_id: int) -> int:
    """Create a placement."""
    pid: int = await conn.fetchval(
        """INSERT INTO secondment_placements (program_id, task_force_unit_id, cadre_id, home_unit_id,
             home_post, role, starts_on, ends_on, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id""",
        program_id, data["task_force_unit_id"], data["cadre_id"], data["home_unit_id"], data["home_post"],
        data["role"], data["starts_on"], data["ends_on"], user_id)
    return pid


async def update_placement(conn: asyncpg.Connection, pid: int, version: int, role: str, starts_on: Any,
                           ends_on: Any) -> bool:
    """Change dates and role if still at the given version."""
    done = await conn.fetchval(
        """UPDATE secondment_placements SET role = $3, starts_on = $4, ends_on = $5,
             version = version + 1, updated_at = now() WHERE id = $1 AND version = $2 RETURNING true""",
        pid, version, role, starts_on, ends_on)
    return bool(done)


async def metrics(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every metric definition."""
    rows: list[asyncpg.Record] = await conn.fetch("SELECT * FROM task_force_metrics ORDER BY code")
    return rows


async def insert_metric(conn: asyncpg.Connection, data: dict[str, Any],
                        user_id: int) -> asyncpg.Record | None:
    """Define a metric; None when the code or name is taken."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """INSERT INTO task_force_metrics (code, name, unit_label, description, created_by)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING *""",
        data["code"], data["name"], data["unit_label"], data["description"], user_id)
    return row


async def values(conn: asyncpg.Connection, unit_id: int, keys: list[tuple[int, Any]]) -> dict[tuple[int, Any],
                                                                                             asyncpg.Record]:
    """Stored values of a task force for (metric id, day) keys, locked for update."""
    rows = await conn.fetch(
        """SELECT v.* FROM task_force_metric_values v JOIN unnest($2::bigint[], $3::date[]) AS k(m, d)
             ON v.metric_id = k.m AND v.recorded_on = k.d
           WHERE v.task_force_unit_id = $1 FOR UPDATE OF v""",
        unit_id, [k[0] for k in keys], [k[1] for k in keys])
    return {(r["metric_id"], r["recorded_on"]): r for r in rows}


async def insert_value(conn: asyncpg.Connection, unit_id: int, metric_id: int, day: Any, value: Any,
                       note: str, user_id: int) -> asyncpg.Record:
    """Store a new value."""
    row: asyncpg.Record = await conn.fetchrow(
        """INSERT INTO task_force_metric_values (task_force_unit_id, metric_id, recorded_on, value, note,
             updated_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, version""",
        unit_id, metric_id, day, value, note, user_id)
    return row


async def update_value(conn: asyncpg.Connection, value_id: int, value: Any, note: str,
                       user_id: int) -> asyncpg.Record:
    """Change a stored value."""
    row: asyncpg.Record = await conn.fetchrow(
        """UPDATE task_force_metric_values SET value = $2, note = $3, updated_by = $4,
             version = version + 1, updated_at = now() WHERE id = $1 RETURNING id, version""",
        value_id, value, note, user_id)
    return row


async def series(conn: asyncpg.Connection, unit_id: int, bucket: str, date_from: Any,
                 date_to: Any) -> list[asyncpg.Record]:
    """A task force's metrics summed per time bucket."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT m.code, m.name, m.unit_label, date_trunc($2, v.recorded_on)::date AS bucket_start,
             sum(v.value) AS value
           FROM task_force_metric_values v JOIN task_force_metrics m ON m.id = v.metric_id
           WHERE v.task_force_unit_id = $1
             AND ($3::date IS NULL OR v.recorded_on >= $3) AND ($4::date IS NULL OR v.recorded_on <= $4)
           GROUP BY m.id, bucket_start ORDER BY m.code, bucket_start""", unit_id, bucket, date_from, date_to)
    return rows


async def task_force_readable(conn: asyncpg.Connection, principal: Principal,
                              unit_id: int) -> asyncpg.Record | None:
    """A task force unit the caller may read metrics of: in scope, or in a readable programme."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""SELECT u.id, u.name FROM units u WHERE u.id = $1 AND u.kind = 'task_force' AND
            ({units_readable(principal, 'ARRAY[u.id]', 2)} OR EXISTS (
              SELECT 1 FROM secondment_task_forces t JOIN secondment_programs sp ON sp.id = t.program_id
              WHERE t.unit_id = u.id AND {program_visible(principal, 2)}))""", unit_id, principal.user_id)
    return row
