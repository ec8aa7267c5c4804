"""Shortlist benchmark: one position over 100,000 demo cadres and ~1,000,000 evidence items.

    python -m bench.shortlist [--runs 15] [--http] [--cadres 100000]

Builds (or reuses) the database of bench/shortlist_data.py, creates a position through the
service, then times N shortlist computations through the service function (and, with --http,
through the API server) against the bare SQL eligibility query alone (asyncpg), and prints
p50/p95 of each and their ratio, and the database CPU per call (user + system time of its backends,
from /proc: what the work costs, less inflated by other load on a shared machine than the wall
clock). Not a test: figures depend on the machine and its load.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from bench.common import api_server, cpu_count, percentile, print_table  # noqa: E402
from bench.shortlist_data import CADRES, bench_server, prepare  # noqa: E402
from schemas.common import Role  # noqa: E402
from schemas.positions import PositionCreate  # noqa: E402
from schemas.shortlists import ShortlistQuery  # noqa: E402
from service.db import create_pool  # noqa: E402
from service.demo import DEMO_PASSWORD  # noqa: E402
from service.positions import eligibility  # noqa: E402
from service.positions import service as positions  # noqa: E402
from service.principal import Principal  # noqa: E402
from service.shortlists import service as shortlists  # noqa: E402

REFERENCE = date(2026, 11, 1)  # "today" of the demo data
RULES = {
    "min_post_level": {"post_level": "section_deputy", "years": 2},
    "max_age": {"max_age": 50},
    "min_education": {"level": "bachelor"},
    "grassroots_years": 2,
    "domains": [{"domain": "urban_renewal", "min_verified": 1}],
    "appraisal": {"years": 3},
    "no_open_penalty": True,
}


async def _officer(pool: asyncpg.Pool) -> Principal:
    row = await pool.fetchrow("SELECT id, username, display_name FROM users WHERE username = 'officer'")
    assert row is not None, "demo officer missing"
    return Principal(row["id"], row["username"], row["display_name"], Role.officer)


async def _position(pool: asyncpg.Pool, officer: Principal) -> int:
    unit_id = await pool.fetchval(
        "SELECT id FROM units WHERE kind = 'department' AND name LIKE '%住房和城乡建设%' ORDER BY id LIMIT 1")
    if unit_id is None:
        unit_id = await pool.fetchval("SELECT id FROM units WHERE kind = 'department' ORDER BY id LIMIT 1")
    body = PositionCreate.model_validate({
        "unit_id": unit_id, "title": "住房和城乡建设局局长（基准测试）", "post_level": "section_main",
        "tier": "district_managed", "category": "urban_construction",
        "reference_date": REFERENCE.isoformat(), "rules": RULES})
    out = await positions.create_position(pool, officer, body=body, key=None)
    return out.id


BACKENDS = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend'")


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a local process; 0 when it is gone or unreadable."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _db_cpu(pool: asyncpg.Pool) -> dict[int, float]:
    """CPU seconds so far of every client backend of the bench database (a local server only):
    what the database spent, which the machine's other load does not inflate the way it does
    wall-clock time."""
    return {r["pid"]: _proc_cpu(r["pid"]) for r in await pool.fetch(BACKENDS)}


def _cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


@dataclass
class Sample:
    """Wall-clock times and database CPU per call; this process's CPU per call when in-process."""

    times: list[float] = field(default_factory=list)
    db_cpu: list[float] = field(default_factory=list)
    own_cpu: float | None = None


async def _time(pool: asyncpg.Pool, runs: int, call: object) -> Sample:
    out, own = Sample(), 0.0
    for _ in range(runs):
        before = await _db_cpu(pool)
        started, own_started = time.perf_counter(), time.process_time()
        await call()  # type: ignore[operator]
        out.times.append(time.perf_counter() - started)
        own += time.process_time() - own_started
        out.db_cpu.append(_cpu_delta(before, await _db_cpu(pool)))
    out.own_cpu = own / runs
    return out


Timings = dict[str, Sample]


