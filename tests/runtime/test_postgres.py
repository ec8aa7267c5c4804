"""Embedded PostgreSQL: init in a temp dir, connect, stop, restart, recover from killed runs."""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
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
def pg() -> Iterator[EmbeddedPostgres]:
    # Not under pytest's basetemp: a concurrent pytest run resets /tmp/pytest-of-<user> to 0700,
    # and the server (running as embedded_postgres when we are root) could no longer reach it.
    root = Path(tempfile.mkdtemp(prefix="cadre-test-pg-"))
    server = EmbeddedPostgres(root / "pg", durable=False)
    started = time.monotonic()
    server.start()
    print(f"\nembedded postgres first init + start: {time.monotonic() - started:.2f}s")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


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
    assert pg.dsn.startswith("postgresql://postgres:")
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


async def test_context_manager_on_a_fresh_dir(private_tmp: Path) -> None:
    with embedded_postgres(private_tmp / "pg", durable=False, database="other_db") as dsn:
        assert dsn.endswith("/other_db")
        assert await _fetchval(dsn, "select current_database()") == "other_db"
    with embedded_postgres(private_tmp / "pg", durable=False, database="other_db") as dsn:
        assert await _fetchval(dsn, "select 1") == 1


async def test_recovers_from_a_killed_run(private_tmp: Path) -> None:
    pgdata = private_tmp / "pg"
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


async def test_service_role_needs_its_password_and_cannot_change_the_audit_trail(
        private_tmp: Path) -> None:
    from service.migrate import upgrade_head

    with EmbeddedPostgres(private_tmp / "pg", durable=False) as server:
        await asyncio.to_thread(upgrade_head, server.owner_dsn)
        assert await _fetchval(server.service_dsn, "select current_user") == "cadre_service"
        assert await _fetchval(server.service_dsn,
                               "select pg_has_role('cadre_service', 'cadre_app', 'member')")
        assert await _fetchval(server.service_dsn, "select rolsuper from pg_roles "
                               "where rolname = current_user") is False
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await _execute(server.service_dsn, "update audit_log set action = 'x'")
        assert await _fetchval(server.owner_dsn,
                               "select tableowner from pg_tables where tablename = 'audit_log'"
                               ) == "cadre_owner"
        without_password = server.service_dsn.replace(f":{server.passwords.service}@", "@")
        with pytest.raises(asyncpg.InvalidPasswordError):
            await _fetchval(without_password, "select 1")
        wrong = server.service_dsn.replace(server.passwords.service, "wrong-password")
        with pytest.raises(asyncpg.InvalidPasswordError):
            await _fetchval(wrong, "select 1")


async def test_a_trust_cluster_of_an_older_run_moves_to_passwords_and_the_owner(
        private_tmp: Path) -> None:
    from service.runtime import pg_roles

    pgdata = private_tmp / "pg"
    with EmbeddedPostgres(pgdata, durable=False) as server:
        await _execute(server.dsn, "create table old_table (v text)")  # owned by postgres
        hba = pgdata / "pg_hba.conf"
        hba.write_text("host all all 127.0.0.1/32 trust\n")
        await _execute(server.dsn, "select pg_reload_conf()")
    pg_roles.secrets_path(pgdata).unlink()  # as before password auth: no passwords on file
    with EmbeddedPostgres(pgdata, durable=False) as server:
        assert not pg_roles.uses_trust(pgdata)
        assert await _fetchval(server.dsn, "select tableowner from pg_tables "
                               "where tablename = 'old_table'") == "cadre_owner"
        anonymous = f"postgresql://postgres@127.0.0.1:{server.port}/cadre"
        with pytest.raises(asyncpg.InvalidPasswordError):
            await _fetchval(anonymous, "select 1")


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("useradd") is None,
                    reason="creating a system user needs root and useradd")
def test_system_user_created_once_by_parallel_processes() -> None:
    """Parallel test workers all needing the server's system user all get it (useradd races)."""
    name = f"cadre_t{os.getpid() % 100000}"
    code = textwrap.dedent(f"""
        from service.runtime._pg_system import create_system_user
        print(create_system_user({name!r}).pw_uid)
    """)
    try:
        procs = [subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(6)]
        answers = [p.communicate(timeout=60) for p in procs]
        assert all(p.returncode == 0 for p in procs), [err for _, err in answers]
        assert len({out.strip() for out, _ in answers}) == 1
    finally:
        subprocess.run(["userdel", name], check=False, capture_output=True)
