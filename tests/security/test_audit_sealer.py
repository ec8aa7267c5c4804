"""The audit sealer: entries are written without a lock and linked into the chain after commit.

A sealer that dies mid-batch (a killed process, a cancelled task) leaves nothing half-linked;
the next sealer carries on from the committed head and every entry ends up in the chain once.
"""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from schemas.common import Role
from service.audit import repo
from service.audit.sealer import SEAL_LOCK, Sealer, seal_all, seal_batch, start_sealer
from service.audit.service import verify_chain
from service.config import Settings
from service.principal import Principal
from service.uow import audit_only, unit_of_work

ROOT_DIR = Path(__file__).resolve().parents[2]
PROBE = Principal(0, "sealer-probe", "封链测试", Role.admin)
DEADLINE_S = 60.0


async def _until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait for a condition (polling the database), failing after a generous deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE_S
    while not await check():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.05)


async def _entries(pool: asyncpg.Pool, n: int, tag: str) -> list[int]:
    for i in range(n):
        await audit_only(pool, PROBE, "test.seal", "probe", f"{tag}-{i}", {"i": i})
    rows = await pool.fetch("SELECT id FROM audit_log WHERE action = 'test.seal' AND object_id LIKE $1",
                            f"{tag}-%")
    return sorted(r["id"] for r in rows)


async def _links(pool: asyncpg.Pool, ids: list[int]) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await pool.fetch(
        "SELECT seq, entry_id FROM audit_chain WHERE entry_id = ANY($1::bigint[]) ORDER BY seq", ids)
    return rows


async def _queued(pool: asyncpg.Pool, ids: list[int]) -> int:
    n: int = await pool.fetchval(
        "SELECT count(*) FROM audit_unsealed WHERE entry_id = ANY($1::bigint[])", ids)
    return n


async def _chain_is_contiguous(pool: asyncpg.Pool) -> None:
    row = await pool.fetchrow("SELECT count(*) AS n, count(DISTINCT entry_id) AS d, max(seq) AS top "
                              "FROM audit_chain")
    assert row["n"] == row["d"] == row["top"], dict(row)


