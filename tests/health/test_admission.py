"""The admission gate: at most N requests in the app, the rest admitted in arrival order."""

import asyncio
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.admission import Admission, AdmissionGate, awaited_outside_when_slow, stepped_out
from service.config import Settings
from service.main import create_app
from tests.factories import Api


class Parked:
    """A stand-in application whose requests wait inside until the test lets each one go."""

    def __init__(self) -> None:
        self.entered: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.started_only: set[str] = set()  # answer the head, then wait before the body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"].strip("/")
        self.entered.append(name)
        gate = self.gates.setdefault(name, asyncio.Event())
        if name == "boom":
            raise RuntimeError("the route failed")
        if name in self.started_only:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await gate.wait()
            await send({"type": "http.response.body", "body": b"late"})
            return
        await gate.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": name.encode()})

    def release(self, name: str) -> None:
        """Let the request for /name finish."""
        self.gates.setdefault(name, asyncio.Event()).set()


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never became true")


async def _call(app: ASGIApp, path: str, gone: bool = False) -> list[Message]:
    """One request: its (empty) body, then a live connection, or (`gone`) a client that left."""
    sent: list[Message] = []
    messages: list[Message] = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        if gone:
            return {"type": "http.disconnect"}
        await asyncio.Future()  # nothing more until the server answers
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    await app({"type": "http", "path": path, "method": "GET", "headers": []}, receive, send)
    return sent


async def test_at_most_the_limit_run_and_the_others_enter_in_arrival_order() -> None:
    inner = Parked()
    gate = AdmissionGate(inner, Admission(2))
    tasks: list[asyncio.Task[list[Message]]] = []
    for name in ("a", "b", "c", "d"):
        tasks.append(asyncio.create_task(_call(gate, f"/{name}")))
        await _until(lambda: gate.admission.running + gate.admission.queued == len(tasks))
    assert inner.entered == ["a", "b"] and gate.admission.running == 2 and gate.admission.queued == 2
    inner.release("b")
    await _until(lambda: inner.entered == ["a", "b", "c"])
    assert gate.admission.running == 2 and gate.admission.queued == 1
    inner.release("a")
    await _until(lambda: inner.entered == ["a", "b", "c", "d"])
    inner.release("c")
    inner.release("d")
    answers = await asyncio.gather(*tasks)
    assert [m[-1]["body"] for m in answers] == [b"a", b"b", b"c", b"d"]
    assert gate.admission.running == 0 and gate.admission.queued == 0


async def test_health_probes_and_uploads_pass_a_full_gate() -> None:
    inner = Parked()
    gate = AdmissionGate(inner, Admission(1))
    blocked = asyncio.create_task(_call(gate, "/a"))
    await _until(lambda: gate.admission.running == 1)
    for path in ("/healthz", "/readyz", "/api/attachments"):
        inner.release(path.strip("/"))
        answer = await _call(gate, path)
        assert answer[0]["status"] == 200
    assert gate.admission.running == 1
    inner.release("a")
    await blocked


async def test_the_place_is_freed_when_the_response_starts_and_when_the_app_fails() -> None:
    inner = Parked()
    inner.started_only.add("download")
    gate = AdmissionGate(inner, Admission(1))
    download = asyncio.create_task(_call(gate, "/download"))
    await _until(lambda: inner.entered == ["download"])
    # The head is out; a slow reader of the body no longer holds the only place.
    await _until(lambda: gate.admission.running == 0)
    with pytest.raises(RuntimeError):
        await _call(gate, "/boom")
    assert gate.admission.running == 0
    inner.release("next")
    assert (await _call(gate, "/next"))[-1]["body"] == b"next"
    inner.release("download")
    assert (await download)[-1]["body"] == b"late"


