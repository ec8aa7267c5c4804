"""After a 500 the same keep-alive connection still answers (a real uvicorn, a raw socket)."""

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI, Request

from service.config import Settings
from service.main import create_app
from service.runtime._proc import free_port
from tests.runtime.serve_process import wait_for


class _Server(threading.Thread):
    def __init__(self, app: FastAPI, port: int) -> None:
        super().__init__(name="keepalive-server", daemon=True)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                    log_config=None, lifespan="on"))

    def run(self) -> None:
        asyncio.run(self.server.serve())


@pytest.fixture(scope="module")
def port(settings: Settings) -> Iterator[int]:
    app = create_app(settings)

    async def fails(request: Request) -> None:
        raise RuntimeError("a bug in a handler")

    # A route that fails like any bug would; the app itself is the real one.
    app.add_api_route("/test-only/fails", fails, methods=["GET", "POST"])
    chosen = free_port()
    thread = _Server(app, chosen)
    thread.start()
    wait_for(lambda: thread.server.started or not thread.is_alive(), "the server to start", 60, 0.05)
    assert thread.server.started, "server did not start"
    try:
        yield chosen
    finally:
        thread.server.should_exit = True
        thread.join(30)


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed without an answer (had {data!r})")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed in the middle of a body")
        body += chunk
    return int(lines[0].split()[1]), headers, body[:length]


def _request(method: str, path: str, body: bytes = b"") -> bytes:
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


@pytest.mark.parametrize("method, body", [("GET", b""), ("POST", b'{"unread": "' + b"x" * 50_000 + b'"}')])
def test_the_request_after_a_500_on_the_same_connection_is_answered(
        port: int, method: str, body: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(_request(method, "/test-only/fails", body))
        status, headers, payload = _read_response(sock)
        assert status == 500
        assert headers["content-type"] == "application/problem+json"
        assert "服务器内部错误".encode() in payload
        assert headers.get("connection", "").lower() != "close"
        sock.sendall(_request("GET", "/healthz"))
        status, _, payload = _read_response(sock)
        assert (status, payload) == (200, b'{"status":"ok"}')
