"""Benchmark of search through the HTTP API against the same Meilisearch request sent directly.

    python -m bench.search                  # 20,000 cadres (~200k records, ~200k evidence), 200 queries
    python -m bench.search --quick          # 2,000 cadres, 100 queries (smoke test)
    python -m bench.search --profile        # also py-spy the API server during one more API run
    python -m bench.search --reference      # also a bare keep-alive HTTP POST, the client as shipped
                                            # and the API through an httpx.Client

The data set is the demo generator's (seed 20241), kept between runs: in an embedded PostgreSQL
under .data/bench/pg (or, with CADRE_DATABASE_URL set, database cadre_bench_search on that
server), its build parameters in the database's comment; and in a Meilisearch under
.data/bench/meili whose index is reused while its build marker matches. The first full run loads
(~100 s) and indexes (15-30 min on 2 shared cores) it with the real `indexer.reindex`; later runs
start in seconds (about 9 GB on disk for the full size).

API path: GET /api/search on a uvicorn subprocess started as `cadre serve` does, as the demo
officer (city-wide scope), C threads each sending prepared request bytes over its own kept-alive
socket (bench.loadgen.BlockingConnection; the load generator, not the server, had been ~0.5 ms
of every API figure with an httpx.Client per thread, kept as a reference path). Direct path: the
official meilisearch client used the blocking way (bench.meili_blocking: the client's request
layer and validation, one kept-alive connection per thread; the service sends the same client's
requests on its event loop instead, service.search.transport), sending the request the service
builds (its public
`service.search.service.meili_request` for the officer's scope) with the same search-only key.
Both paths parse the JSON answer. Rounds rotate the order. The target is "API <= 1.3 x direct +
2 ms" at p50 and p95. Modules: search_data (data set, stack), search_mix (queries), search_run
(paths, threads), search_breakdown (in-process steps), profiling (py-spy).

The service surface benchmarks call (all public): service.search.service.meili_request and
build_result, service.search.repo.load_scope,
service.auth.service.authenticate, service.uow.audit_only, service.audit.repo.insert_entries,
service.idempotency.fingerprint, and the domains' repo/service functions named in each bench.
"""

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bench.common import (  # noqa: E402
    CpuMeter,
    RunningServer,
    api_server,
    cpu_count,
    percentile,
    postmaster_pid,
    print_table,
)
from bench.profiling import py_spy, read_profile  # noqa: E402
from bench.search_breakdown import breakdown  # noqa: E402
from bench.search_data import Dataset, Stack, login, search_stack  # noqa: E402
from bench.search_mix import Prepared, Query, make_queries, officer_access, prepare  # noqa: E402
from bench.search_run import (  # noqa: E402
    HTTPX_API,
    KEEPALIVE,
    NEWCONN,
    Call,
    Phase,
    Runner,
    api_caller,
    direct_caller,
    httpx_api_caller,
    keepalive_caller,
    newconn_caller,
    verify,
)

TARGET_FACTOR, TARGET_PLUS_MS = 1.3, 2.0


def _own_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _stats(lat: list[float]) -> tuple[float, float, float, float]:
    return (percentile(lat, 50), percentile(lat, 95), percentile(lat, 99),
            sum(lat) / len(lat) if lat else float("nan"))


@dataclass
class Run:
    """One benchmark run: the mix, the paths and what was measured."""

    stack: Stack
    server: RunningServer
    args: argparse.Namespace
    token: str
    queries: list[Query]
    prepared: list[Prepared]
    factories: dict[str, Callable[[], Call]]
    floor: RunningServer | None = None
    phases: list[Phase] = field(default_factory=list)
    mismatches: int = 0
    totals: list[int] = field(default_factory=list)
    warm_s: float = 0.0

    @property
    def work(self) -> list[tuple[int, Prepared]]:
        """The mix as (index, query) pairs."""
        return list(enumerate(self.prepared))


