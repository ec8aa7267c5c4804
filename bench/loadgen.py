"""A lean HTTP/1.1 load generator: pre-built request bytes over kept-alive asyncio connections.

The filing bench's httpx clients used more CPU per request than the server under test; this one
writes a prepared request and reads the status line, headers and a Content-Length (or chunked)
body, nothing else, so the CPU it uses is a small share of what the server uses.
"""

import asyncio
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit


@dataclass(frozen=True)
class Target:
    """Where requests go: host and port of an http:// base URL."""

    host: str
    port: int

    @classmethod
    def of(cls, base_url: str) -> "Target":
        """The target of a base URL such as http://127.0.0.1:8123."""
        parts = urlsplit(base_url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 80)

    def get(self, path: str, params: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> bytes:
        """A GET request, ready to send."""
        query = f"?{urlencode(params, doseq=True)}" if params else ""
        return self._head("GET", path + query, headers or {}, b"")

    def post_json(self, path: str, body: Any, headers: dict[str, str] | None = None) -> bytes:
        """A POST request with a JSON body, ready to send."""
        data = json.dumps(body, ensure_ascii=False).encode()
        return self._head("POST", path, {"Content-Type": "application/json", **(headers or {})}, data)

    def _head(self, method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    """One kept-alive HTTP/1.1 connection; one request at a time."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.target.host, self.target.port)
        return self._reader, self._writer

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """Send a prepared request; (status, body). Reconnects once if the server closed the connection."""
        try:
            return await self._exchange(request)
        except (ConnectionError, asyncio.IncompleteReadError):
            await self.close()
            return await self._exchange(request)

    async def _exchange(self, request: bytes) -> tuple[int, bytes]:
        reader, writer = await self._open()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at >= 0:
            end = lower.index(b"\r\n", at + 2)
            body = await reader.readexactly(int(lower[at + 17:end]))
        elif b"transfer-encoding: chunked" in lower:
            body = await _chunked(reader)
        else:
            body = await reader.read()
            await self.close()
        if b"\r\nconnection: close" in lower:
            await self.close()
        return status, body

    async def close(self) -> None:
        """Close the connection (the next send opens a new one)."""
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except ConnectionError:
                pass
        self._reader = self._writer = None


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


class BlockingConnection:
    """The same exchange on a blocking socket, for thread-per-client benches (one per thread)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._sock: socket.socket | None = None
        self._file: Any = None

    def _open(self) -> Any:
        if self._file is None:
            self._sock = socket.create_connection((self.target.host, self.target.port), timeout=60)
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._file = self._sock.makefile("rb")
        return self._file

    def send(self, request: bytes) -> tuple[int, bytes]:
        """Send a prepared request; (status, body). Reconnects once if the server closed the connection."""
        try:
            return self._exchange(request)
        except (ConnectionError, EOFError):
            self.close()
            return self._exchange(request)

    def _exchange(self, request: bytes) -> tuple[int, bytes]:
        reader = self._open()
        assert self._sock is not None
        self._sock.sendall(request)
        lines = []
        while (line := reader.readline()) not in (b"\r\n", b"\n"):
            if not line:
                raise EOFError("the server closed the connection")
            lines.append(line)
        head = b"".join(lines).lower()
        status = int(lines[0][9:12])
        at = head.find(b"\r\ncontent-length:")
        if at >= 0:
            end = head.index(b"\r\n", at + 2)
            body = _read_exactly(reader, int(head[at + 17:end]))
        elif b"transfer-encoding: chunked" in head:
            body = _chunked_blocking(reader)
        else:
            body = reader.read()
            self.close()
        if b"\r\nconnection: close" in head:
            self.close()
        return status, body

    def close(self) -> None:
        """Close the connection (the next send opens a new one)."""
        if self._file is not None:
            self._file.close()
        if self._sock is not None:
            self._sock.close()
        self._sock = self._file = None


def _read_exactly(reader: Any, n: int) -> bytes:
    data: bytes = reader.read(n)
    if len(data) != n:
        raise EOFError("the server closed the connection mid-body")
    return data


def _chunked_blocking(reader: Any) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int(reader.readline().split(b";")[0], 16)
        if size == 0:
            reader.readline()
            return b"".join(parts)
        parts.append(_read_exactly(reader, size))
        _read_exactly(reader, 2)
