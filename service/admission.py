"""Admission gate: at most N requests run in the app at once; the rest wait their turn in order.

Why: one event loop interleaves every request it has admitted. With 50 requests admitted, a search
that awaits five times (token, scope, Meilisearch, audit, response) queues behind all the others
at each await, so its latency grows with the number admitted and the unlucky ones form a long
tail. Admitting a few at a time (FIFO) keeps each admitted request nearly as fast as on an idle
server, and the waiting is shared out in arrival order: the same throughput, a short tail.

A request's body is read before it takes a place (the outer middleware bounds its size), so a
client that sends its body slowly never holds one; uploads stream their bodies and skip the gate,
as do the health probes (a busy server must still answer them). A request gives its place back
when its response starts, so a slow reader of a large download does not hold one either, and
while a Meilisearch call or a PDF render in a thread has taken longer than half a second
(`awaited_outside_when_slow`), so a hung dependency cannot take every place from the requests
that do not need it. A request whose client disconnected while it waited is not run at all
(logged with status 499): under overload, clients that time out would otherwise leave behind
work that delays everyone still waiting.
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.middleware import UPLOAD_PREFIXES

UNGATED_PATHS = ("/healthz", "/readyz")
# A wait outside the event loop longer than this gives the request's place back until it ends.
SLOW_WAIT_S = 0.5
T = TypeVar("T")


class Admission:
    """The places of one web process: how many run, and the requests waiting for one in order."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.running = 0
        # Futures of the requests waiting, oldest first; made on the running loop when needed
        # (not an asyncio.Semaphore, which binds to the first loop that waits on it).
        self._waiting: deque[asyncio.Future[None]] = deque()

    @property
    def queued(self) -> int:
        """Requests waiting for a place now."""
        return len(self._waiting)

    def report(self) -> dict[str, int]:
        """The numbers an operator watches (`/api/status`)."""
        return {"limit": self.limit, "running": self.running, "queued": self.queued}

    async def enter(self, first: bool = False) -> bool:
        """Take a place, waiting in arrival order (`first`: ahead of everyone waiting); whether
        the request had to wait."""
        if self.running < self.limit and (first or not self._waiting):
            self.running += 1
            return False
        turn = asyncio.get_running_loop().create_future()
        if first:
            self._waiting.appendleft(turn)
        else:
            self._waiting.append(turn)
        try:
            await turn  # leave() hands its place over: `running` already counts this request
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.leave()  # the place arrived together with the cancellation: pass it on
            elif turn in self._waiting:  # a leaving request may already have skipped it
                self._waiting.remove(turn)
            raise
        return True

    def leave(self) -> None:
        """Give a place back: to the first request still waiting, or free."""
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.running -= 1


class AdmissionGate:
    """Runs at most `admission.limit` HTTP requests at once in arrival order (0: no limit)."""

    def __init__(self, app: ASGIApp, admission: Admission,
                 ungated: tuple[str, ...] = UNGATED_PATHS + UPLOAD_PREFIXES) -> None:
        self.app = app
        self.admission = admission
        self.ungated = ungated

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        admission = self.admission
        if admission.limit <= 0 or scope["type"] != "http" or scope["path"].startswith(self.ungated):
            await self.app(scope, receive, send)
            return
        # The whole body first (the outer middleware bounds its size): a client that sends its
        # body slowly waits outside, holding no place.
        body = await _read_body(receive)
        if await admission.enter() and await _gone(receive, body):
            # The client gave up while waiting (a timeout under overload): running its request
            # now would only delay the ones still waited for. 499 is for the access log alone.
            admission.leave()
            await send({"type": "http.response.start", "status": 499, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        ticket = _Ticket(admission)
        token = _ticket.set(ticket)

        async def replayed() -> Message:
            return body.pop(0) if body else await receive()

        async def send_releasing(message: Message) -> None:
            if ticket.held and message["type"] == "http.response.start":
                ticket.held = False
                admission.leave()
            await send(message)

        try:
            await self.app(scope, replayed, send_releasing)
        finally:
            _ticket.reset(token)
            if ticket.held:
                admission.leave()


@dataclass
class _Ticket:
    """A gated request's hold on its place (given back at the response, or while stepped out)."""

    admission: Admission
    held: bool = True


_ticket: ContextVar[_Ticket | None] = ContextVar("admission_ticket", default=None)


@asynccontextmanager
async def stepped_out() -> AsyncIterator[None]:
    """Give the request's place back while it waits on work outside this process's event loop.

    For waits that can be long and use no event-loop time (a Meilisearch call, a Typst render in
    a thread): a hung dependency must not hold every place and stall the requests that do not
    need it. Afterwards the request is first in line for a place, ahead of newer arrivals.
    """
    ticket = _ticket.get()
    if ticket is None or not ticket.held:
        yield
        return
    ticket.held = False
    ticket.admission.leave()
    try:
        yield
    finally:
        await ticket.admission.enter(first=True)  # cancelled here: the place stays given back
        ticket.held = True


async def awaited_outside_when_slow(pending: Awaitable[T], *, after_s: float = SLOW_WAIT_S) -> T:
    """Await work running outside the event loop; past `after_s` give the place back meanwhile.

    A normal Meilisearch call or render answers well within `after_s` and keeps its place (giving
    every call's place back would let the requests behind it pile up in the engine's queue, the
    long tail the gate exists to prevent); a hung one stops holding it.
    """
    future = asyncio.ensure_future(pending)
    done, _ = await asyncio.wait({future}, timeout=after_s)
    if done:
        return future.result()
    async with stepped_out():
        return await future


async def _gone(receive: Receive, body: list[Message]) -> bool:
    """Whether the client has disconnected, asked without waiting for it (a message that is not
    the disconnect is kept for the app)."""
    if body[-1]["type"] == "http.disconnect":
        return True
    probe = asyncio.ensure_future(receive())
    await asyncio.sleep(0)  # a server that knows of the disconnect answers in this one step
    if not probe.done():
        probe.cancel()
        return False
    message = probe.result()
    if message["type"] == "http.disconnect":
        return True
    body.append(message)
    return False


async def _read_body(receive: Receive) -> list[Message]:
    """The request's messages up to the end of its body (or the client's disconnect)."""
    messages = [await receive()]
    while messages[-1]["type"] == "http.request" and messages[-1].get("more_body", False):
        messages.append(await receive())
    return messages