def setup(stack: Stack, server: RunningServer, floor: RunningServer | None,
          args: argparse.Namespace) -> Run:
    """Log in, build the mix with the service's own request building, and the callers of each path."""
    meili_url, key = stack.settings.meili_url, stack.settings.meili_search_key
    assert meili_url and key
    token = login(server.base_url, "officer")
    principal, scope = asyncio.run(officer_access(stack.url))
    queries = asyncio.run(make_queries(stack.url, args.queries, args.seed))
    secret = key.get_secret_value()
    factories = {"API": api_caller(server.base_url, token),
                 "direct": direct_caller(meili_url, secret, stack.index_uid)}
    if floor is not None:
        factories["floor"] = api_caller(floor.base_url, token)
    if args.reference:
        factories[KEEPALIVE] = keepalive_caller(meili_url, secret, stack.index_uid)
        factories[NEWCONN] = newconn_caller(meili_url, secret, stack.index_uid)
        factories[HTTPX_API] = httpx_api_caller(server.base_url, token)
    return Run(stack, server, args, token, queries, prepare(queries, principal, scope), factories,
               floor)


SERVER_METER = {"API": "API server", "floor": "floor server"}  # CpuMeter group of each server path


def meter_of(run: Run) -> CpuMeter:
    """CPU meters of the API server, Meilisearch and PostgreSQL (this process: rusage)."""
    async def pg_pid() -> int | None:
        conn = await asyncpg.connect(run.stack.url)
        try:
            return await postmaster_pid(conn)
        finally:
            await conn.close()

    return CpuMeter({SERVER_METER["API"]: run.server.pid, "Meilisearch": run.stack.meili_pid,
                     "PostgreSQL": asyncio.run(pg_pid()),
                     SERVER_METER["floor"]: run.floor.pid if run.floor else None})


def measure(run: Run, meter: CpuMeter) -> None:
    """Warm up and verify, then run every path in rotating order, each round the whole mix."""
    t0 = time.perf_counter()
    run.mismatches, run.totals = verify(run.prepared, run.factories["API"](), run.factories["direct"]())
    run.warm_s = time.perf_counter() - t0
    work = run.work
    for c in run.args.concurrency:
        runners = {name: Runner(f, c) for name, f in run.factories.items()}
        try:
            for name in runners:  # per-thread connections and caches
                runners[name].run(work[: max(c * 2, 10)])
            paths = list(runners)
            for rnd in range(1, run.args.rounds + 1):
                shift = (rnd - 1) % len(paths)
                for name in paths[shift:] + paths[:shift]:
                    run.phases.append(_phase(runners[name], name, c, rnd, work, meter))
        finally:
            for r in runners.values():
                r.close()


def _phase(runner: Runner, name: str, c: int, rnd: int, work: list[tuple[int, Prepared]],
           meter: CpuMeter) -> Phase:
    before, own = meter.sample(), _own_cpu()
    wall, lat = runner.run(work)
    after, own = meter.sample(), _own_cpu() - own
    cpu = CpuMeter.delta(before, after)
    total = after[1][2] - before[1][2]
    cpu["bench"] = own
    if total > 0 and "machine other" in cpu:
        cpu["machine other"] = max(0.0, cpu["machine other"] - own / total)
    return Phase(name, c, rnd, wall, lat, cpu)


def profiled(run: Run) -> tuple[str, RunningServer]:
    """The path and server `--profile` records: the floor's with --profile-floor, else the API's."""
    return ("floor", run.floor) if run.args.profile_floor and run.floor else ("API", run.server)


def profile_api(run: Run, meter: CpuMeter) -> tuple[Path, int, float, int, float]:
    """py-spy the API (or floor) server while its path runs the mix for a while."""
    args = run.args
    c = args.profile_concurrency
    out = Path(tempfile.gettempdir()) / f"bench-search-pyspy-{os.getpid()}.txt"
    name, server = profiled(run)
    runner = Runner(run.factories[name], c)
    try:
        with py_spy(server.pid, out, args.profile_rate):
            before = meter.sample()
            t0 = time.perf_counter()
            n = 0
            while time.perf_counter() - t0 < args.profile_seconds:
                n += len(runner.run(run.work)[1])
            wall = time.perf_counter() - t0
            server_ms = CpuMeter.delta(before, meter.sample()).get(SERVER_METER[name], 0.0) * 1000 / n
    finally:
        runner.close()
    return out, n, wall, c, server_ms


