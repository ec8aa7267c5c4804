"""Search-only Meilisearch access from the service: the official client, sent on the event loop.

Every request is built and every answer judged by the official client's own request layer
(service.search.transport: URL, headers, JSON body, validation and error mapping); it is sent
over at most `meili_threads` kept-alive connections on the event loop, so a search needs no
thread hand-off and no blocking HTTP stack. A call waits for a free connection at most
QUEUE_WAIT_FACTOR timeouts and then has the timeout (+0.5 s) for Meilisearch's answer.
"""

import logging
from collections.abc import Callable
from typing import Any

import meilisearch
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)

from service.admission import awaited_outside_when_slow
from service.config import Settings
from service.errors import ServiceUnavailable
from service.search.transport import CaptureSession, Connections, PooledHttp, captured

log = logging.getLogger("cadre.search")

# A call may wait for a free connection this many search timeouts: under load the
# connections are busy, not failing, and a slower answer is better than a refusal.
QUEUE_WAIT_FACTOR = 2


class SearchClient:
    """The official client's requests over kept-alive connections on the event loop."""

    def __init__(self, settings: Settings) -> None:
        if not settings.meili_url or not settings.meili_search_key:
            raise ValueError("search is not configured")
        self.timeout = settings.meili_timeout_s
        self.index_uid = settings.library_index
        client = meilisearch.Client(settings.meili_url, settings.meili_search_key.get_secret_value(),
                                    timeout=max(1, round(self.timeout)))
        self._index = client.index(self.index_uid)
        self._index.http = PooledHttp(self._index.config, CaptureSession())
        self._connections = Connections(self._index.config.url, settings.meili_threads)

    async def search(self, q: str, params: dict[str, Any]) -> dict[str, Any]:
        """Search the library index; 503 when Meilisearch is unreachable or failing."""
        result: dict[str, Any] = await self._run(lambda: self._index.search(q, params))
        return result

    async def multi_search(self, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Several searches of the library index in one request (each a dict with `q`)."""
        if not queries:
            return []
        body = {"queries": [{"indexUid": self.index_uid, **q} for q in queries]}
        answer: dict[str, Any] = await self._run(lambda: self._index.http.post("multi-search", body))
        result: list[dict[str, Any]] = answer["results"]
        return result

    async def _in_time(self, call: Callable[[], Any]) -> Any:
        """The client's request made by `call`, sent within the two time bounds."""
        return await self._connections.send(captured(call), queue_s=QUEUE_WAIT_FACTOR * self.timeout,
                                            answer_s=self.timeout + 0.5)

    async def _run(self, call: Callable[[], Any]) -> Any:
        try:
            # A hung Meilisearch must not keep holding the requests' places (service.admission).
            return await awaited_outside_when_slow(self._in_time(call))
        except TimeoutError as exc:
            log.warning("Meilisearch call refused: %s", exc)
            raise ServiceUnavailable("检索服务暂不可用，请稍后再试",
                                     headers={"Retry-After": "5"}) from exc
        except (MeilisearchCommunicationError, MeilisearchTimeoutError) as exc:
            raise ServiceUnavailable("检索服务暂不可用，请稍后再试",
                                     headers={"Retry-After": "5"}) from exc
        except MeilisearchApiError as exc:
            # Every request is built by the service from validated input, so a refused one means
            # the engine is not (yet) in the state the service expects: an index being rebuilt
            # whose settings lack a filterable or sortable attribute, a missing index, a failing
            # engine. None of these is the caller's fault, and a retry can succeed.
            if not exc.status_code or int(exc.status_code) < 500:
                log.error("Meilisearch refused a search: %s (%s)", exc.code, exc.message)
            raise ServiceUnavailable("检索服务暂不可用，请稍后再试",
                                     headers={"Retry-After": "5"}) from exc

    async def healthy(self) -> bool:
        """Whether Meilisearch answers its health check within the search timeout."""
        try:
            # /health needs no key; sent like every search.
            health: dict[str, Any] = await self._in_time(lambda: self._index.http.get("health"))
        except (MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError,
                TimeoutError):
            return False
        return health.get("status") == "available"

    def close(self) -> None:
        """Close the kept-alive connections."""
        self._connections.close()