async def test_a_slow_body_is_read_before_the_request_takes_a_place() -> None:
    received: list[bytes] = []

    async def echo(scope: Scope, receive: Receive, send: Send) -> None:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        received.append(b"".join(chunks))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    gate = AdmissionGate(echo, Admission(1))
    parts: asyncio.Queue[Message] = asyncio.Queue()
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    slow = asyncio.create_task(gate({"type": "http", "path": "/api/records", "method": "POST",
                                     "headers": []}, parts.get, send))
    await parts.put({"type": "http.request", "body": b'{"title": ', "more_body": True})
    await _until(lambda: parts.empty())
    # Half a body: the request holds no place, and another request goes through meanwhile.
    assert gate.admission.running == 0
    assert (await _call(gate, "/other"))[0]["status"] == 200
    await parts.put({"type": "http.request", "body": b'"x"}', "more_body": False})
    await slow
    assert received == [b"", b'{"title": "x"}'] and sent[0]["status"] == 200
    assert gate.admission.running == 0


async def test_a_request_waiting_outside_gives_its_place_back_and_is_first_back_in() -> None:
    inner = Parked()
    outside = asyncio.Event()
    order: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/slow":
            async with stepped_out():  # e.g. a Meilisearch call in a thread
                order.append("slow out")
                await outside.wait()
            order.append("slow back")
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"slow"})
            return
        order.append(scope["path"].strip("/"))
        await inner(scope, receive, send)

    gate = AdmissionGate(app, Admission(1))
    slow = asyncio.create_task(_call(gate, "/slow"))
    await _until(lambda: order == ["slow out"])
    assert gate.admission.running == 0
    b = asyncio.create_task(_call(gate, "/b"))  # takes the place the slow request gave back
    await _until(lambda: inner.entered == ["b"])
    c = asyncio.create_task(_call(gate, "/c"))
    await _until(lambda: gate.admission.queued == 1)
    outside.set()
    await _until(lambda: gate.admission.queued == 2)  # the slow request waits again, ahead of c
    inner.release("b")
    inner.release("c")
    await asyncio.gather(slow, b, c)
    assert order == ["slow out", "b", "slow back", "c"]
    assert gate.admission.running == 0 and gate.admission.queued == 0


async def test_only_a_slow_wait_outside_gives_the_place_back() -> None:
    seen: list[int] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        quick: asyncio.Future[int] = loop.create_future()
        quick.set_result(1)
        seen.append(await awaited_outside_when_slow(quick, after_s=0))
        seen.append(gate.admission.running)  # an answer already there: the place was never given back
        slow: asyncio.Future[int] = loop.create_future()

        async def answer_once_outside() -> None:
            await _until(lambda: gate.admission.running == 0)  # the slow wait gave the place back
            seen.append(gate.admission.running)
            slow.set_result(2)

        answering = asyncio.create_task(answer_once_outside())
        seen.append(await awaited_outside_when_slow(slow, after_s=0))
        await answering
        seen.append(gate.admission.running)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    gate = AdmissionGate(app, Admission(1))
    await _call(gate, "/x")
    assert seen == [1, 1, 0, 2, 1] and gate.admission.running == 0


async def test_a_request_whose_client_left_while_it_waited_is_not_run() -> None:
    inner = Parked()
    gate = AdmissionGate(inner, Admission(1))
    first = asyncio.create_task(_call(gate, "/a"))
    await _until(lambda: inner.entered == ["a"])
    left = asyncio.create_task(_call(gate, "/b", gone=True))
    waiting = asyncio.create_task(_call(gate, "/c"))
    await _until(lambda: gate.admission.queued == 2)
    for name in "abc":
        inner.release(name)
    answers = await asyncio.gather(first, left, waiting)
    assert inner.entered == ["a", "c"]  # b's client had gone: its work was never done
    assert answers[1][0]["status"] == 499 and answers[2][0]["status"] == 200
    assert gate.admission.running == 0 and gate.admission.queued == 0
    # Admitted at once, a request runs without the check (its client is there a moment ago).
    inner.release("d")
    assert (await _call(gate, "/d", gone=True))[0]["status"] == 200