def report_setup(run: Run) -> None:
    """Where the figures come from."""
    stack, server, args = run.stack, run.server, run.args
    print()
    print(f"CPUs available: {cpu_count()} (shared machine: compare only within this run)")
    print(f"database: {stack.origin}; rows: {stack.counts}")
    print(f"search: Meilisearch pid {stack.meili_pid} at {stack.settings.meili_url}, index "
          f"{stack.index_uid} ({sum(stack.counts.values())} documents + marker)")
    if stack.setup:
        print("setup this run: " + ", ".join(f"{k} {v:,.1f}" for k, v in stack.setup.items()))
    print(f"API server: uvicorn subprocess pid {server.pid} ({server.base_url}), user officer "
          f"(city-wide scope)")
    cats = Counter(q.category for q in run.queries)
    print(f"query mix: {len(run.queries)} queries (seed {args.seed}): "
          + ", ".join(f"{k} {v}" for k, v in sorted(cats.items())))
    print(f"hits per query: median {percentile(run.totals, 50):,.0f}, p95 "
          f"{percentile(run.totals, 95):,.0f}, zero-hit queries {sum(1 for t in run.totals if not t)}")
    print(f"warm-up/verification: every query once per path in {run.warm_s:.1f}s; answers differing "
          f"between API and direct (total or hit ids): {run.mismatches}")
    print(f"rounds: {args.rounds} per concurrency, each the whole mix per path, rotating order")
    print()


def report_phases(run: Run) -> None:
    """One line per measured pass, with the CPU split."""
    rows: list[list[object]] = []
    for p in run.phases:
        ms = [x for _, x in p.latencies]
        p50, p95, p99, _ = _stats(ms)
        server = SERVER_METER.get(p.path, SERVER_METER["API"])
        rows.append([p.path, p.concurrency, p.round, len(ms), len(ms) / p.wall_s, p50, p95, p99,
                     *(p.cpu.get(g, float("nan")) * 1000 / len(ms)
                       for g in (server, "Meilisearch", "PostgreSQL", "bench")),
                     100 * p.cpu.get("machine other", float("nan"))])
    print_table(["path", "conc", "round", "queries", "q/s", "p50 ms", "p95 ms", "p99 ms",
                 "server cpu ms/q", "meili cpu ms/q", "pg cpu ms/q", "bench cpu ms/q", "others %"], rows)
    print()


