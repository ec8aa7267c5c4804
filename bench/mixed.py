"""Mixed load against the real stack: 70 % search, 20 % dossier reads, 10 % filings.

    python -m bench.mixed                    # 2,000-cadre data set, 10/20/50 clients, 20 s each
    python -m bench.mixed --cadres 20000     # the search bench's full data set
    python -m bench.mixed --seconds 10 --clients 10 20
    python -m bench.mixed --request-concurrency 0 8   # two API servers: no admission gate, gate of 8

Closed-loop clients (no think time), each with one kept-alive connection (bench.loadgen):
searches (the search bench's query mix) and dossier reads (GET /api/cadres/{id}: profile,
resume, appraisals, rewards; audited) as the demo officer, filings (POST /api/records, a
submitted record about two cadres; audited, indexed) as the demo researcher in a campaign
opened for the run. The API server is a uvicorn subprocess as `cadre serve` starts it, with
the audit sealer running in it; `--request-concurrency` starts one server per admission-gate
setting (service/admission.py) and runs every level on each, in rotating order. Printed per
level: throughput, p50/p95/p99 per kind, errors, the audit sealer's lag (entry time to sealing,
entries of that level), the share of PostgreSQL samples in which a request backend waited on a
lock, and the CPU split per process.

Baseline ("raw", same mix, same clients): searches as a bare keep-alive HTTP POST straight to
Meilisearch with the body the service builds; dossier reads and filings as the service
functions called in this process (their SQL and audit writes without HTTP, framework or
serialisation). Levels rotate the paths' order.
"""

import argparse
import asyncio
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from bench.common import (  # noqa: E402
    CpuMeter,
    RunningServer,
    api_server,
    cpu_count,
    percentile,
    postmaster_pid,
    print_table,
)
from bench.indexing import FilingWorld, open_campaign, record_payload  # noqa: E402
from bench.loadgen import Connection, Target  # noqa: E402
from bench.search_data import Dataset, Stack, login, search_stack  # noqa: E402
from bench.search_mix import Prepared, make_queries, officer_access, prepare  # noqa: E402
from schemas import clock  # noqa: E402
from schemas.common import Role  # noqa: E402
from schemas.records import RecordCreate  # noqa: E402
from service.audit.repo import seal_lag, unsealed_count  # noqa: E402
from service.cadres import service as cadres  # noqa: E402
from service.db import create_pool  # noqa: E402
from service.principal import Principal  # noqa: E402
from service.records import service as records  # noqa: E402

KINDS = ("search", "dossier", "filing")
WEIGHTS = (70, 20, 10)


@dataclass
class Level:
    """One measured run of the mix on one path at one number of clients."""

    path: str
    clients: int
    wall_s: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    failures: Counter[str] = field(default_factory=Counter)  # what each error was
    lag_s: list[float] = field(default_factory=list)
    lock_samples: int = 0
    lock_waiting_samples: int = 0
    lock_waiters: int = 0
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def ops(self) -> int:
        """Operations completed without error."""
        return sum(len(v) for v in self.latencies.values())


@dataclass
class Mix:
    """Everything a client needs, built before the clock starts."""

    searches: list[Prepared]
    search_requests: list[bytes]
    meili_requests: list[bytes]
    cadre_ids: list[int]
    dossier_requests: list[bytes]
    world: FilingWorld
    officer: Principal
    researcher: Principal
    researcher_headers: dict[str, str]
    kinds: list[str]


Op = Callable[[int], Awaitable[None]]


class Refused(Exception):
    """An answer other than the one a kind expects (its status and the start of its body)."""


def _expect(status: int, body: bytes, wanted: int) -> None:
    if status != wanted:
        raise Refused(f"{status} {body[:120].decode(errors='replace')}")