@asynccontextmanager
async def _sealing_blocked(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """Hold a lock that stops any sealer at its INSERT of links, i.e. in the middle of a batch."""
    async with pool.acquire() as conn:
        tr = conn.transaction()
        await tr.start()
        await conn.execute("LOCK TABLE audit_chain IN SHARE MODE")
        try:
            yield conn
        finally:
            await tr.rollback()


async def _sealer_waiting_pid(pool: asyncpg.Pool) -> int | None:
    """The backend of a sealer that holds the sealing lock and waits at its INSERT of links."""
    pid: int | None = await pool.fetchval(
        """SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
           WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted
             AND a.wait_event_type = 'Lock' AND a.query LIKE '%INSERT INTO audit_chain%'""",
        SEAL_LOCK)
    return pid


async def test_requests_queue_entries_and_the_sealer_links_them_in_id_order(pool: asyncpg.Pool) -> None:
    ids = await _entries(pool, 5, "order")
    assert await _queued(pool, ids) == 5
    assert await _links(pool, ids) == []
    await seal_all(pool)
    links = await _links(pool, ids)
    assert [r["entry_id"] for r in links] == ids
    assert [r["seq"] for r in links] == list(range(links[0]["seq"], links[0]["seq"] + 5))
    assert await _queued(pool, ids) == 0
    async with pool.acquire() as conn:
        report = await verify_chain(conn)
    assert report.ok and report.unsealed == 0, report


async def test_one_transaction_with_several_entries_writes_them_all(pool: asyncpg.Pool) -> None:
    async with unit_of_work(pool, PROBE) as uow:
        for i in range(3):
            uow.audit("test.seal.multi", "probe", f"multi-{i}", {"i": i})
    rows = await pool.fetch("SELECT id, object_id FROM audit_log WHERE action = 'test.seal.multi' "
                            "ORDER BY id")
    assert [r["object_id"] for r in rows] == ["multi-0", "multi-1", "multi-2"]
    await seal_all(pool)
    assert len(await _links(pool, [r["id"] for r in rows])) == 3


async def test_unsealed_tail_is_verified_and_counted(pool: asyncpg.Pool) -> None:
    await seal_all(pool)
    ids = await _entries(pool, 3, "tail")
    async with pool.acquire() as conn:
        report = await verify_chain(conn)
        assert report.ok and report.unsealed == 3
        tr = conn.transaction()
        await tr.start()
        try:
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("""UPDATE audit_log SET details = '{"i": 7}' WHERE id = $1""", ids[1])
            tampered = await verify_chain(conn)
            assert not tampered.ok and tampered.broken_id == ids[1] and "篡改" in tampered.reason
        finally:
            await tr.rollback()
    await seal_all(pool)


async def test_concurrent_requests_and_competing_sealers_chain_every_entry_once(
        pool: asyncpg.Pool) -> None:
    sealers = [Sealer(pool, interval_s=0.01) for _ in range(3)]
    stop = asyncio.Event()

    async def keep_sealing(s: Sealer) -> None:
        while not stop.is_set():
            await s.step()
            await asyncio.sleep(0)

    tasks = [asyncio.create_task(keep_sealing(s)) for s in sealers]
    try:
        await asyncio.gather(*(audit_only(pool, PROBE, "test.seal.race", "probe", f"race-{i}", {"i": i})
                               for i in range(60)))
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    await seal_all(pool)
    ids = [r["id"] for r in await pool.fetch("SELECT id FROM audit_log WHERE action = 'test.seal.race'")]
    assert len(ids) == 60
    assert sorted(r["entry_id"] for r in await _links(pool, ids)) == sorted(ids)
    await _chain_is_contiguous(pool)
    async with pool.acquire() as conn:
        assert (await verify_chain(conn)).ok


async def test_sealer_process_killed_mid_batch_loses_and_mischains_nothing(
        pool: asyncpg.Pool, database_url: str) -> None:
    await seal_all(pool)
    before = await _entries(pool, 20, "kill-a")
    env = {**os.environ, "CADRE_DATABASE_URL": database_url, "CADRE_ENV": "test",
           "CADRE_AUDIT_SEAL_INTERVAL_S": "0.05", "PYTHONPATH": str(ROOT_DIR)}
    async with _sealing_blocked(pool):
        proc = subprocess.Popen([sys.executable, "-m", "service.audit.sealer"], cwd=ROOT_DIR, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            await _until(lambda: _is_waiting(pool), "the sealer process holds the lock mid-batch")
            backend = await _sealer_waiting_pid(pool)
        finally:
            proc.send_signal(signal.SIGKILL)
            await asyncio.to_thread(proc.wait, 30)
    # Released: the orphaned backend finds its client gone and rolls the batch back.
    await _until(lambda: _backend_gone(pool, backend), "the killed sealer's backend ends")
    assert await _links(pool, before) == [] and await _queued(pool, before) == 20
    during = await _entries(pool, 5, "kill-b")
    async with pool.acquire() as conn:
        report = await verify_chain(conn)
    assert report.ok and report.unsealed >= 25
    await seal_all(pool)
    links = await _links(pool, before + during)
    assert [r["entry_id"] for r in links] == sorted(before + during)
    await _chain_is_contiguous(pool)
    async with pool.acquire() as conn:
        after = await verify_chain(conn)
    assert after.ok and after.unsealed == 0, after


async def _is_waiting(pool: asyncpg.Pool) -> bool:
    return await _sealer_waiting_pid(pool) is not None


async def _backend_gone(pool: asyncpg.Pool, pid: int | None) -> bool:
    return not await pool.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid)


async def test_sealer_task_cancelled_mid_batch_commits_nothing(pool: asyncpg.Pool) -> None:
    await seal_all(pool)
    ids = await _entries(pool, 4, "cancel")
    async with _sealing_blocked(pool), pool.acquire() as conn:
        task = asyncio.create_task(seal_batch(conn, wait=True))
        await _until(lambda: _is_waiting(pool), "the sealer task holds the lock mid-batch")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert await _links(pool, ids) == [] and await _queued(pool, ids) == 4
    await seal_all(pool)
    assert [r["entry_id"] for r in await _links(pool, ids)] == ids
    await _chain_is_contiguous(pool)


async def test_service_sealer_task_seals_within_its_interval_and_writes_checkpoints(
        pool: asyncpg.Pool, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.jsonl"
    live = settings.model_copy(update={"audit_seal_interval_s": 0.05, "audit_checkpoint_interval_s": 0.0,
                                       "audit_checkpoint_file": path})
    stop = start_sealer(pool, live)
    try:
        ids = await _entries(pool, 3, "task")

        async def sealed() -> bool:
            return len(await _links(pool, ids)) == 3

        await _until(sealed, "the service's sealer task links the entries")
        head = await pool.fetchrow("SELECT seq, entry_id FROM audit_chain ORDER BY seq DESC LIMIT 1")

        # The links may commit in more than one round; the checkpoint of the last one follows it.
        async def checkpointed() -> bool:
            return path.exists() and f'"seq": {head["seq"]}' in path.read_text()

        await _until(checkpointed, "the sealer task checkpoints the chain head")
    finally:
        await stop()
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert oct(path.parent.stat().st_mode & 0o777) == oct(0o700)


async def test_chain_head_is_genesis_linked(pool: asyncpg.Pool) -> None:
    await _entries(pool, 1, "genesis")
    await seal_all(pool)
    first = await pool.fetchrow("SELECT prev_hash, entry_id FROM audit_chain WHERE seq = 1")
    assert first["prev_hash"] == repo.GENESIS
