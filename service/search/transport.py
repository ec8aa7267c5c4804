"""The official Meilisearch client's requests, sent on the event loop over kept-alive connections.

The official client is blocking: run as it ships, every search needs a thread (a hand-off to a
pool and back, ~0.5 ms, plus the blocking HTTP stack's ~1 ms of CPU holding the GIL). Here the
client's own request layer (HttpRequests: URL, headers, JSON body, answer validation and error
mapping) still builds every request and judges every answer; only the sending is done by this
module, with asyncio streams: the client's call is made against a session that captures the
request instead of sending it (`Captured`), the request goes out on a kept-alive connection, and
the answer is handed back to the client's validation (MeilisearchApiError for a refusal).

Two time bounds: waiting for a free connection (at most `size` at once) and the exchange itself;
a busy service waits for a connection rather than refusing (service.search.client).
"""

import asyncio
import ssl
from collections.abc import Callable, Mapping, Sequence
from json import JSONEncoder
from typing import Any, NoReturn
from urllib.parse import urlsplit

import certifi
import orjson
import requests
from meilisearch._httprequests import HttpRequests  # the client's own request layer (pinned version)
from meilisearch.config import Config
from meilisearch.errors import MeilisearchCommunicationError
from requests.structures import CaseInsensitiveDict


class Captured(Exception):
    """A request of the official client, caught where the client would have sent it."""

    def __init__(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> None:
        super().__init__(f"{method} {url}")
        self.method, self.url, self.headers, self.body = method, url, dict(headers), body


class CaptureSession:
    """Stands for the `requests` session the client's request layer calls: captures the request."""

    def get(self, url: str, *, timeout: float | None, headers: Mapping[str, str]) -> NoReturn:
        """Capture a GET."""
        raise Captured("GET", url, headers, None)

    def post(self, url: str, *, timeout: float | None, headers: Mapping[str, str],
             data: str | bytes | None = None) -> NoReturn:
        """Capture a POST with its (already serialised) body."""
        raise Captured("POST", url, headers, data.encode() if isinstance(data, str) else data)


class Answer(requests.Response):
    """An answer as the client's validation expects it, its JSON decoded by orjson (a search
    window's answer, ~0.4 MB: ~0.95 ms with the standard library, ~0.4 ms with orjson)."""

    def json(self, **kwargs: Any) -> Any:
        """The body as JSON (the client calls it without arguments)."""
        if kwargs:
            return super().json(**kwargs)
        return orjson.loads(self.content)


class PooledHttp(HttpRequests):
    """The official client's request layer over a session of our own (get and post)."""

    def __init__(self, config: Config, session: Any) -> None:
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


def captured(call: Callable[[], Any]) -> Captured:
    """The request a call of the client (against a CaptureSession) would have sent."""
    try:
        call()
    except Captured as request:
        return request
    raise RuntimeError("the client sent no request")  # pragma: no cover - every call sends one


def validated(request: Captured, *, status: int, reason: str, headers: dict[str, str],
              body: bytes) -> Any:
    """The client's own judgement of an answer: its JSON, or MeilisearchApiError."""
    answer = Answer()
    answer.status_code, answer.reason, answer.url = status, reason, request.url
    answer.headers = CaseInsensitiveDict(headers)
    answer._content = body
    answer.encoding = "utf-8"
    return HttpRequests._HttpRequests__validate(answer)  # type: ignore[attr-defined]


Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]
# A connection that broke or an answer that is not HTTP (ValueError: a malformed status line or
# length; LimitOverrunError: a header block past the reader's limit).
_BROKEN = (OSError, EOFError, ValueError, asyncio.LimitOverrunError)


class Connections:
    """Kept-alive HTTP/1.1 connections to one origin: at most `size` in use, one request each."""

    def __init__(self, base_url: str, size: int) -> None:
        parts = urlsplit(base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._https else 80)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._host_header = parts.netloc
        self._tls = ssl.create_default_context(cafile=certifi.where()) if self._https else None
        self._slots = asyncio.Semaphore(size)
        self._idle: list[Stream] = []

    async def send(self, request: Captured, *, queue_s: float, answer_s: float) -> Any:
        """Send a captured request and validate its answer; TimeoutError when no connection was
        free within `queue_s` or the answer took longer than `answer_s`."""
        try:
            await asyncio.wait_for(self._slots.acquire(), queue_s)
        except TimeoutError:
            raise TimeoutError("no free connection in time") from None
        try:
            async with asyncio.timeout(answer_s):
                status, reason, headers, body = await self._exchange(self._bytes(request))
        except TimeoutError:
            raise TimeoutError("no answer in time") from None
        finally:
            self._slots.release()
        return validated(request, status=status, reason=reason, headers=headers, body=body)

    def _bytes(self, request: Captured) -> bytes:
        target = request.url[len(self._origin):] if request.url.startswith(self._origin) else request.url
        lines = [f"{request.method} {target or '/'} HTTP/1.1", f"Host: {self._host_header}"]
        lines += [f"{k}: {v}" for k, v in request.headers.items()]
        body = request.body or b""
        if request.method != "GET":
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    async def _exchange(self, data: bytes) -> tuple[int, str, dict[str, str], bytes]:
        reused = bool(self._idle)
        stream = self._idle.pop() if reused else await self._open()
        try:
            return await self._once(stream, data)
        except _BROKEN as exc:
            _close(stream)
            if not reused:
                raise MeilisearchCommunicationError(str(exc) or type(exc).__name__) from exc
        except BaseException:
            _close(stream)  # cancelled or timed out mid-answer: the connection is in no known state
            raise
        # A kept-alive connection the engine closed while it was idle: once more on a new one.
        stream = await self._open()
        try:
            return await self._once(stream, data)
        except _BROKEN as exc:
            _close(stream)
            raise MeilisearchCommunicationError(str(exc) or type(exc).__name__) from exc
        except BaseException:
            _close(stream)
            raise

    async def _open(self) -> Stream:
        try:
            return await asyncio.open_connection(self._host, self._port, ssl=self._tls)
        except OSError as exc:
            raise MeilisearchCommunicationError(str(exc)) from exc

    async def _once(self, stream: Stream, data: bytes) -> tuple[int, str, dict[str, str], bytes]:
        reader, writer = stream
        writer.write(data)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        _, status, *reason = head[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in head[1:]:
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await _chunked(reader)
        else:
            body = await reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            _close(stream)
        else:
            self._idle.append(stream)
        return int(status), reason[0] if reason else "", headers, body

    def close(self) -> None:
        """Close the idle connections."""
        while self._idle:
            _close(self._idle.pop())


def _close(stream: Stream) -> None:
    stream[1].close()


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailers
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
