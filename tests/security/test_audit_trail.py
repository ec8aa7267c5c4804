"""The audit trail: append-only in the database, tamper-evident, queryable by auditors only."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from schemas import clock
from schemas.common import Role
from service.audit.sealer import seal_all
from service.audit.service import ChainReport, verify_chain
from service.principal import Principal
from service.uow import audit_only
from tests.factories import Api

ROOT_DIR = Path(__file__).resolve().parents[2]
PROBE = Principal(0, "tamper-probe", "篡改测试", Role.admin)


async def _three_entries(pool: asyncpg.Pool) -> list[int]:
    for n in range(3):
        await audit_only(pool, PROBE, "test.probe", "probe", n, {"n": n})
    rows = await pool.fetch("SELECT id FROM audit_log WHERE action = 'test.probe' ORDER BY id DESC LIMIT 3")
    await seal_all(pool)
    return sorted(r["id"] for r in rows)


async def test_plain_update_delete_and_truncate_are_refused(pool: asyncpg.Pool) -> None:
    entry = (await _three_entries(pool))[1]
    async with pool.acquire() as conn:
        for sql in ("UPDATE audit_log SET details = '{}' WHERE id = $1",
                    "DELETE FROM audit_log WHERE id = $1"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await conn.execute(sql, entry)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("TRUNCATE audit_log")


async def test_service_role_lacks_update_delete_truncate_on_the_trail(pool: asyncpg.Pool) -> None:
    entry = (await _three_entries(pool))[1]
    async with pool.acquire() as conn:
        for privilege, held in (("SELECT", True), ("INSERT", True), ("UPDATE", False),
                                ("DELETE", False), ("TRUNCATE", False)):
            assert await conn.fetchval("SELECT has_table_privilege('cadre_app', 'audit_log', $1)",
                                       privilege) is held, privilege
        async with conn.transaction():
            await conn.execute("SET LOCAL ROLE cadre_app")
            # Even with the trigger out of the way, the privilege check alone refuses the change.
            for sql in ("UPDATE audit_log SET details = '{}' WHERE id = $1",
                        "DELETE FROM audit_log WHERE id = $1"):
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                    async with conn.transaction():
                        await conn.execute(sql, entry)


async def _tampered(conn: asyncpg.Connection, *statements: tuple[str, int]) -> ChainReport:
    """The chain's report with these statements run, then rolled back (and the chain checked whole)."""
    tr = conn.transaction()
    await tr.start()
    try:
        # A superuser can switch the trigger off; the chain still tells.
        await conn.execute("SET LOCAL session_replication_role = replica")
        for sql, entry in statements:
            await conn.execute(sql, entry)
        report = await verify_chain(conn)
    finally:
        # Rolled back: the suite's chain stays intact for the tests that follow.
        await tr.rollback()
    assert (await verify_chain(conn)).ok
    return report


async def test_modified_details_are_caught_at_that_entry(pool: asyncpg.Pool) -> None:
    entries = await _three_entries(pool)
    async with pool.acquire() as conn:
        assert (await verify_chain(conn)).ok
        report = await _tampered(conn, ("""UPDATE audit_log SET details = '{"n": 99}' WHERE id = $1""",
                                        entries[1]))
    assert not report.ok and report.broken_id == entries[1]
    assert "篡改" in report.reason


async def test_deleted_middle_entry_is_named_by_its_link(pool: asyncpg.Pool) -> None:
    entries = await _three_entries(pool)
    async with pool.acquire() as conn:
        report = await _tampered(conn, ("DELETE FROM audit_log WHERE id = $1", entries[1]))
    assert not report.ok and report.broken_id == entries[1]
    assert "删除" in report.reason


async def test_deleted_entry_and_link_break_the_chain_at_the_next(pool: asyncpg.Pool) -> None:
    entries = await _three_entries(pool)
    async with pool.acquire() as conn:
        report = await _tampered(conn, ("DELETE FROM audit_log WHERE id = $1", entries[1]),
                                 ("DELETE FROM audit_chain WHERE entry_id = $1", entries[1]))
    assert not report.ok and report.broken_id == entries[2]
    assert "不连续" in report.reason


