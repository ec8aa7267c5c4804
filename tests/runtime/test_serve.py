"""`cadre serve` as operators run it: supervision, stop signals, leftovers, one server per directory.

Real processes throughout: the embedded PostgreSQL, Meilisearch, the indexer and the web
service, started by `python -m service.cli serve` on a temporary data directory.
"""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from service.runtime import _proc, pg_roles
from tests.runtime.serve_process import ROOT, ServeProcess, gone, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack() -> Iterator[ServeProcess]:
    # Outside pytest's basetemp, which concurrent pytest runs may prune under a running server.
    root = Path(tempfile.mkdtemp(prefix="cadre-test-serve-"))
    serve = ServeProcess(root / "data").start()
    try:
        serve.wait_ready()
        yield serve
    finally:
        serve.stop()
        shutil.rmtree(root, ignore_errors=True)


async def _sessions(serve: ServeProcess) -> list[asyncpg.Record]:
    pgdata = serve.data_dir / "pg"
    passwords = json.loads(pg_roles.secrets_path(pgdata).read_text())
    port = json.loads((pgdata / "cadre_runtime.json").read_text())["port"]
    conn = await asyncpg.connect(f"postgresql://postgres:{passwords['postgres']}@127.0.0.1:{port}/cadre")
    try:
        rows: list[asyncpg.Record] = await conn.fetch(
            """SELECT usename, application_name FROM pg_stat_activity
               WHERE datname = 'cadre' AND pid <> pg_backend_pid()""")
        return rows
    finally:
        await conn.close()


def test_service_and_indexer_connect_as_the_login_role_with_a_password(stack: ServeProcess) -> None:
    sessions = asyncio.run(_sessions(stack))
    names = {(r["application_name"], r["usename"]) for r in sessions}
    assert ("cadre", "cadre_service") in names  # the web service's pool
    assert ("cadre-indexer", "cadre_service") in names
    assert {r["usename"] for r in sessions} == {"cadre_service"}
    assert not pg_roles.uses_trust(stack.data_dir / "pg")


def test_a_killed_indexer_is_back_within_seconds_and_readiness_shows_the_gap(
        stack: ServeProcess) -> None:
    old = stack.pid_of("indexer")
    assert old is not None
    os.kill(old, signal.SIGKILL)
    down = wait_for(lambda: (r := stack.get("/readyz")).status_code == 503 and r.json(),
                    "readiness to report the dead indexer", timeout_s=30, every_s=0.02)
    assert down["components"]["indexer"] == {"ok": False, "alive": 0}
    assert down["status"] == "unavailable"
    report = stack.wait_ready(timeout_s=60)
    assert report["components"]["indexer"]["alive"] == 1
    new = stack.pid_of("indexer")
    assert new is not None and new != old and gone(old)
    unit = stack.status()["units"]["indexer"]
    assert unit["state"] == "running" and unit["restarts"] == 1
    assert unit["last_exit"] == "signal SIGKILL"
    assert stack.get("/healthz").status_code == 200


def test_a_second_serve_on_the_same_data_directory_is_refused(stack: ServeProcess) -> None:
    second = ServeProcess(stack.data_dir).start()
    try:
        assert second.wait_exit(timeout_s=120) == 1
    finally:
        second.stop()
    assert "正由另一个 cadre 进程" in second.log()
    assert stack.get("/readyz").status_code == 200  # the first one was not disturbed


def test_a_backup_while_serving_uses_the_running_database(
        stack: ServeProcess, private_tmp: Path) -> None:
    out = private_tmp / "live.tar"
    made = subprocess.run([sys.executable, "-m", "service.cli", "backup", "--out", str(out)],
                          env=stack.env, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          check=False)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "备份完成" in made.stdout and out.stat().st_size > 0
    assert stack.get("/readyz").status_code == 200  # the running server was used, not restarted


def test_sigterm_stops_every_process_it_started(stack: ServeProcess) -> None:
    pids = stack.server_pids()
    assert {"postgresql", "meilisearch", "indexer"} <= set(pids), pids
    stack.signal(signal.SIGTERM)
    assert stack.wait_exit() == 0
    left = {name: pid for name, pid in pids.items() if not gone(pid)}
    assert not left, f"left running after SIGTERM: {left}"
    assert not (stack.data_dir / "run" / "supervisor.json").exists()


def test_a_start_after_a_killed_run_stops_its_leftovers_and_sigint_and_sighup_stop_all(
        private_tmp: Path) -> None:
    data = private_tmp / "data"
    first = ServeProcess(data).start()
    try:
        first.wait_ready()
        pids = first.server_pids()
        first.signal(signal.SIGKILL)
        first.wait_exit()
        # The indexer dies with its supervisor; the servers outlive a SIGKILL and wait for us.
        wait_for(lambda: gone(pids["indexer"]), "the orphaned indexer to stop", timeout_s=30)
        assert not gone(pids["postgresql"]) and not gone(pids["meilisearch"])
    finally:
        first.stop()
    second = ServeProcess(data).start()
    try:
        second.wait_ready()
        assert gone(pids["postgresql"]) and gone(pids["meilisearch"])
        indexers = _proc.orphans_running(("-m", "indexer"), f"CADRE_DATA_DIR={data}")
        assert indexers == []
        again = second.server_pids()
        second.signal(signal.SIGINT)
        assert second.wait_exit() == 0
        assert all(gone(pid) for pid in again.values()), again
    finally:
        second.stop()
    third = ServeProcess(data).start()
    try:
        # A stop signal in the middle of start-up: whatever was started is stopped.
        wait_for(lambda: (data / "pg" / "postmaster.pid").exists(), "PostgreSQL to start",
                 timeout_s=120, every_s=0.05)
        third.signal(signal.SIGHUP)
        assert third.wait_exit() == 0
        pm = data / "pg" / "postmaster.pid"
        assert not pm.exists() or gone(int(pm.read_text().split()[0]))
        assert not _proc.pids_in_dir((data / "meili" / "db").resolve(), "meilisearch")
    finally:
        third.stop()