def api_ops(mix: Mix, api: Connection) -> dict[str, Op]:
    """The three kinds as HTTP requests to the API server (prepared bytes)."""
    async def search(n: int) -> None:
        _expect(*await api.send(mix.search_requests[n % len(mix.search_requests)]), 200)

    async def dossier(n: int) -> None:
        _expect(*await api.send(mix.dossier_requests[n % len(mix.dossier_requests)]), 200)

    async def filing(n: int) -> None:
        headers = {**mix.researcher_headers, "Idempotency-Key": f"mixed-{uuid.uuid4().hex}"}
        _expect(*await api.send(api.target.post_json("/api/records", record_payload(mix.world, n),
                                                      headers)), 201)

    return {"search": search, "dossier": dossier, "filing": filing}


def raw_ops(mix: Mix, meili: Connection, pool: asyncpg.Pool) -> dict[str, Op]:
    """The same mix without the API: Meilisearch directly, service functions in process."""
    async def search(n: int) -> None:
        _expect(*await meili.send(mix.meili_requests[n % len(mix.meili_requests)]), 200)

    async def dossier(n: int) -> None:
        await cadres.get_cadre(pool, mix.officer, mix.cadre_ids[n % len(mix.cadre_ids)])

    async def filing(n: int) -> None:
        body = RecordCreate.model_validate(record_payload(mix.world, n))
        await records.create_record(pool, mix.researcher, body=body, key=f"mixed-{uuid.uuid4().hex}")

    return {"search": search, "dossier": dossier, "filing": filing}


async def run_level(path: str, clients: int, seconds: float, make_ops: Callable[[], dict[str, Op]],
                    mix: Mix, url: str, meter: CpuMeter) -> Level:
    """C closed-loop clients for a while; latencies per kind, lock samples, sealer lag, CPU."""
    level = Level(path, clients)
    counter = iter(range(10**9))
    stop = asyncio.Event()
    started = clock.now()

    async def client() -> None:
        ops = make_ops()
        while not stop.is_set():
            n = next(counter)
            kind = mix.kinds[n % len(mix.kinds)]
            t0 = time.perf_counter()
            try:
                await ops[kind](n)
            except Exception as exc:  # counted, never fatal: errors are part of the figures
                level.errors[kind] += 1
                level.failures[f"{kind}: {type(exc).__name__} {str(exc)[:160]}"] += 1
            else:
                level.latencies[kind].append((time.perf_counter() - t0) * 1000)

    monitor = await asyncpg.connect(url)
    try:
        before, own = meter.sample(), _own_cpu()
        t0 = time.perf_counter()
        tasks = [asyncio.create_task(client()) for _ in range(clients)]
        sampler = asyncio.create_task(_sample_locks(monitor, level, stop))
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.gather(*tasks)
        level.wall_s = time.perf_counter() - t0
        await sampler
        level.cpu = CpuMeter.delta(before, meter.sample())
        level.cpu["bench"] = _own_cpu() - own
        await _until_sealed(monitor)
        level.lag_s = await seal_lag(monitor, started)
    finally:
        await monitor.close()
    return level


async def _sample_locks(conn: asyncpg.Connection, level: Level, stop: asyncio.Event) -> None:
    """Every 50 ms: do any request backends wait on a lock (advisory or row/table)?"""
    while not stop.is_set():
        waiting = await conn.fetchval(
            """SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cadre'
               AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()""")
        level.lock_samples += 1
        level.lock_waiters += waiting
        level.lock_waiting_samples += 1 if waiting else 0
        await asyncio.sleep(0.05)


async def _until_sealed(conn: asyncpg.Connection, limit_s: float = 30.0) -> None:
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        if not await unsealed_count(conn):
            return
        await asyncio.sleep(0.05)


def _own_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


