"""Embedded PostgreSQL: init in a temp dir, connect, stop, restart, recover from killed runs."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from service.runtime import _proc
from service.runtime.postgres import EmbeddedPostgres, EmbeddedPostgresError, embedded_postgres

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "pg", durable=False)
    started = time.monotonic()
    server.start()
    print(f"\nembedded postgres first init + start: {time.monotonic() - started:.2f}s")
    try:
        yield server
    finally:
        server.stop()


async def _fetchval(dsn: str, sql: str) -> object:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def _execute(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_select_one(pg: EmbeddedPostgres) -> None:
    assert pg.dsn.startswith("postgresql://postgres@127.0.0.1:")
    assert pg.dsn.endswith("/cadre")
    assert await _fetchval(pg.dsn, "select 1") == 1
    assert await _fetchval(pg.dsn, "show server_encoding") == "UTF8"
    assert await _fetchval(pg.dsn, "show listen_addresses") == "127.0.0.1"


async def test_second_owner_is_refused(pg: EmbeddedPostgres) -> None:
    with pytest.raises(EmbeddedPostgresError, match="in use"):
        EmbeddedPostgres(pg.pgdata, durable=False).start()
    assert await _fetchval(pg.dsn, "select 1") == 1  # the refusal did not hurt the server


async def test_stop_and_restart_keeps_data(pg: EmbeddedPostgres) -> None:
    await _execute(pg.dsn, "create table kept (v text); insert into kept values ('档案')")
    dsn = pg.dsn
    pg.stop()
    with pytest.raises(OSError):
        await asyncpg.connect(dsn, timeout=2)
    started = time.monotonic()
    pg.start()
    print(f"\nembedded postgres restart: {time.monotonic() - started:.2f}s")
    assert await _fetchval(pg.dsn, "select v from kept") == "档案"


async def test_context_manager_on_a_fresh_dir(tmp_path: Path) -> None:
    with embedded_postgres(tmp_path / "pg", durable=False, database="other_db") as dsn:
        assert dsn.endswith("/other_db")
        assert await _fetchval(dsn, "select current_database()") == "other_db"
    with embedded_postgres(tmp_path / "pg", durable=False, database="other_db") as dsn:
        assert await _fetchval(dsn, "select 1") == 1


async def test_recovers_from_a_killed_run(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from service.runtime.postgres import EmbeddedPostgres
        pg = EmbeddedPostgres(Path({str(pgdata)!r}), durable=False)
        print(pg.start(), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=120, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    orphan_pid = int((pgdata / "postmaster.pid").read_text().split()[0])
    assert _proc.proc_ref(orphan_pid) is not None  # the killed run left its server behind

    with embedded_postgres(pgdata, durable=False) as dsn:
        assert _proc.proc_ref(orphan_pid) is None
        assert await _fetchval(dsn, "select 1") == 1

    # a stale postmaster.pid naming a live process that is not postgres (pid reuse)
    (pgdata / "postmaster.pid").write_text(f"{os.getpid()}\n{pgdata}\n0\n5432\n\n\n\nready\n")
    with embedded_postgres(pgdata, durable=False) as dsn:
        assert await _fetchval(dsn, "select 1") == 1


def test_refuses_a_non_postgres_directory(tmp_path: Path) -> None:
    target = tmp_path / "notpg"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(EmbeddedPostgresError, match="not a PostgreSQL"):
        EmbeddedPostgres(target).start()
    assert (target / "keep.txt").read_text() == "mine"
