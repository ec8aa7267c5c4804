"""Search-only Meilisearch access from the service: bounded threads, one client per thread."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import meilisearch
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)

from service.config import Settings
from service.errors import ServiceUnavailable


class SearchClient:
    """Runs blocking client calls in a bounded pool; each thread owns its client."""

    def __init__(self, settings: Settings) -> None:
        if not settings.meili_url or not settings.meili_search_key:
            raise ValueError("search is not configured")
        self.url = settings.meili_url
        self.key = settings.meili_search_key.get_secret_value()
        self.timeout = settings.meili_timeout_s
        self.index_uid = f"{settings.index_prefix}_library"
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=settings.meili_threads,
                                        thread_name_prefix="meili")

    def _client(self) -> meilisearch.Client:
        client: meilisearch.Client | None = getattr(self._local, "client", None)
        if client is None:
            # The client's timeout is whole seconds; never wait without one.
            client = meilisearch.Client(self.url, self.key, timeout=max(1, round(self.timeout)))
            self._local.client = client
        return client

    def _search(self, q: str, params: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._client().index(self.index_uid).search(q, params)
        return result

    def _multi(self, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = [{"indexUid": self.index_uid, **q} for q in queries]
        result: list[dict[str, Any]] = self._client().multi_search(body)["results"]
        return result

    async def search(self, q: str, params: dict[str, Any]) -> dict[str, Any]:
        """Search the library index; 503 when Meilisearch is unreachable or failing."""
        result: dict[str, Any] = await self._run(self._search, q, params)
        return result

    async def multi_search(self, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Several searches of the library index in one request (each a dict with `q`)."""
        if not queries:
            return []
        result: list[dict[str, Any]] = await self._run(self._multi, queries)
        return result

    async def _run(self, fn: Any, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(self._pool, fn, *args), self.timeout + 0.5)
        except (MeilisearchCommunicationError, MeilisearchTimeoutError, TimeoutError) as exc:
            raise ServiceUnavailable("检索服务暂不可用，请稍后再试",
                                     headers={"Retry-After": "5"}) from exc
        except MeilisearchApiError as exc:
            if (exc.status_code and int(exc.status_code) >= 500) or exc.code == "index_not_found":
                raise ServiceUnavailable("检索服务暂不可用，请稍后再试",
                                         headers={"Retry-After": "5"}) from exc
            raise

    def close(self) -> None:
        """Stop the threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)
