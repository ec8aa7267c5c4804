"""SQL of the readiness checks: backlog, export queue, live indexers (advisory locks)."""

import asyncpg

# Every running indexer holds this advisory lock (shared) on its LISTEN connection, so the
# lock's holders are exactly the live indexers, and a dead one disappears with its connection.
INDEXER_LOCK = (0x63616472, 1)  # ("cadr", 1)


async def outbox_backlog(conn: asyncpg.Connection) -> asyncpg.Record:
    """Pending outbox rows, the age of the oldest in seconds, and rows that failed at least once."""
    row: asyncpg.Record = await conn.fetchrow(
        """SELECT count(*) AS pending,
                  coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest_s,
                  count(*) FILTER (WHERE attempts > 0) AS failing
           FROM outbox WHERE done_at IS NULL""")
    return row


async def export_queue(conn: asyncpg.Connection) -> asyncpg.Record:
    """Queued and running export jobs, and the age of the oldest queued one in seconds."""
    row: asyncpg.Record = await conn.fetchrow(
        """SELECT count(*) FILTER (WHERE status = 'queued') AS queued,
                  count(*) FILTER (WHERE status = 'running') AS running,
                  coalesce(extract(epoch FROM now() - min(created_at)
                           FILTER (WHERE status = 'queued')), 0)::float8 AS oldest_queued_s
           FROM export_jobs WHERE status IN ('queued', 'running')""")
    return row


async def live_indexers(conn: asyncpg.Connection) -> int:
    """How many indexer processes are connected to this database right now."""
    count: int = await conn.fetchval(
        """SELECT count(*) FROM pg_locks
           WHERE locktype = 'advisory' AND granted AND classid = $1::int::oid
             AND objid = $2::int::oid AND objsubid = 2
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())""",
        *INDEXER_LOCK)
    return count


async def hold_indexer_lock(conn: asyncpg.Connection) -> None:
    """Mark this connection's process as a live indexer until the connection closes."""
    await conn.execute("SELECT pg_advisory_lock_shared($1, $2)", *INDEXER_LOCK)
