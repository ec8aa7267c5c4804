"""Admission gate: at most N requests run in the app at once; the rest wait their turn in order.

Why: one event loop interleaves every request it has admitted. With 50 requests admitted, a search
that awaits five times (token, scope, Meilisearch, audit, response) queues behind all the others
at each await, so its latency grows with the number admitted and the unlucky ones form a long
tail. Admitting a few at a time (FIFO) keeps each admitted request nearly as fast as on an idle
server, and the waiting is shared out in arrival order: the same throughput, a short tail.

A request's body is read before it takes a place (the outer middleware bounds its size), so a
client that sends its body slowly never holds one; uploads stream their bodies and skip the gate,
as do the health probes (a busy server must still answer them). A request leaves the gate when its response
starts, so a slow reader of a large download does not hold a place either.
"""

import asyncio
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.middleware import UPLOAD_PREFIXES

UNGATED_PATHS = ("/healthz", "/readyz")


class AdmissionGate:
    """Runs at most `limit` HTTP requests at once in arrival order (0: no limit)."""

    def __init__(self, app: ASGIApp, limit: int,
                 ungated: tuple[str, ...] = UNGATED_PATHS + UPLOAD_PREFIXES) -> None:
        self.app = app
        self.limit = limit
        self.ungated = ungated
        self.running = 0
        # Futures of the requests waiting, oldest first; made on the running loop when needed
        # (not an asyncio.Semaphore, which binds to the first loop that waits on it).
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.limit <= 0 or scope["type"] != "http" or scope["path"].startswith(self.ungated):
            await self.app(scope, receive, send)
            return
        # The whole body first (the outer middleware bounds its size): a client that sends its
        # body slowly waits outside, holding no place.
        body = await _read_body(receive)
        await self._enter()
        held = True

        async def replayed() -> Message:
            return body.pop(0) if body else await receive()

        async def send_releasing(message: Message) -> None:
            nonlocal held
            if held and message["type"] == "http.response.start":
                held = False
                self._leave()
            await send(message)

        try:
            await self.app(scope, replayed, send_releasing)
        finally:
            if held:
                self._leave()

    @property
    def queued(self) -> int:
        """Requests waiting for a place now."""
        return len(self._waiting)

    async def _enter(self) -> None:
        if self.running < self.limit and not self._waiting:
            self.running += 1
            return
        turn = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await turn  # _leave hands its place over: `running` already counts this request
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._leave()  # the place arrived together with the cancellation: pass it on
            elif turn in self._waiting:  # a leaving request may already have skipped it
                self._waiting.remove(turn)
            raise

    def _leave(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.running -= 1


async def _read_body(receive: Receive) -> list[Message]:
    """The request's messages up to the end of its body (or the client's disconnect)."""
    messages = [await receive()]
    while messages[-1]["type"] == "http.request" and messages[-1].get("more_body", False):
        messages.append(await receive())
    return messages