def _cli_verify(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CADRE_DATABASE_URL": database_url, "CADRE_ENV": "test"}
    return subprocess.run([sys.executable, "-m", "service.cli", "audit", "verify"], cwd=ROOT_DIR,
                          env=env, capture_output=True, text=True, timeout=120, check=False)


async def test_cli_reports_the_first_broken_entry_of_a_committed_tampering(
        pool: asyncpg.Pool, database_url: str) -> None:
    entries = await _three_entries(pool)
    intact = _cli_verify(database_url)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "审计链完整" in intact.stdout
    original = await pool.fetchval("SELECT details FROM audit_log WHERE id = $1", entries[0])
    async with pool.acquire() as conn:
        await conn.execute("SET session_replication_role = replica")
        try:
            await conn.execute("""UPDATE audit_log SET details = '{"n": -1}' WHERE id = $1""",
                               entries[0])
            broken = _cli_verify(database_url)
            assert broken.returncode == 1, broken.stdout + broken.stderr
            assert f"第 {entries[0]} 号记录" in broken.stdout
        finally:
            await conn.execute("UPDATE audit_log SET details = $2 WHERE id = $1", entries[0], original)
            await conn.execute("SET session_replication_role = origin")
    assert _cli_verify(database_url).returncode == 0


async def test_auditor_queries_by_actor_object_action_and_time(api: Api) -> None:
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    auditor_id, auditor = await api.user("auditor")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    before = clock.now() - timedelta(seconds=5)
    assert (await api.client.get(f"/api/cadres/{cadre['id']}", headers=officer)).status_code == 200
    await seal_all(api.pool)
    r = await api.client.get("/api/audit", headers=auditor, params={
        "actor_id": officer_id, "object_type": "cadre", "object_id": str(cadre["id"]),
        "action": "cadre.", "since": before.isoformat(),
        "until": (clock.now() + timedelta(seconds=5)).isoformat()})
    assert r.status_code == 200, r.text
    page = r.json()
    assert [e["action"] for e in page["items"]] == ["cadre.read", "cadre.create"]
    assert page["total"] == 2 and page["items"][0]["source_ip"] == "10.1.2.3"
    assert all(len(e["hash"]) == 64 for e in page["items"])
    one = await api.client.get("/api/audit", headers=auditor,
                               params={"actor_id": officer_id, "limit": 1, "offset": 1})
    assert len(one.json()["items"]) == 1 and one.json()["total"] >= 2
    later = await api.client.get("/api/audit", headers=auditor,
                                 params={"actor_id": officer_id, "since": clock.now().isoformat()})
    assert later.json()["total"] == 0
    # The auditor's own reading is in the trail, with the filters used.
    mine = await api.client.get("/api/audit", headers=auditor,
                                params={"actor_id": auditor_id, "action": "audit.read"})
    assert mine.json()["total"] == 3
    first = mine.json()["items"][-1]["details"]
    assert first["object_type"] == "cadre" and first["action"] == "cadre." and first["returned"] == 2
    assert (await api.client.get("/api/audit", headers=officer)).status_code == 403


async def test_action_filter_is_a_literal_prefix_and_times_need_a_zone(api: Api) -> None:
    _, auditor = await api.user("auditor")
    wild = await api.client.get("/api/audit", headers=auditor, params={"action": "%"})
    assert wild.status_code == 200 and wild.json()["total"] == 0
    underscore = await api.client.get("/api/audit", headers=auditor, params={"action": "auth_login"})
    assert underscore.json()["total"] == 0
    naive = await api.client.get("/api/audit", headers=auditor, params={"since": "2024-01-01T00:00:00"})
    assert naive.status_code == 422


async def test_verify_endpoint_reports_the_chain_and_is_audited(api: Api) -> None:
    auditor_id, auditor = await api.user("auditor")
    r = await api.client.get("/api/audit/verify", headers=auditor)
    assert r.status_code == 200
    assert r.json()["ok"] is True and r.json()["checked"] > 0 and r.json()["broken_id"] is None
    row = await api.pool.fetchrow(
        "SELECT details FROM audit_log WHERE actor_id = $1 AND action = 'audit.verify'", auditor_id)
    assert row["details"]["ok"] is True
