"""The search client's event-loop transport against stand-in engines speaking plain HTTP/1.1:
kept-alive connections, an engine that drops an idle one, chunked answers, refusals, no engine."""

import json
import socket

import meilisearch
import pytest
from meilisearch.errors import MeilisearchApiError

from service.config import Settings
from service.errors import ServiceUnavailable
from service.search.client import SearchClient
from service.search.transport import CaptureSession, Connections, PooledHttp, captured
from tests.search.stand_in import Reply, engine, json_reply

_HITS = json.dumps({"hits": [{"id": "record-1", "title": "城中村改造"}], "totalHits": 1}).encode()


def _plain(body: bytes = _HITS) -> Reply:
    return lambda _: json_reply(body)


def _client(settings: Settings, port: int) -> SearchClient:
    return SearchClient(settings.model_copy(update={"meili_url": f"http://127.0.0.1:{port}"}))


async def test_searches_share_one_kept_alive_connection_with_the_clients_own_request(
        settings: Settings) -> None:
    async with engine(_plain()) as seen:
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
    async with engine(_plain(), close_after=True) as seen:
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

    async with engine(chunked) as seen:
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
        return json_reply(refusal, b"404 Not Found")

    async with engine(refuse) as seen:
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