def report_summary(run: Run) -> None:
    """Per path and concurrency, the ratios to the direct path and the target check."""
    summary: list[list[object]] = []
    checks: list[str] = []
    for c in run.args.concurrency:
        got = {}
        for name in run.factories:
            ms = [x for p in run.phases if p.path == name and p.concurrency == c for _, x in p.latencies]
            wall = sum(p.wall_s for p in run.phases if p.path == name and p.concurrency == c)
            got[name] = (*_stats(ms), len(ms) / wall, len(ms))
            label = "direct (official client, pooled)" if name == "direct" else name
            summary.append([label, c, got[name][5], got[name][4], *got[name][:4]])
        a, d = got["API"], got["direct"]
        summary.append(["ratio API/direct", c, "", a[4] / d[4], a[0] / d[0], a[1] / d[1], a[2] / d[2],
                        a[3] / d[3]])
        summary.append(["API - direct (ms)", c, "", "", a[0] - d[0], a[1] - d[1], a[2] - d[2],
                        a[3] - d[3]])
        if "floor" in got:
            f = got["floor"]
            summary.append(["ratio floor/direct", c, "", f[4] / d[4], f[0] / d[0], f[1] / d[1],
                            f[2] / d[2], f[3] / d[3]])
            for label, i in (("p50", 0), ("p95", 1)):
                limit = TARGET_FACTOR * d[i] + TARGET_PLUS_MS
                checks.append(f"  floor (bare FastAPI: token, request, audit, page) c{c} {label}: "
                              f"{f[i]:.2f} ms -> {'within' if f[i] <= limit else 'ABOVE'} the limit "
                              f"{limit:.2f} ms")
        if KEEPALIVE in got:
            k = got[KEEPALIVE]
            summary.append(["official client - raw HTTP (ms)", c, "", "", d[0] - k[0], d[1] - k[1],
                            d[2] - k[2], d[3] - k[3]])
        for label, i in (("p50", 0), ("p95", 1)):
            limit = TARGET_FACTOR * d[i] + TARGET_PLUS_MS
            checks.append(f"concurrency {c} {label}: API {a[i]:.2f} ms vs limit {TARGET_FACTOR} x "
                          f"{d[i]:.2f} + {TARGET_PLUS_MS:.0f} = {limit:.2f} ms -> "
                          f"{'meets' if a[i] <= limit else 'MISSES'} (ratio {a[i] / d[i]:.2f})")
    print_table(["path", "conc", "queries", "q/s", "p50 ms", "p95 ms", "p99 ms", "mean ms"], summary)
    print()
    if run.args.reference:
        print(f"'{KEEPALIVE}': the same request as a bare keep-alive HTTP POST (httpx, TCP_NODELAY); "
              f"'{NEWCONN}': the official client as shipped (a new TCP connection per call); "
              f"'{HTTPX_API}': the API path through a keep-alive httpx.Client per thread")
    print("target: API <= 1.3 x direct + 2 ms")
    for line in checks:
        print("  " + line)
    print()


def report_categories(run: Run) -> None:
    """p50 per query category, API and direct."""
    by_cat: list[list[object]] = []
    cats = Counter(q.category for q in run.queries)
    for cat in sorted(cats):
        idx = {i for i, q in enumerate(run.queries) if q.category == cat}
        row: list[object] = [cat, len(idx)]
        for c in run.args.concurrency:
            for name in ("API", "direct"):
                row.append(percentile([x for p in run.phases if p.path == name and p.concurrency == c
                                       for i, x in p.latencies if i in idx], 50))
        by_cat.append(row)
    print_table(["category", "n", *(f"{n} c{c} p50" for c in run.args.concurrency
                                    for n in ("API", "direct"))], by_cat)


def report_slowest(run: Run, n: int) -> None:
    """The queries the API adds most time to over the direct path (median per query, lowest concurrency)."""
    c = min(run.args.concurrency)
    per: dict[str, dict[int, list[float]]] = {"API": {}, "direct": {}}
    for p in run.phases:
        if p.concurrency == c and p.path in per:
            for i, x in p.latencies:
                per[p.path].setdefault(i, []).append(x)
    rows: list[list[object]] = []
    for i, q in enumerate(run.queries):
        a, d = per["API"].get(i), per["direct"].get(i)
        if a and d:
            api, direct = percentile(a, 50), percentile(d, 50)
            shown = " ".join(f"{k}={v}" for k, v in q.params.items())
            rows.append([shown[:60], q.category, run.totals[i], api, direct, api - direct])
    rows.sort(key=lambda r: -float(str(r[5])))
    print()
    print(f"the {n} queries the API adds most to (median per query, concurrency {c}):")
    print_table(["query", "category", "total", "API ms", "direct ms", "API - direct"], rows[:n])


def report_breakdown(steps: dict[str, list[float]]) -> None:
    """The in-process step timings."""
    print()
    print("in-process breakdown of one API search (service functions run one at a time, c=1, ms):")
    print_table(["step", "p50 ms", "p95 ms", "mean ms"], [[k, *_stats(v)[:2], _stats(v)[3]]
                                                          for k, v in steps.items()])


