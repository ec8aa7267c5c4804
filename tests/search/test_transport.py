"""The search client's event-loop transport against stand-in engines speaking plain HTTP/1.1:
kept-alive connections, an engine that drops an idle one, chunked answers, refusals, no engine."""

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import meilisearch
import pytest
from meilisearch.errors import MeilisearchApiError

from service.config import Settings
from service.errors import ServiceUnavailable
from service.search.client import SearchClient
from service.search.transport import CaptureSession, Connections, PooledHttp, captured

Reply = Callable[[bytes], bytes]
_HITS = json.dumps({"hits": [{"id": "record-1", "title": "城中村改造"}], "totalHits": 1}).encode()


@dataclass
class Seen:
    """A stand-in engine's port, the requests it got (head and body) and its connections."""

    port: int = 0
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0


def _plain(body: bytes = _HITS, extra: bytes = b"") -> Reply:
    return lambda _: (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n%sContent-Length: %d"
                      b"\r\n\r\n%s" % (extra, len(body), body))


@asynccontextmanager
async def _engine(reply: Reply, *, close_after: bool = False) -> AsyncIterator[Seen]:
    """A stand-in engine: `reply` makes each answer from the request; `close_after` drops the
    connection after each answer without saying so (an idle kept-alive connection it closed).
    Yields its port and what it saw."""
    seen = Seen()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                request = head + await reader.readexactly(length)
                seen.requests.append(request)
                writer.write(reply(request))
                await writer.drain()
                if close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    seen.port = server.sockets[0].getsockname()[1]
    try:
        yield seen
    finally:
        server.close()


def _client(settings: Settings, port: int) -> SearchClient:
    return SearchClient(settings.model_copy(update={"meili_url": f"http://127.0.0.1:{port}"}))


async def test_searches_share_one_kept_alive_connection_with_the_clients_own_request(
        settings: Settings) -> None:
    async with _engine(_plain()) as seen:
        client = _client(settings, seen.port)
        try:
            for q in ("城中村", "招商"):
                answer = await client.search(q, {"limit": 5})
                assert answer["totalHits"] == 1 and answer["hits"][0]["title"] == "城中村改造"
        finally:
            client.close()
    assert seen.connections == 1 and len(seen.requests) == 2
    head, _, body = seen.requests[0].partition(b"\r\n\r\n")
    # The official client's request: its path, key, user agent and JSON body.
    assert head.startswith(b"POST /indexes/" + settings.library_index.encode() + b"/search HTTP/1.1")
    key = settings.meili_search_key.get_secret_value() if settings.meili_search_key else ""
    assert f"Authorization: Bearer {key}".encode() in head
    assert b"User-Agent: Meilisearch Python" in head
    assert json.loads(body) == {"q": "城中村", "limit": 5}


async def test_a_connection_the_engine_dropped_while_idle_is_replaced(settings: Settings) -> None:
    async with _engine(_plain(), close_after=True) as seen:
        client = _client(settings, seen.port)
        try:
            for q in ("城中村", "招商", "征迁"):
                assert (await client.search(q, {}))["totalHits"] == 1
        finally:
            client.close()
    assert seen.connections == 3


async def test_a_chunked_answer_is_read_whole(settings: Settings) -> None:
    def chunked(_: bytes) -> bytes:
        parts = [_HITS[:7], _HITS[7:]]
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts)
        return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
                b"\r\n\r\n" + chunks + b"0\r\n\r\n")

    async with _engine(chunked) as seen:
        client = _client(settings, seen.port)
        try:
            for _ in range(2):  # and the connection stays usable after it
                assert (await client.search("城中村", {}))["hits"][0]["id"] == "record-1"
        finally:
            client.close()
    assert seen.connections == 1


async def test_a_refusal_is_judged_by_the_official_client() -> None:
    refusal = json.dumps({"message": "Index `x` not found.", "code": "index_not_found",
                          "type": "invalid_request", "link": ""}).encode()

    def refuse(_: bytes) -> bytes:
        return (b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: %d"
                b"\r\n\r\n%s" % (len(refusal), refusal))

    async with _engine(refuse) as seen:
        index = meilisearch.Client(f"http://127.0.0.1:{seen.port}", "k").index("x")
        index.http = PooledHttp(index.config, CaptureSession())
        connections = Connections(index.config.url, 1)
        try:
            with pytest.raises(MeilisearchApiError) as refused:
                await connections.send(captured(lambda: index.search("城中村")), queue_s=5, answer_s=5)
        finally:
            connections.close()
    assert refused.value.code == "index_not_found" and refused.value.status_code == 404


async def test_no_engine_listening_is_a_503(settings: Settings) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = _client(settings, port)
    try:
        with pytest.raises(ServiceUnavailable):
            await client.search("城中村", {})
        assert await client.healthy() is False
    finally:
        client.close()
