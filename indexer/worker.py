"""The outbox loop: claim rows, re-read current state, upsert or delete, mark done on success.

Ordering across indexers: each entity is processed under a transaction-scoped advisory
lock, held until its Meilisearch task has succeeded and its rows are marked done, so two
indexers never enqueue documents of one entity out of order.
"""

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import meilisearch
from meilisearch.errors import MeilisearchCommunicationError, MeilisearchTimeoutError

from indexer import documents
from indexer.client import live_index, wait
from service.config import Settings
from service.health.repo import hold_indexer_lock

log = logging.getLogger("cadre.indexer")
TYPE_CODES = {"cadre": 1, "record": 2, "evidence": 3}
CHANNEL = "cadre_outbox"
# How often an idle indexer makes sure its LISTEN connection is still there.
LISTENER_CHECK_S = 10.0


def lock_key(entity_type: str, entity_id: int) -> int:
    """The advisory lock key of one entity."""
    return (TYPE_CODES[entity_type] << 56) | entity_id


@dataclass
class _Batch:
    """A claimed batch: its connection and open transaction, rows, and the Meilisearch task."""

    conn: asyncpg.Connection
    tx: Any
    claimed: list[int]
    done_ids: list[int] = field(default_factory=list)
    task_uid: int | None = None


class Worker:
    """One indexer process's outbox consumer."""

    def __init__(self, pool: asyncpg.Pool, client: meilisearch.Client, settings: Settings,
                 batch: int = 500, depth: int | None = None) -> None:
        self.pool = pool
        self.client = client
        self.settings = settings
        self.batch = batch
        # Batches out at once; each holds a pool connection until its task has succeeded, and
        # claiming the next needs one more.
        self.depth = depth or settings.indexer_depth
        self.wakeup = asyncio.Event()
        self.failures = 0

    async def _meili(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    async def process_once(self) -> int:
        """Handle one batch; returns how many outbox rows were completed."""
        batch = await self._start()
        return 0 if batch is None else await self._finish(batch)

    async def _start(self) -> _Batch | None:
        """Claim a batch, build its documents and send them; the transaction stays open.

        None when nothing was ready. The rows and entity locks are held until _finish."""
        conn = await self.pool.acquire()
        tx = conn.transaction()
        claimed: list[int] = []
        try:
            await tx.start()
            rows = await conn.fetch(
                """SELECT id, entity_type, entity_id FROM outbox
                   WHERE done_at IS NULL AND available_at <= now()
                   ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED""", self.batch)
            if not rows:
                await tx.commit()
                await self.pool.release(conn)
                return None
            claimed = [r["id"] for r in rows]
            return await self._send(_Batch(conn, tx, claimed), rows)
        except BaseException as exc:
            await self._abort(conn, tx, claimed, exc)
            raise

    async def _finish(self, batch: _Batch) -> int:
        """Wait for the batch's Meilisearch task, mark its rows done and commit."""
        try:
            if batch.task_uid is not None:
                # Tasks of one index run in order, so the last one succeeding covers the batch.
                await self._meili(wait, self.client, batch.task_uid, 60.0)
            await batch.conn.execute(
                "UPDATE outbox SET done_at = now(), task_uid = $2 WHERE id = ANY($1)",
                batch.done_ids, batch.task_uid)
            await batch.tx.commit()
        except BaseException as exc:
            await self._abort(batch.conn, batch.tx, batch.claimed, exc)
            raise
        await self.pool.release(batch.conn)
        return len(batch.done_ids)

    async def _abort(self, conn: asyncpg.Connection, tx: Any, claimed: list[int],
                     exc: BaseException) -> None:
        try:
            await tx.rollback()
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            pass
        await self.pool.release(conn)
        # An unreachable service is not the rows' fault: retried by the loop without a mark.
        if isinstance(exc, Exception) and not isinstance(exc, (
                asyncpg.PostgresError, OSError, MeilisearchCommunicationError,
                MeilisearchTimeoutError)):
            await self._record_failure(claimed, exc)

    async def _send(self, batch: _Batch, rows: list[asyncpg.Record]) -> _Batch:
        conn = batch.conn
        wanted = list(dict.fromkeys((r["entity_type"], r["entity_id"]) for r in rows))
        # Another indexer (or one of this one's batches still in Meilisearch) holds an entity:
        # leave its rows for later, in order. One round trip for the whole batch.
        got = {r["k"] for r in await conn.fetch(
            "SELECT k FROM unnest($1::bigint[]) AS u(k) WHERE pg_try_advisory_xact_lock(k)",
            [lock_key(t, i) for t, i in wanted])}
        entities: dict[str, list[int]] = {}
        for t, i in wanted:
            ids = entities.setdefault(t, [])
            if lock_key(t, i) in got:
                ids.append(i)
        pairs = [(t, i) for t, ids in entities.items() for i in ids]
        if not pairs:
            return batch
        # Every pending row of a locked entity is covered by the state read below.
        batch.done_ids = [r["id"] for r in await conn.fetch(
            """SELECT o.id FROM outbox o JOIN unnest($1::text[], $2::bigint[]) AS e(t, i)
                 ON o.entity_type = e.t AND o.entity_id = e.i
               WHERE o.done_at IS NULL FOR UPDATE OF o SKIP LOCKED""",
            [p[0] for p in pairs], [p[1] for p in pairs])]
        upserts: list[dict[str, Any]] = []
        deletes: list[str] = []
        for entity_type, ids in entities.items():
            if not ids:
                continue
            docs = await documents.build(conn, entity_type, ids)
            upserts += docs.values()
            deletes += [f"{entity_type}-{i}" for i in ids if i not in docs]
        index = live_index(self.client, self.settings)
        if upserts:
            batch.task_uid = (await self._meili(index.add_documents, upserts, "id")).task_uid
        if deletes:
            batch.task_uid = (await self._meili(index.delete_documents, deletes)).task_uid
        return batch

    async def _record_failure(self, claimed: list[int], exc: Exception) -> None:
        if not claimed:
            return
        try:
            await self.pool.execute(
                """UPDATE outbox SET attempts = attempts + 1, last_error = $2,
                     available_at = now() + least(make_interval(secs => power(2, attempts)),
                                                  interval '5 minutes')
                   WHERE id = ANY($1) AND done_at IS NULL""",
                claimed, repr(exc)[:2000])
        except (asyncpg.PostgresError, OSError):
            log.exception("could not record indexing failure")

    async def _listen(self) -> asyncpg.Connection:
        """A connection that LISTENs for commits and marks this process as a live indexer."""
        conn = await asyncpg.connect(self.settings.database_url,
                                     server_settings={"application_name": "cadre-indexer"})
        try:
            await conn.add_listener(CHANNEL, lambda *_: self.wakeup.set())
            # A lost connection wakes the loop too, which then reconnects and LISTENs again.
            conn.add_termination_listener(lambda *_: self.wakeup.set())
            await hold_indexer_lock(conn)
        except BaseException:
            conn.terminate()
            raise
        self.wakeup.set()  # changes committed while nobody listened are picked up at once
        log.info("indexer listening", extra={"channel": CHANNEL})
        return conn

    async def _listener_alive(self, conn: asyncpg.Connection) -> bool:
        if conn.is_closed():
            return False
        try:
            async with asyncio.timeout(5):
                await conn.fetchval("SELECT 1")
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            return False
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """Loop until stopped: drain the outbox, then wait for a notification or the poll interval.

        Up to `depth` batches may be out at once: whatever is committed is claimed, built and sent
        at once, without waiting for the batches ahead of it (Meilisearch processes one index's
        tasks in order and batches the queued ones together), so a commit waits for the batch
        Meilisearch is processing and its own, not for every round trip ahead of it. Each batch
        keeps its rows and entity locks until its own task has succeeded, so order per entity is
        kept (an entity of a batch in flight is left for a later batch).

        The LISTEN connection is re-opened (and LISTEN re-issued) whenever it is lost, e.g. after
        PostgreSQL restarts, so notifications resume instead of falling back to polling."""
        listener: asyncpg.Connection | None = None
        checked = time.monotonic()
        inflight: deque[asyncio.Task[int]] = deque()
        try:
            while not stop.is_set():
                try:
                    if listener is None or time.monotonic() - checked > LISTENER_CHECK_S:
                        checked = time.monotonic()
                        if listener is None or not await self._listener_alive(listener):
                            if listener is not None:
                                log.warning("indexer lost its LISTEN connection; reconnecting")
                                listener.terminate()
                                listener = None
                            listener = await self._listen()
                    while inflight and inflight[0].done():
                        await inflight.popleft()  # raises what the batch raised
                    self.wakeup.clear()
                    if len(inflight) < self.depth:
                        batch = await self._start()
                        if batch is not None and batch.done_ids:
                            inflight.append(asyncio.create_task(self._finish(batch)))
                            self.failures = 0
                            continue
                        if batch is not None:
                            await self._finish(batch)  # every entity was locked: release the claim
                    if inflight:
                        # What is left may be the entities of a batch in flight (or all batches
                        # are out): go on when the oldest is done or something new is committed.
                        await _wait_any(stop, self.wakeup, self.settings.indexer_poll_s, inflight[0])
                        self.failures = 0
                        continue
                    self.failures = 0
                except Exception:
                    self.failures += 1
                    delay = min(5.0, 0.25 * 2 ** min(self.failures, 5))
                    log.warning("indexing failed; retrying", extra={"delay_s": delay},
                                exc_info=True)
                    if listener is not None and listener.is_closed():
                        listener = None
                    await _sleep_or_stop(stop, delay)
                    continue
                await _wait_any(stop, self.wakeup, self.settings.indexer_poll_s)
                if listener is not None and listener.is_closed():
                    checked = 0.0  # reconnect on the next turn
        finally:
            while inflight:
                try:
                    await inflight.popleft()
                except Exception:
                    log.warning("a last batch failed; its rows stay queued", exc_info=True)
            if listener is not None:
                await listener.close()

    async def drain(self) -> int:
        """Process until nothing is ready (tests and the CLI use this)."""
        total = 0
        while handled := await self.process_once():
            total += handled
        return total


async def _sleep_or_stop(stop: asyncio.Event, delay: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), delay)
    except TimeoutError:
        pass


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, seconds: float,
                    task: "asyncio.Task[int] | None" = None) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait([*waiters, *([task] if task else [])], timeout=seconds,
                           return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