def report_profile(profile: tuple[Path, int, float, int, float], rate: int, who: str) -> None:
    """Where the profiled server's CPU samples fall: request step, library, leaf function."""
    out, n, wall, c, server_ms = profile
    total, by_step, by_lib, leaves = read_profile(out)
    print()
    print(f"py-spy of the {who} server ({rate} samples/s of threads py-spy sees as active), {n} {who} "
          f"queries at concurrency {c} in {wall:.1f}s; {total} samples "
          f"({total / rate * 1000 / max(n, 1):.2f} active-thread ms/query); the server used "
          f"{server_ms:.2f} CPU ms/query, shared out below by busy-sample share; raw stacks in {out}")
    print_table(["request step (first matching group)", "samples", "% busy", "CPU ms/query"],
                [[k, v, 100 * v / total, server_ms * v / total] if not k.startswith("idle")
                 else [k, v, "", ""] for k, v in by_step.most_common()])
    print()
    print_table(["library (innermost frame)", "samples", "% busy", "CPU ms/query"],
                [[k, v, 100 * v / total, server_ms * v / total] for k, v in by_lib.most_common()])
    print()
    print_table(["top leaf functions", "samples", "%"],
                [[k[:110], v, 100 * v / total] for k, v in leaves.most_common(15)])


def bench(stack: Stack, server: RunningServer, floor: RunningServer | None,
          args: argparse.Namespace) -> None:
    """Generate the mix, warm up and verify, run the rounds and print the results."""
    run = setup(stack, server, floor, args)
    meter = meter_of(run)
    measure(run, meter)
    steps = (asyncio.run(breakdown(stack, run.token, run.prepared, server.base_url))
             if args.breakdown else {})
    profile = profile_api(run, meter) if args.profile else None
    report_setup(run)
    report_phases(run)
    report_summary(run)
    report_categories(run)
    if args.slowest:
        report_slowest(run, args.slowest)
    if steps:
        report_breakdown(steps)
    if profile:
        report_profile(profile, args.profile_rate, profiled(run)[0])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cadres", type=int, default=20_000)
    parser.add_argument("--records-per-cadre", type=float, default=10.0)
    parser.add_argument("--evidence-per-cadre", type=float, default=10.0)
    parser.add_argument("--queries", type=int, default=200, help="queries in the mix (default 200)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the query mix")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--rounds", type=int, default=4, help="measured passes of the mix per path")
    parser.add_argument("--no-breakdown", dest="breakdown", action="store_false",
                        help="skip the in-process step timing")
    parser.add_argument("--slowest", type=int, default=0, metavar="N",
                        help="also list the N queries the API adds most time to")
    parser.add_argument("--profile", action="store_true", help="py-spy the API server on an extra run")
    parser.add_argument("--reference", action="store_true",
                        help="also run the direct request over keep-alive httpx (reference only)")
    parser.add_argument("--no-floor", dest="floor", action="store_false",
                        help="skip the framework floor path (bench.floor_app)")
    parser.add_argument("--profile-seconds", type=float, default=20.0)
    parser.add_argument("--profile-rate", type=int, default=250)
    parser.add_argument("--profile-concurrency", type=int, default=1)
    parser.add_argument("--profile-floor", action="store_true",
                        help="py-spy the floor server instead of the API server")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database and the index")
    parser.add_argument("--reindex", action="store_true", help="rebuild the index (keep the database)")
    parser.add_argument("--quick", action="store_true", help="2,000 cadres, 100 queries, 2 rounds")
    args = parser.parse_args(argv)
    if args.quick:
        args.cadres, args.queries, args.rounds = min(args.cadres, 2000), min(args.queries, 100), 2
    return args


def main(argv: list[str] | None = None) -> None:
    """Bring up (or reuse) the data set, start the API server and run the benchmark."""
    args = parse_args(argv)
    ds = Dataset(args.cadres, args.records_per_cadre, args.evidence_per_cadre)
    with search_stack(ds, rebuild=args.rebuild, reindex_always=args.reindex) as stack, \
            tempfile.TemporaryDirectory(prefix="cadre-bench-search-") as tmp, \
            api_server(stack.url, Path(tmp), extra_env=stack.server_env()) as server, \
            (api_server(stack.url, Path(tmp), extra_env=stack.server_env(), module="bench.floor_app")
             if args.floor else nullcontext()) as floor:
        bench(stack, server, floor, args)


if __name__ == "__main__":
    main()
