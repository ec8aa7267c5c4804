"""SQL for export serials, the exports register and batch export jobs."""

from datetime import datetime
from typing import Any

import asyncpg

JOB_COLUMNS = """id, requested_by, kind, cadre_ids, source, source_ip, status, total, done, exported,
  not_found, attempts, lease_owner, lease_until, zip_sha256, zip_size, error, created_at, started_at,
  finished_at, built_as"""


async def next_serial_number(conn: asyncpg.Connection) -> int:
    """Draw the next export serial number (never reused, even if the export fails)."""
    n: int = await conn.fetchval("SELECT nextval('export_serial_seq')")
    return n


async def insert_export(conn: asyncpg.Connection, serial: str, user_id: int, kind: str,
                        object_ids: list[int], sha256: str, size: int, job_id: int | None,
                        created_at: datetime) -> int:
    """Register one exported document."""
    export_id: int = await conn.fetchval(
        """INSERT INTO exports (serial, user_id, kind, object_ids, sha256, size_bytes, job_id,
                                created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id""",
        serial, user_id, kind, object_ids, sha256, size, job_id, created_at,
    )
    return export_id


async def insert_job(conn: asyncpg.Connection, user_id: int, cadre_ids: list[int],
                     source: dict[str, Any], source_ip: str | None) -> asyncpg.Record:
    """Queue a batch export job and wake the workers (the notification is sent at commit)."""
    row: asyncpg.Record = await conn.fetchrow(
        f"""INSERT INTO export_jobs (requested_by, cadre_ids, total, source, source_ip)
            VALUES ($1, $2, cardinality($2::bigint[]), $3, $4) RETURNING {JOB_COLUMNS}""",
        user_id, cadre_ids, source, source_ip,
    )
    await conn.execute("SELECT pg_notify('cadre_exports', '')")
    return row


async def job_of_owner(conn: asyncpg.Connection, job_id: int, user_id: int) -> asyncpg.Record | None:
    """A job, only if the user requested it."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {JOB_COLUMNS} FROM export_jobs WHERE id = $1 AND requested_by = $2",
        job_id, user_id,
    )
    return row


async def claim_job(conn: asyncpg.Connection, owner: str, lease_s: float) -> asyncpg.Record | None:
    """Take the oldest queued job, or one whose holder's lease ran out, and start it afresh."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""UPDATE export_jobs SET status = 'running', lease_owner = $1,
              lease_until = now() + make_interval(secs => $2), attempts = attempts + 1,
              started_at = coalesce(started_at, now()), done = 0, exported = 0, not_found = '{{}}'
            WHERE id = (SELECT id FROM export_jobs
                        WHERE status = 'queued' OR (status = 'running' AND lease_until < now())
                        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING {JOB_COLUMNS}""",
        owner, lease_s,
    )
    return row


async def record_progress(conn: asyncpg.Connection, job_id: int, owner: str, done: int,
                          exported: int, not_found: list[int], lease_s: float) -> bool:
    """Save progress and extend the lease; False if this worker no longer holds the job."""
    ok = await conn.fetchval(
        """UPDATE export_jobs SET done = $3, exported = $4, not_found = $5,
             lease_until = now() + make_interval(secs => $6)
           WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING true""",
        job_id, owner, done, exported, not_found, lease_s,
    )
    return bool(ok)


async def finish_job(conn: asyncpg.Connection, job_id: int, owner: str, zip_sha256: str,
                     zip_size: int, built_as: str) -> bool:
    """Mark a job done with its zip and the role it was built as; False if this worker no longer
    holds the job."""
    ok = await conn.fetchval(
        """UPDATE export_jobs SET status = 'done', zip_sha256 = $3, zip_size = $4, error = NULL,
             finished_at = now(), lease_owner = NULL, lease_until = NULL, built_as = $5
           WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING true""",
        job_id, owner, zip_sha256, zip_size, built_as,
    )
    return bool(ok)


async def fail_job(conn: asyncpg.Connection, job_id: int, owner: str, error: str,
                   retry: bool) -> None:
    """Give a job back to the queue for another attempt, or fail it for good."""
    await conn.execute(
        """UPDATE export_jobs SET status = CASE WHEN $4 THEN 'queued' ELSE 'failed' END,
             error = $3, finished_at = CASE WHEN $4 THEN NULL ELSE now() END,
             lease_owner = NULL, lease_until = NULL
           WHERE id = $1 AND lease_owner = $2 AND status = 'running'""",
        job_id, owner, error[:2000], retry,
    )


async def release_jobs(conn: asyncpg.Connection, owner: str) -> int:
    """Put this worker's running jobs back in the queue (a clean shutdown)."""
    rows = await conn.fetch(
        """UPDATE export_jobs SET status = 'queued', lease_owner = NULL, lease_until = NULL,
             attempts = greatest(attempts - 1, 0)
           WHERE lease_owner = $1 AND status = 'running' RETURNING id""",
        owner,
    )
    return len(rows)



async def lock_held_job(conn: asyncpg.Connection, job_id: int, owner: str) -> bool:
    """Lock the job row if this worker still holds its lease (orders a rename with another claim)."""
    return bool(await conn.fetchval(
        "SELECT true FROM export_jobs WHERE id = $1 AND lease_owner = $2 FOR UPDATE", job_id, owner))