async def build_mix(stack: Stack, base_url: str, args: argparse.Namespace) -> Mix:
    """Tokens, the campaign to file into, the prepared requests and the op sequence."""
    officer_token, researcher_token = login(base_url, "officer"), login(base_url, "researcher")
    principal, scope = await officer_access(stack.url)
    queries = await make_queries(stack.url, args.queries, args.seed)
    prepared = prepare(queries, principal, scope)
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        world = await open_campaign(http, officer_token, stack.url)
    conn = await asyncpg.connect(stack.url)
    try:
        cadre_ids = [r["id"] for r in await conn.fetch(
            "SELECT id FROM cadres ORDER BY md5(id::text) LIMIT 500")]
        rid = await conn.fetchrow(
            "SELECT id, username, display_name FROM users WHERE username = 'researcher'")
    finally:
        await conn.close()
    api, meili = Target.of(base_url), Target.of(stack.settings.meili_url or "")
    officer_h = {"Authorization": f"Bearer {officer_token}"}
    key = stack.settings.meili_search_key
    assert key is not None
    meili_h = {"Authorization": f"Bearer {key.get_secret_value()}"}
    rng = random.Random(args.seed)
    return Mix(
        searches=prepared,
        search_requests=[api.get("/api/search", p.query.params, officer_h) for p in prepared],
        meili_requests=[meili.post_json(f"/indexes/{stack.index_uid}/search",
                                        {"q": p.encoded, **p.body}, meili_h) for p in prepared],
        cadre_ids=cadre_ids,
        dossier_requests=[api.get(f"/api/cadres/{c}", None, officer_h) for c in cadre_ids],
        world=world, officer=principal,
        researcher=Principal(rid["id"], rid["username"], rid["display_name"], Role.researcher,
                             "127.0.0.1"),
        researcher_headers={"Authorization": f"Bearer {researcher_token}"},
        kinds=rng.choices(KINDS, weights=WEIGHTS, k=10_000))


async def bench(stack: Stack, servers: dict[str, RunningServer], args: argparse.Namespace) -> list[Level]:
    """Warm up, then each level on every API server and on the raw path (rotating order)."""
    base_url = next(iter(servers.values())).base_url
    mix = await build_mix(stack, base_url, args)
    pool = await create_pool(stack.url, 4, max(args.clients) + 4)
    try:
        conn = await asyncpg.connect(stack.url)
        try:
            pg = await postmaster_pid(conn)
        finally:
            await conn.close()
        meter = CpuMeter({**{f"API server {name}": s.pid for name, s in servers.items()},
                          "Meilisearch": stack.meili_pid, "PostgreSQL": pg})
        meili_t = Target.of(stack.settings.meili_url or "")
        paths: dict[str, Callable[[], dict[str, Op]]] = {
            name: partial(lambda t: api_ops(mix, Connection(t)), Target.of(s.base_url))
            for name, s in servers.items()}
        paths["raw"] = lambda: raw_ops(mix, Connection(meili_t), pool)
        for name, make in paths.items():  # warm-up: connections, caches, prepared statements
            await run_level(name, 4, 3.0, make, mix, stack.url, meter)
        levels: list[Level] = []
        names = list(paths)
        for i, clients in enumerate(args.clients):
            for name in names[i % len(names):] + names[:i % len(names)]:
                levels.append(await run_level(name, clients, args.seconds, paths[name], mix, stack.url,
                                              meter))
                print(f"  {name} {clients} clients: {levels[-1].ops / levels[-1].wall_s:,.0f} ops/s",
                      flush=True)
        return levels
    finally:
        await pool.close()


