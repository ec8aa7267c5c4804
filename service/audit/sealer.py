"""The audit sealer: links committed entries into the hash chain, in batches, off the request path.

Requests insert their entries (with content hashes) and queue rows without any lock. One sealer
at a time — whoever holds the transaction-scoped advisory lock — reads the chain head, links the
oldest queued entries in id order, and commits links and dequeue together: a sealer killed
mid-batch leaves nothing half-linked, and the next one carries on from the committed head.
Every process that runs the service also runs this loop (leader election per batch), or it
runs alone as `python -m service.audit.sealer`.

    python -m service.audit.sealer            # settings from CADRE_* (database, checkpoint key)
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg

from schemas import clock
from service.audit import checkpoints, repo
from service.config import Settings

log = logging.getLogger("cadre.audit.sealer")

SEAL_LOCK = 7461627  # advisory lock key: at most one sealing transaction at a time
BATCH = 1000


async def seal_batch(conn: asyncpg.Connection, *, limit: int = BATCH, wait: bool = False) -> int:
    """Link up to `limit` queued entries into the chain in one transaction; how many were linked.

    Returns 0 at once when another sealer holds the lock (unless `wait`).
    """
    async with conn.transaction():
        if not await repo.try_seal_lock(conn, SEAL_LOCK, wait):
            return 0
        rows = await repo.pending(conn, limit)
        if not rows:
            return 0
        seq, prev = await repo.chain_head(conn)
        seqs, ids, prevs, hashes = [], [], [], []
        for row in rows:
            seq += 1
            link = repo.chain_hash(prev, row["content_hash"])
            seqs.append(seq)
            ids.append(row["entry_id"])
            prevs.append(prev)
            hashes.append(link)
            prev = link
        await repo.link(conn, seqs, ids, prevs, hashes)
    return len(rows)


async def seal_all(pool: asyncpg.Pool) -> int:
    """Seal everything queued now, waiting for a running sealer if need be (tools and tests)."""
    total = 0
    async with pool.acquire() as conn:
        while n := await seal_batch(conn, wait=True):
            total += n
    return total


async def write_checkpoint(pool: asyncpg.Pool, signer: checkpoints.Signer,
                           path: Path) -> checkpoints.Checkpoint | None:
    """Sign the current chain head and append it to the checkpoint file (None for an empty chain)."""
    async with pool.acquire() as conn:
        head = await repo.head_entry(conn)
    if head is None:
        return None
    cp = signer.sign(seq=head["seq"], entry_id=head["entry_id"], hash=head["hash"], at=clock.now())
    await asyncio.to_thread(checkpoints.append, path, cp)
    return cp


class Sealer:
    """The sealing loop of one process: poll, seal while there is work, checkpoint now and then."""

    def __init__(self, pool: asyncpg.Pool, *, interval_s: float,
                 signer: checkpoints.Signer | None = None, checkpoint_path: Path | None = None,
                 checkpoint_every_s: float = 60.0,
                 monotonic: Callable[[], float] | None = None) -> None:
        self.pool = pool
        self.interval_s = interval_s
        self.signer = signer
        self.checkpoint_path = checkpoint_path
        self.checkpoint_every_s = checkpoint_every_s
        self._monotonic = monotonic or asyncio.get_running_loop().time
        self._last_checkpoint = self._monotonic()
        self._checkpointed_seq = -1

    async def step(self) -> int:
        """One round: seal every queued entry this process can (0 if another sealer leads)."""
        total = 0
        async with self.pool.acquire() as conn:
            while n := await seal_batch(conn):
                total += n
                if n < BATCH:
                    break
        await self._maybe_checkpoint()
        return total

    async def _maybe_checkpoint(self) -> None:
        if self.signer is None or self.checkpoint_path is None:
            return
        if self._monotonic() - self._last_checkpoint < self.checkpoint_every_s:
            return
        self._last_checkpoint = self._monotonic()
        async with self.pool.acquire() as conn:
            head = await repo.head_entry(conn)
        if head is None or head["seq"] == self._checkpointed_seq:
            return
        cp = await write_checkpoint(self.pool, self.signer, self.checkpoint_path)
        if cp is not None:
            self._checkpointed_seq = cp.seq

    async def run(self) -> None:
        """Seal until cancelled; database errors are logged and retried at the next round."""
        while True:
            try:
                await self.step()
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                log.warning("audit sealer round failed: %s", exc)
            await asyncio.sleep(self.interval_s)


def sealer_of(pool: asyncpg.Pool, settings: Settings) -> Sealer:
    """A sealer configured from settings (interval, checkpoint key, file and period)."""
    return Sealer(pool, interval_s=settings.audit_seal_interval_s, signer=signer_of(settings),
                  checkpoint_path=settings.audit_checkpoint_path,
                  checkpoint_every_s=settings.audit_checkpoint_interval_s)


def start_sealer(pool: asyncpg.Pool, settings: Settings) -> Callable[[], Awaitable[None]]:
    """Run the sealer as a task of this process (app lifespan); returns the coroutine that stops it."""
    task = asyncio.create_task(sealer_of(pool, settings).run(), name="audit-sealer")

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return stop


def signer_of(settings: Settings) -> checkpoints.Signer | None:
    """The checkpoint signer of the settings, if a key is configured."""
    key = settings.audit_signing_key
    return checkpoints.Signer(key.get_secret_value()) if key is not None else None


async def _main() -> None:
    from service.config import get_settings
    from service.db import create_pool

    settings = get_settings()
    clock.configure(settings.business_tz)
    if not settings.database_url:
        raise SystemExit("CADRE_DATABASE_URL 未设置")
    pool = await create_pool(settings.database_url, 1, 2)
    try:
        await sealer_of(pool, settings).run()
    finally:
        await pool.close()


if __name__ == "__main__":
    from service.logging_setup import configure_logging

    configure_logging(logging.INFO)
    asyncio.run(_main())