async def test_a_request_cancelled_while_waiting_leaves_the_queue() -> None:
    inner = Parked()
    gate = AdmissionGate(inner, Admission(1))
    first = asyncio.create_task(_call(gate, "/a"))
    await _until(lambda: gate.admission.running == 1)
    gone = asyncio.create_task(_call(gate, "/b"))
    last = asyncio.create_task(_call(gate, "/c"))
    await _until(lambda: gate.admission.queued == 2)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert gate.admission.queued == 1
    inner.release("a")
    inner.release("c")
    await asyncio.gather(first, last)
    assert inner.entered == ["a", "c"] and gate.admission.running == 0 and gate.admission.queued == 0


async def test_no_limit_admits_everything_at_once() -> None:
    inner = Parked()
    gate = AdmissionGate(inner, Admission(0))
    tasks = [asyncio.create_task(_call(gate, f"/{n}")) for n in "abcdef"]
    await _until(lambda: len(inner.entered) == 6)
    for n in "abcdef":
        inner.release(n)
    await asyncio.gather(*tasks)


def _find_gate(app: FastAPI) -> AdmissionGate:
    layer: object = app.middleware_stack
    while not isinstance(layer, AdmissionGate):
        layer = layer.app  # type: ignore[attr-defined]
    return layer


async def test_the_service_runs_behind_the_gate_with_its_setting(settings: Settings, api: Api) -> None:
    # One place only: concurrent reads, writes and body-carrying requests all finish (nothing
    # inside a request waits for another request), and the place is free afterwards.
    application = create_app(settings.model_copy(update={"request_concurrency": 1}))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=("10.1.2.3", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            calls = [client.get("/api/auth/me", headers=api.admin) for _ in range(3)]
            calls += [client.get("/api/units", headers=api.admin) for _ in range(3)]
            calls += [client.post("/api/units", headers=api.admin, json={
                "code": f"gate{api.tag}{n}", "name": f"准入测试单位{n}", "kind": "department",
                "parent_id": api.units["d1"]}) for n in range(3)]
            answers = await asyncio.gather(*calls)
            assert [r.status_code for r in answers] == [200] * 6 + [201] * 3, answers[-1].text
            gate = _find_gate(application)
            assert gate.admission is application.state.admission
            assert gate.admission.report() == {"limit": 1, "running": 0, "queued": 0}
            # Operators see the places in /api/status (the status request holds the only one).
            status = await client.get("/api/status", headers=api.admin)
            assert status.json()["requests"] == {"limit": 1, "running": 1, "queued": 0}


async def test_a_hung_search_engine_does_not_hold_the_place_other_requests_need(
        settings: Settings, api: Api) -> None:
    # A stand-in Meilisearch that accepts the search and answers only when the test says so.
    connected, answer = asyncio.Event(), asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.set()
        await answer.wait()
        body = b'{"message":"down","code":"internal","type":"internal","link":""}'
        writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    _, officer = await api.user("officer", [api.units["d1"]])
    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    application = create_app(settings.model_copy(update={
        "meili_url": f"http://127.0.0.1:{port}", "meili_timeout_s": 60.0, "request_concurrency": 1}))
    try:
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application, client=("10.1.2.3", 5555))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                search = asyncio.create_task(
                    client.get("/api/search", params={"q": "城中村"}, headers=officer))
                await asyncio.wait_for(connected.wait(), 60)
                # The search waits on the engine in a thread, outside its place: the only place
                # is free for a request that does not need the engine.
                # (bounded only so that a regression fails instead of hanging the suite)
                units = await asyncio.wait_for(client.get("/api/units", headers=officer), 60)
                assert units.status_code == 200 and not search.done()
                answer.set()
                answered = await search
                assert answered.status_code == 503, answered.text
                assert application.state.admission.running == 0
    finally:
        server.close()
        await server.wait_closed()
