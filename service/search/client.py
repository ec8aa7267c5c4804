"""Search-only Meilisearch access from the service: the official client, pooled keep-alive.

The official client is blocking and posts each request with `requests.post`, i.e. a new TCP
connection per search. Here each thread of a bounded pool owns one client whose index object
sends through a `requests.Session` (one kept-alive connection per thread, TCP_NODELAY as urllib3
sets it), with a timeout on every call.
"""

import asyncio
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from json import JSONEncoder
from typing import Any

import meilisearch
import requests
from meilisearch._httprequests import HttpRequests  # the client's own request layer (pinned version)
from meilisearch.config import Config
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)
from meilisearch.index import Index

from service.config import Settings
from service.errors import ServiceUnavailable


class PooledHttp(HttpRequests):
    """The official client's request layer over one keep-alive session instead of a connection per call."""

    def __init__(self, config: Config, session: requests.Session) -> None:
        super().__init__(config)
        self.session = session

    def get(self, path: str) -> Any:
        """GET through the session."""
        return self.send_request(self.session.get, path)

    def post(self, path: str,
             body: Mapping[str, Any] | Sequence[Mapping[str, Any]] | list[str] | bytes | str | None = None,
             content_type: str | None = "application/json", *,
             serializer: type[JSONEncoder] | None = None) -> Any:
        """POST through the session."""
        return self.send_request(self.session.post, path, body, content_type, serializer=serializer)


def lean_session() -> requests.Session:
    """A keep-alive session without per-call work that a search next door does not need.

    Uncompressed answers: Meilisearch runs beside the service, and gzip cost both sides CPU on
    every answer (the 100-hit window is ~75 kB of JSON). No proxy/netrc lookups in the process
    environment on every call (requests' trust_env); the client's configured URL is used as is.
    """
    session = requests.Session()
    session.trust_env = False
    session.headers["Accept-Encoding"] = "identity"
    return session


def pooled_index(url: str, key: str, *, uid: str, timeout_s: float) -> Index:
    """An official-client index object whose requests reuse one keep-alive connection (one thread only)."""
    # The client's timeout is whole seconds; never wait without one.
    index = meilisearch.Client(url, key, timeout=max(1, round(timeout_s))).index(uid)
    index.http = PooledHttp(index.config, lean_session())
    return index


class SearchClient:
    """Runs blocking client calls in a bounded pool; each thread owns its client and connection."""

    def __init__(self, settings: Settings) -> None:
        if not settings.meili_url or not settings.meili_search_key:
            raise ValueError("search is not configured")
        self.url = settings.meili_url
        self.key = settings.meili_search_key.get_secret_value()
        self.timeout = settings.meili_timeout_s
        self.index_uid = settings.library_index
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=settings.meili_threads,
                                        thread_name_prefix="meili")

    def _index(self) -> Index:
        index: Index | None = getattr(self._local, "index", None)
        if index is None:
            index = pooled_index(self.url, self.key, uid=self.index_uid, timeout_s=self.timeout)
            self._local.index = index
        return index

    def _search(self, q: str, params: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._index().search(q, params)
        return result

    def _multi(self, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = {"queries": [{"indexUid": self.index_uid, **q} for q in queries]}
        # Through the thread's pooled session, like every search.
        result: list[dict[str, Any]] = self._index().http.post("multi-search", body)["results"]
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

    def _healthy(self) -> bool:
        # /health needs no key; through the thread's pooled session like every search.
        health: dict[str, Any] = self._index().http.get("health")
        return health.get("status") == "available"

    async def healthy(self) -> bool:
        """Whether Meilisearch answers its health check within the search timeout."""
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(loop.run_in_executor(self._pool, self._healthy),
                                          self.timeout + 0.5)
        except (MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError,
                TimeoutError):
            return False

    def close(self) -> None:
        """Stop the threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)
