"""The search client's time bounds against stand-in engines: a busy connection is waited for,
a hung engine is refused. The stand-ins answer on their own schedule (a slow or a silent
Meilisearch); the tests wait for the client's results, never on a clock."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from service.config import Settings
from service.errors import ServiceUnavailable
from service.search.client import SearchClient
from tests.search import stand_in
from tests.search.stand_in import Seen, json_reply

_EMPTY = json.dumps({"hits": [], "totalHits": 0, "facetDistribution": {}}).encode()
_AVAILABLE = json.dumps({"status": "available"}).encode()


def _reply(request: bytes) -> bytes:
    # Every search finds nothing; the health check says "available".
    return json_reply(_AVAILABLE if request.split(b" ")[1].endswith(b"/health") else _EMPTY)


def _engine(before_answer: Callable[[], Awaitable[object]]) -> AbstractAsyncContextManager[Seen]:
    return stand_in.engine(_reply, before_answer=before_answer)


def _client(settings: Settings, port: int, timeout_s: float) -> SearchClient:
    return SearchClient(settings.model_copy(update={
        "meili_url": f"http://127.0.0.1:{port}", "meili_threads": 1, "meili_timeout_s": timeout_s}))


async def test_a_search_waiting_for_a_busy_connection_is_answered_not_refused(settings: Settings) -> None:
    # One connection, an engine that takes 1.5 s of its 2 s timeout per search: the second
    # search waits 1.5 s for the connection and then 1.5 s for its answer. Both are in time;
    # one deadline from the moment of asking (2.5 s) refused the second with a 503.
    async def slow() -> None:
        await asyncio.sleep(1.5)

    async with _engine(slow) as engine:
        client = _client(settings, engine.port, 2.0)
        try:
            first, second = await asyncio.gather(client.search("城中村", {}), client.search("棚改", {}))
        finally:
            client.close()
    assert first["totalHits"] == second["totalHits"] == 0
    assert len(engine.paths) == 2


async def test_a_hung_engine_is_refused_also_for_searches_waiting_for_its_connection(
        settings: Settings) -> None:
    never = asyncio.Event()

    async with _engine(never.wait) as engine:
        client = _client(settings, engine.port, 1.0)
        try:
            answers = await asyncio.gather(*(client.search(q, {}) for q in ("城中村", "棚改", "招商")),
                                           return_exceptions=True)
        finally:
            client.close()
            never.set()  # the stand-in's handlers end
    assert all(isinstance(a, ServiceUnavailable) for a in answers), answers
    assert all(a.headers == {"Retry-After": "5"} for a in answers if isinstance(a, ServiceUnavailable))


async def test_the_health_check_waits_for_a_busy_connection(settings: Settings) -> None:
    # A health check queued behind a slow search is healthy: readiness must not flap under load
    # (1.5 s waiting for the one connection, 1.5 s for the answer, within a 2 s timeout each).
    async def slow() -> None:
        await asyncio.sleep(1.5)

    async with _engine(slow) as engine:
        client = _client(settings, engine.port, 2.0)
        try:
            search = asyncio.ensure_future(client.search("城中村", {}))
            await engine.arrived.wait()  # the search holds the connection
            healthy = await client.healthy()
            await search
        finally:
            client.close()
    assert healthy is True
    assert [p.rsplit("/", 1)[-1] for p in engine.paths] == ["search", "health"]
