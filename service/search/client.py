"""Search-only Meilisearch access from the service: the official client, pooled keep-alive.

The official client is blocking and posts each request with `requests.post`, i.e. a new TCP
connection per search. Here each thread of a bounded pool owns one client whose request layer
(the client's own: headers, body encoding, error mapping) sends through a LeanSession: one
kept-alive urllib3 connection per thread (TCP_NODELAY as urllib3 sets it), with a timeout on
every call.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from json import JSONEncoder
from typing import Any, TypeVar

import certifi
import meilisearch
import orjson
import requests
import urllib3
from meilisearch._httprequests import HttpRequests  # the client's own request layer (pinned version)
from meilisearch.config import Config
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)
from meilisearch.index import Index
from requests.structures import CaseInsensitiveDict
from urllib3.util import Retry

from service.admission import awaited_outside_when_slow
from service.config import Settings
from service.errors import ServiceUnavailable

log = logging.getLogger("cadre.search")
T = TypeVar("T")


class LeanSession:
    """The two calls of `requests.Session` the client's request layer makes, over urllib3 directly.

    requests spent ~0.8 ms of CPU per search on top of urllib3 (request preparation, settings
    merging, cookie extraction, hooks), in the search thread and so holding the GIL the event
    loop needs. Answers are `requests.Response` objects and failures `requests` exceptions, so
    the client's own validation and error mapping (MeilisearchApiError, ...CommunicationError,
    ...TimeoutError) run unchanged. Like the session it replaces: no retries, no redirects, no
    proxy or netrc lookups, certifi's CA bundle for https, and uncompressed answers (no
    Accept-Encoding: Meilisearch runs beside the service, and gzip cost both sides CPU).
    """

    def __init__(self, base_url: str) -> None:
        url = urllib3.util.parse_url(base_url)
        tls: dict[str, Any] = {"ca_certs": certifi.where()} if url.scheme == "https" else {}
        self._pool = urllib3.connection_from_url(base_url, maxsize=1, block=False,
                                                 retries=Retry(0, read=False), **tls)
        self._origin = base_url[:len(base_url) - len(url.path or "")] if url.path else base_url

    def get(self, url: str, *, timeout: float | None, headers: dict[str, str]) -> requests.Response:
        """GET the URL (under the base URL)."""
        return self._send("GET", url, None, timeout, headers)

    def post(self, url: str, *, timeout: float | None, headers: dict[str, str],
             data: str | bytes | None = None) -> requests.Response:
        """POST the body to the URL (under the base URL)."""
        return self._send("POST", url, data.encode() if isinstance(data, str) else data, timeout, headers)

    def _send(self, method: str, url: str, body: bytes | None, timeout: float | None,
              headers: dict[str, str]) -> requests.Response:
        path = url[len(self._origin):] if url.startswith(self._origin) else url
        try:
            answer = self._pool.urlopen(method, path or "/", body=body, headers=headers,
                                        timeout=urllib3.Timeout(connect=timeout, read=timeout),
                                        redirect=False, preload_content=True)
        except (urllib3.exceptions.TimeoutError, urllib3.exceptions.MaxRetryError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, urllib3.exceptions.TimeoutError) and not isinstance(
                    reason, urllib3.exceptions.ConnectTimeoutError):
                raise requests.exceptions.Timeout(str(exc)) from exc
            raise requests.exceptions.ConnectionError(str(exc)) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise requests.exceptions.ConnectionError(str(exc)) from exc
        response = _Answer()
        response.status_code = answer.status
        response.reason = answer.reason or ""
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.data
        response.encoding = "utf-8"
        response.url = url
        return response


class _Answer(requests.Response):
    """A response whose JSON is decoded by orjson: a search window's answer (~0.4 MB, 100 hits
    with their texts) took ~0.95 ms to decode with the standard library, ~0.4 ms with orjson,
    in the search thread and so holding the GIL the event loop needs."""

    def json(self, **kwargs: Any) -> Any:
        """The body as JSON (the client calls it without arguments)."""
        if kwargs:
            return super().json(**kwargs)
        return orjson.loads(self.content)


class PooledHttp(HttpRequests):
    """The official client's request layer over one keep-alive connection instead of one per call."""

    def __init__(self, config: Config, session: LeanSession) -> None:
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


def pooled_index(url: str, key: str, *, uid: str, timeout_s: float) -> Index:
    """An official-client index object whose requests reuse one keep-alive connection (one thread only)."""
    # The client's timeout is whole seconds; never wait without one.
    index = meilisearch.Client(url, key, timeout=max(1, round(timeout_s))).index(uid)
    index.http = PooledHttp(index.config, LeanSession(index.config.url))
    return index


# A call may wait for a free connection (thread) this many search timeouts: under load the
# connections are busy, not failing, and a slower answer is better than a refusal.
QUEUE_WAIT_FACTOR = 2


async def answer_within(pending: "asyncio.Future[T]", began: list[float], *, queue_s: float,
                        answer_s: float) -> T:
    """The result of a call queued for a thread: TimeoutError once it has waited `queue_s` for
    the thread or run `answer_s` in it (`began`: filled with its start time by the thread).

    One deadline from the moment of queueing would count the wait for a free connection against
    Meilisearch, and refuse searches of a busy service that Meilisearch answers in time.
    """
    queued = time.monotonic()
    try:
        while True:
            end = began[0] + answer_s if began else queued + queue_s
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer in time" if began else "no free connection in time")
            done, _ = await asyncio.wait({pending}, timeout=left)
            if done:
                return pending.result()
    finally:
        if not pending.done():
            pending.cancel()  # one still queued never runs


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

    async def _in_time(self, fn: Any, *args: Any) -> Any:
        """fn(*args) in a connection's thread, within the search timeout once it runs (busy
        connections are not a failing engine: the wait for one is bounded apart)."""
        loop = asyncio.get_running_loop()
        began: list[float] = []

        def timed() -> Any:
            began.append(time.monotonic())
            return fn(*args)

        return await answer_within(loop.run_in_executor(self._pool, timed), began,
                                   queue_s=QUEUE_WAIT_FACTOR * self.timeout, answer_s=self.timeout + 0.5)

    async def _run(self, fn: Any, *args: Any) -> Any:
        try:
            # A hung Meilisearch must not keep holding the requests' places (service.admission).
            return await awaited_outside_when_slow(self._in_time(fn, *args))
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

    def _healthy(self) -> bool:
        # /health needs no key; through the thread's pooled session like every search.
        health: dict[str, Any] = self._index().http.get("health")
        return health.get("status") == "available"

    async def healthy(self) -> bool:
        """Whether Meilisearch answers its health check within the search timeout."""
        try:
            result: bool = await self._in_time(self._healthy)
            return result
        except (MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError,
                TimeoutError):
            return False

    def close(self) -> None:
        """Stop the threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)
