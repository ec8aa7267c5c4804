"""The batch export worker: an asyncio task in every service process.

Jobs are claimed with FOR UPDATE SKIP LOCKED and held by a lease that each finished PDF
extends. A process that dies leaves its lease to run out; another process then claims
the job and builds the zip again from the start. A clean shutdown hands jobs back at once.
"""

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Final

import asyncpg

from schemas.common import Role
from service.access.roles import OFFICE
from service.auth import repo as auth_repo
from service.config import Settings
from service.errors import DomainError
from service.exports import repo
from service.exports.batch import BatchAborted, finalize, write_dossier_zip
from service.exports.jobs import zip_path
from service.principal import Principal

log = logging.getLogger("cadre.exports")
CHANNEL: Final = "cadre_exports"
LEASE_S: Final = 120.0
POLL_S: Final = 5.0
MAX_ATTEMPTS: Final = 3


class ExportWorker:
    """Claims and runs batch export jobs of one service process."""

    def __init__(self, pool: asyncpg.Pool, settings: Settings, lease_s: float = LEASE_S) -> None:
        self.pool = pool
        self.settings = settings
        self.lease_s = lease_s
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.wakeup = asyncio.Event()

    async def _principal(self, job: asyncpg.Record) -> Principal | None:
        """The requester as of now: still active and still allowed to export."""
        async with self.pool.acquire() as conn:
            user = await auth_repo.get_user(conn, job["requested_by"])
        if user is None or not user["active"] or Role(user["role"]) not in OFFICE:
            return None
        return Principal(user["id"], user["username"], user["display_name"], Role(user["role"]),
                         job["source_ip"])

    async def _progress(self, job_id: int, done: int, exported: int, not_found: list[int]) -> bool:
        async with self.pool.acquire() as conn:
            return await repo.record_progress(conn, job_id, self.owner, done, exported, not_found,
                                              self.lease_s)

    async def _fail(self, job: asyncpg.Record, error: str, retry: bool) -> None:
        async with self.pool.acquire() as conn:
            await repo.fail_job(conn, job["id"], self.owner, error,
                                retry and job["attempts"] < MAX_ATTEMPTS)

    async def process(self, job: asyncpg.Record) -> None:
        """Build one claimed job's zip and mark it done (or failed, or back in the queue)."""
        job_id: int = job["id"]
        principal = await self._principal(job)
        if principal is None:
            await self._fail(job, "导出人账号已停用或已无导出权限", retry=False)
            return
        out = zip_path(self.settings, job_id)

        async def progress(done: int, exported: int, not_found: list[int]) -> bool:
            return await self._progress(job_id, done, exported, not_found)

        try:
            outcome = await write_dossier_zip(
                self.pool, principal, settings=self.settings, cadre_ids=list(job["cadre_ids"]), out=out,
                job_id=job_id, progress=progress, part_suffix=f".{self.owner.rsplit(':', 1)[-1]}")
        except BatchAborted:
            log.warning("export job lease lost", extra={"job_id": job_id})
            return
        except DomainError as exc:  # e.g. no CJK font: retrying will not help
            await self._fail(job, exc.detail, retry=False)
            return
        except Exception as exc:
            log.exception("export job failed", extra={"job_id": job_id})
            await self._fail(job, f"导出失败：{type(exc).__name__}", retry=True)
            return
        async with self.pool.acquire() as conn, conn.transaction():
            # The row lock orders the rename with any other worker's claim of this job.
            if not await repo.lock_held_job(conn, job_id, self.owner):
                outcome.path.unlink(missing_ok=True)
                return
            await asyncio.to_thread(finalize, outcome, out)
            # What the zip holds depends on the role it was built as (an officer's: whole ID
            # numbers); the download is checked against it (jobs.open_download).
            await repo.finish_job(conn, job_id, self.owner, outcome.sha256, outcome.size,
                                  principal.role.value)
        log.info("export job done", extra={"job_id": job_id, "exported": len(outcome.entries)})

    async def run_once(self) -> bool:
        """Claim and run one job; False when none was waiting."""
        async with self.pool.acquire() as conn:
            job = await repo.claim_job(conn, self.owner, self.lease_s)
        if job is None:
            return False
        await self.process(job)
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """Run jobs until stopped; sleep until a new job is announced or the poll interval ends."""
        listener: asyncpg.Connection | None = None
        try:
            while not stop.is_set():
                try:
                    if listener is None or listener.is_closed():
                        listener = await asyncpg.connect(self.settings.database_url)
                        await listener.add_listener(CHANNEL, lambda *_: self.wakeup.set())
                    self.wakeup.clear()
                    if await self.run_once():
                        continue
                except (asyncpg.PostgresError, OSError):
                    log.warning("export worker cannot reach the database", exc_info=True)
                    listener = None
                except Exception:  # the loop must outlive any one job's surprise
                    log.exception("export worker error")
                await _wait_any(stop, self.wakeup, POLL_S)
        finally:
            if listener is not None:
                await listener.close()

    async def release(self) -> None:
        """Hand this worker's running jobs back to the queue."""
        async with self.pool.acquire() as conn:
            released = await repo.release_jobs(conn, self.owner)
        if released:
            log.info("export jobs released", extra={"count": released})


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()


async def _keep_running(worker: ExportWorker, stop: asyncio.Event) -> None:
    """Restart the loop with backoff should it ever die (it is this process's only worker)."""
    failures = 0
    while not stop.is_set():
        try:
            await worker.run(stop)
            return
        except Exception:
            failures += 1
            delay = min(60.0, 2.0 ** failures)
            log.critical("export worker died; restarting", exc_info=True,
                         extra={"restart_in_s": delay, "failures": failures})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)


def start_export_worker(pool: asyncpg.Pool, settings: Settings) -> Callable[[], Awaitable[None]]:
    """Start the worker task (app lifespan); returns the coroutine function that stops it."""
    worker = ExportWorker(pool, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(_keep_running(worker, stop), name="export-worker")

    async def stop_worker() -> None:
        stop.set()
        task.cancel()  # a running job is handed back below rather than finished
        with contextlib.suppress(asyncio.CancelledError):
            await task
        try:
            await worker.release()
        except (asyncpg.PostgresError, OSError):
            log.warning("could not release export jobs; their lease will run out", exc_info=True)

    return stop_worker
