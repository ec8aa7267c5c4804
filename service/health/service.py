"""Readiness: what each component is doing, and whether the service can do its job."""

import asyncio
import json
import logging
import time
from typing import Any

import asyncpg

from service.config import Settings
from service.health import repo
from service.search.client import SearchClient

log = logging.getLogger("cadre.health")
CHECK_TIMEOUT_S = 3.0
# A queued export waiting longer than this means no worker is taking jobs.
EXPORT_STALE_S = 600.0


async def _database(pool: asyncpg.Pool) -> dict[str, Any]:
    started = time.perf_counter()
    async with asyncio.timeout(CHECK_TIMEOUT_S):
        async with pool.acquire() as conn:
            backlog = await repo.outbox_backlog(conn)
            exports = await repo.export_queue(conn)
            indexers = await repo.live_indexers(conn)
    return {"ms": round((time.perf_counter() - started) * 1000, 1), "backlog": dict(backlog),
            "exports": dict(exports), "indexers": indexers}


def supervisor_status(settings: Settings) -> dict[str, Any] | None:
    """The state `cadre serve` last wrote for its supervised processes, if it runs here."""
    try:
        data: dict[str, Any] = json.loads(settings.supervisor_status_path.read_text())
    except (OSError, ValueError):
        return None
    return data


async def readiness(pool: asyncpg.Pool, search: SearchClient | None,
                    settings: Settings) -> tuple[bool, dict[str, Any]]:
    """(ready, report): each component's state; ready when the service can do its job."""
    components: dict[str, Any] = {}
    try:
        db: dict[str, Any] | None = await _database(pool)
    except Exception as exc:  # any failure here means the database cannot serve requests
        components["postgresql"] = {"ok": False, "error": type(exc).__name__}
        db = None
    else:
        components["postgresql"] = {"ok": True, "ms": db["ms"] if db else None}
    if search is None:
        components["meilisearch"] = {"ok": False, "error": "not configured"}
    else:
        components["meilisearch"] = {"ok": await search.healthy()}
    if db is not None:
        backlog: dict[str, Any] = db["backlog"]
        stale = backlog["oldest_s"] > settings.stale_search_after_s
        components["indexer"] = {"ok": db["indexers"] > 0 or not settings.expect_indexer,
                                 "alive": db["indexers"]}
        components["outbox"] = {"ok": not stale, "pending": backlog["pending"],
                                "oldest_pending_s": round(backlog["oldest_s"], 1),
                                "failing": backlog["failing"], "stale": stale}
        exports = db["exports"]
        components["exports"] = {"ok": exports["oldest_queued_s"] <= EXPORT_STALE_S,
                                 "queued": exports["queued"],
                                 "running": exports["running"],
                                 "oldest_queued_s": round(exports["oldest_queued_s"], 1)}
    required = ("postgresql", "meilisearch", "indexer")
    ready = all(components.get(name, {}).get("ok", False) for name in required)
    degraded = ready and not all(c.get("ok", False) for c in components.values())
    status = "ready" if ready and not degraded else "degraded" if ready else "unavailable"
    return ready, {"status": status, "components": components}


class Freshness:
    """How far behind search is, refreshed in the background so pages never wait for it."""

    def __init__(self) -> None:
        self.oldest_pending_s = 0.0

    def stale(self, settings: Settings) -> bool:
        """Whether search results may miss changes older than the configured threshold."""
        return self.oldest_pending_s > settings.stale_search_after_s

    async def refresh(self, pool: asyncpg.Pool) -> None:
        """Read the age of the oldest unindexed change; a failed check keeps the last value."""
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_S), pool.acquire() as conn:
                self.oldest_pending_s = float((await repo.outbox_backlog(conn))["oldest_s"])
        except Exception:  # the database being down is reported by readiness, not here
            log.debug("freshness check failed", exc_info=True)

    async def run(self, pool: asyncpg.Pool, every_s: float = 10.0) -> None:
        """Refresh until cancelled."""
        while True:
            await self.refresh(pool)
            await asyncio.sleep(every_s)
