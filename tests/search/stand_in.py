"""A stand-in Meilisearch speaking plain HTTP/1.1 on a free port, for the search client's tests."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

Reply = Callable[[bytes], bytes]


@dataclass
class Seen:
    """The engine's port, the requests it got (head and body), their paths, its connections, and
    an event set at each request's arrival."""

    port: int = 0
    requests: list[bytes] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    connections: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


def json_reply(body: bytes, status: bytes = b"200 OK") -> bytes:
    """An HTTP/1.1 answer with a JSON body and its length."""
    return (b"HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (status, len(body), body))


@asynccontextmanager
async def engine(reply: Reply, *, before_answer: Callable[[], Awaitable[object]] | None = None,
                 close_after: bool = False) -> AsyncIterator[Seen]:
    """Answer each request with `reply(request)` once `before_answer` returns (a slow or silent
    engine); `close_after` drops the connection after each answer without saying so (an idle
    kept-alive connection the engine closed)."""
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
                seen.paths.append(head.split(b" ")[1].decode())
                seen.arrived.set()
                if before_answer is not None:
                    await before_answer()
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
