"""The search client's time bounds against stand-in engines: a busy connection is waited for,
a hung engine is refused. The stand-ins answer on their own schedule (a slow or a silent
Meilisearch); the tests wait for the client's results, never on a clock."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from service.config import Settings
from service.errors import ServiceUnavailable
from service.search.client import SearchClient

Answer = Callable[[], Awaitable[object]]
_EMPTY = json.dumps({"hits": [], "totalHits": 0, "facetDistribution": {}}).encode()
_AVAILABLE = json.dumps({"status": "available"}).encode()


class Engine:
    """What a stand-in engine saw: the paths asked for, and an event per request's arrival."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.asked: list[str] = []
        self.arrived = asyncio.Event()


@asynccontextmanager
async def _engine(before_answer: Answer) -> AsyncIterator[Engine]:
    """A stand-in Meilisearch on a free port answering every search with no hits (and its
    health check with "available") once `before_answer` returns."""
    engine = Engine(0)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                await reader.readexactly(length)
                path = head.split(b" ")[1].decode()
                engine.asked.append(path)
                engine.arrived.set()
                await before_answer()
                body = _AVAILABLE if path.endswith("/health") else _EMPTY
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    engine.port = server.sockets[0].getsockname()[1]
    try:
        yield engine
    finally:
        server.close()


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
    assert len(engine.asked) == 2


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
    assert [p.rsplit("/", 1)[-1] for p in engine.asked] == ["search", "health"]