def report(levels: list[Level], stack: Stack, args: argparse.Namespace) -> None:
    """Per level, then the targets."""
    print()
    print(f"CPUs available: {cpu_count()} (shared machine: compare only within this run)")
    print(f"database: {stack.origin}; rows: {stack.counts}")
    print(f"mix {dict(zip(KINDS, WEIGHTS, strict=True))}, closed loop, {args.seconds:.0f} s per level")
    print()
    rows: list[list[object]] = []
    for lv in levels:
        row: list[object] = [lv.path, lv.clients, lv.ops, lv.ops / lv.wall_s, sum(lv.errors.values())]
        for kind in KINDS:
            lat = lv.latencies[kind]
            row += [percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)]
        rows.append(row)
    print_table(["path", "clients", "ops", "ops/s", "errors",
                 *(f"{k[:6]} {q}" for k in KINDS for q in ("p50", "p95", "p99"))], rows)
    for lv in levels:
        for what, n in lv.failures.most_common(5):
            print(f"  {lv.path} {lv.clients} clients, {n} x {what}")
    print()
    rows = []
    for lv in levels:
        per = {g: lv.cpu.get(g, float("nan")) * 1000 / max(lv.ops, 1)
               for g in (f"API server {lv.path}", "Meilisearch", "PostgreSQL", "bench")}
        rows.append([lv.path, lv.clients, percentile(lv.lag_s, 50), percentile(lv.lag_s, 95),
                     max(lv.lag_s, default=float("nan")), len(lv.lag_s),
                     100 * lv.lock_waiting_samples / max(lv.lock_samples, 1),
                     lv.lock_waiters / max(lv.lock_samples, 1), *per.values(),
                     100 * lv.cpu.get("machine other", float("nan"))])
    print_table(["path", "clients", "seal lag p50 s", "p95 s", "max s", "entries",
                 "lock-wait samples %", "waiters avg", "api cpu ms/op", "meili cpu ms/op",
                 "pg cpu ms/op", "bench cpu ms/op", "others %"], rows)
    print()
    raw = {lv.clients: lv for lv in levels if lv.path == "raw"}
    for path in dict.fromkeys(lv.path for lv in levels if lv.path != "raw"):
        api = {lv.clients: lv for lv in levels if lv.path == path}
        for c in args.clients:
            a, r = api[c], raw[c]
            ratios = ", ".join(
                f"{k} p95 API/raw {percentile(a.latencies[k], 95) / percentile(r.latencies[k], 95):.2f}"
                for k in KINDS)
            print(f"{path}, {c} clients: API/raw throughput {a.ops / a.wall_s / (r.ops / r.wall_s):.2f}; "
                  f"{ratios}")
        if 20 in api and 50 in api:
            t20, t50 = api[20].ops / api[20].wall_s, api[50].ops / api[50].wall_s
            p99 = max(percentile(api[50].latencies[k], 99) for k in KINDS)
            print(f"{path} target: throughput at 50 >= at 20: {t50:,.0f} vs {t20:,.0f} ops/s -> "
                  f"{'meets' if t50 >= t20 else 'MISSES'}; p99 at 50 clients (worst kind) {p99:,.0f} ms "
                  f"-> {'meets' if p99 <= 1000 else 'MISSES'} the 1 s target")
    lag = [x for lv in levels for x in lv.lag_s]
    print(f"sealer lag over all levels: p95 {percentile(lag, 95):.3f} s -> "
          f"{'meets' if percentile(lag, 95) <= 1 else 'MISSES'} the 1 s target")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cadres", type=int, default=2000)
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 20, 50])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per level")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--request-concurrency", type=int, nargs="+", default=[],
                        help="API servers to compare, one per CADRE_REQUEST_CONCURRENCY value "
                             "(default: one server with the service's default)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Bring up (or reuse) the data set, start the API server and run the levels."""
    args = parse_args(argv)
    ds = Dataset(args.cadres)
    gates: list[int | None] = list(args.request_concurrency) or [None]
    with search_stack(ds) as stack, tempfile.TemporaryDirectory(prefix="cadre-bench-mixed-") as tmp, \
            ExitStack() as servers_up:
        servers: dict[str, RunningServer] = {}
        for gate in gates:
            env = stack.server_env() | ({} if gate is None else {"CADRE_REQUEST_CONCURRENCY": str(gate)})
            work = Path(tmp) / f"server-{gate}"
            work.mkdir()
            servers["API" if gate is None else f"API gate {gate}"] = servers_up.enter_context(
                api_server(stack.url, work, extra_env=env))
        levels = asyncio.run(bench(stack, servers, args))
        report(levels, stack, args)
        for name, server in servers.items():
            print(f"({name} server log: {server.log_path}; pid {server.pid})")
        print(f"(bench pid {os.getpid()})")


if __name__ == "__main__":
    main()