async def _measure(url: str, runs: int) -> tuple[int, Timings, dict[str, int]]:
    pool = await create_pool(url, 1, 4)
    try:
        officer = await _officer(pool)
        position_id = await _position(pool, officer)
        position = await positions.get_position(pool, officer, position_id)
        sql, params = eligibility.eligible_query(officer, position.rules, position.reference_date)
        facts: dict[str, int] = {}

        async def bare() -> None:
            # The same session setting as the service uses (see eligibility.NO_JIT).
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(eligibility.NO_JIT)
                facts["eligible"] = len(await conn.fetch(sql, *params.values))

        async def bare_default_jit() -> None:
            async with pool.acquire() as conn:
                await conn.fetch(sql, *params.values)

        async def service_call() -> None:
            result = await shortlists.generate(pool, officer, position_id=position_id,
                                                 query=ShortlistQuery(top_n=20))
            facts["ranked"] = len(result.candidates)

        facts["cadres"] = await pool.fetchval("SELECT count(*) FROM cadres")
        facts["evidence"] = await pool.fetchval("SELECT count(*) FROM evidence")
        await bare()
        await service_call()  # warm caches for both
        times = {"eligibility SQL": await _time(pool, runs, bare),
                 "shortlist (service)": await _time(pool, runs, service_call),
                 "eligibility SQL, server-default JIT": await _time(pool, runs, bare_default_jit)}
        return position_id, times, facts
    finally:
        await pool.close()


async def _cpu_snapshot(url: str) -> dict[int, float]:
    pool = await create_pool(url, 1, 1)
    try:
        return await _db_cpu(pool)
    finally:
        await pool.close()


def _http_times(url: str, position_id: int, runs: int, port: int | None) -> Sample:
    with tempfile.TemporaryDirectory(prefix="bench-shortlist-") as work, \
            api_server(url, Path(work), port=port) as server, \
            httpx.Client(base_url=server.base_url, timeout=120) as client:
        token = client.post("/api/auth/login", json={"username": "officer", "password": DEMO_PASSWORD})
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        client.get(f"/api/positions/{position_id}/shortlist", headers=headers).raise_for_status()
        out = Sample()
        for _ in range(runs):
            before = asyncio.run(_cpu_snapshot(url))
            started = time.perf_counter()
            client.get(f"/api/positions/{position_id}/shortlist", headers=headers).raise_for_status()
            out.times.append(time.perf_counter() - started)
            out.db_cpu.append(_cpu_delta(before, asyncio.run(_cpu_snapshot(url))))
        return out


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--cadres", type=int, default=CADRES,
                        help="data set size (its own database; 20000 builds in about a minute)")
    parser.add_argument("--http", action="store_true", help="also time GET …/shortlist over HTTP")
    parser.add_argument("--port", type=int, default=None, help="the API server's port (default: a free one)")
    args = parser.parse_args()
    with bench_server() as server:
        url = prepare(server, args.cadres)
        load_before = os.getloadavg()
        position_id, times, facts = asyncio.run(_measure(url, args.runs))
        if args.http:
            times["shortlist (HTTP)"] = _http_times(url, position_id, args.runs, args.port)
    base, base95 = (percentile(times["eligibility SQL"].times, q) for q in (50, 95))
    base_cpu = statistics.fmean(times["eligibility SQL"].db_cpu)
    print(f"\n{facts['cadres']:,} cadres, {facts['evidence']:,} evidence items; "
          f"{facts['eligible']:,} eligible for position {position_id}; top {facts['ranked']} ranked; "
          f"{args.runs} runs; {cpu_count()} CPUs; load average (1 min) {load_before[0]:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")
    rows = [[name, percentile(x.times, 50) * 1000, percentile(x.times, 95) * 1000,
             percentile(x.times, 50) / base, percentile(x.times, 95) / base95,
             statistics.fmean(x.db_cpu) * 1000,
             statistics.fmean(x.db_cpu) / base_cpu if base_cpu else float("nan"),
             "-" if x.own_cpu is None else x.own_cpu * 1000]
            for name, x in times.items()]
    print_table(["what", "p50 ms", "p95 ms", "ratio to bare (p50)", "ratio to bare (p95)",
                 "DB CPU mean ms", "DB CPU ratio", "Python CPU mean ms"], rows)
    print("DB CPU: user + system time of the database's client backends during each call (read from"
          " /proc, so only for a server on this machine; a mean, as the clock ticks are 10 ms); Python CPU:"
          " this process's, for the calls made in-process.")


if __name__ == "__main__":
    main()
