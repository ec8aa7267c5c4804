"""Signed checkpoints anchor the audit chain outside the database.

A superuser who rewrites an entry and re-hashes every later link passes the chain's own check,
but not the checkpoints: verification names the first entry after the last checkpoint that
still agrees.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import asyncpg

from schemas.common import Role
from service.audit import checkpoints, repo
from service.audit.checkpoints import Checkpoint, Signer, generate_key
from service.audit.sealer import seal_all, signer_of, write_checkpoint
from service.audit.service import load_anchors, verify_chain, verify_with_settings
from service.config import Settings
from service.principal import Principal
from service.uow import audit_only
from tests.factories import Api

ROOT_DIR = Path(__file__).resolve().parents[2]
PROBE = Principal(0, "checkpoint-probe", "检查点测试", Role.admin)


async def _sealed_entries(pool: asyncpg.Pool, n: int, tag: str) -> list[int]:
    for i in range(n):
        await audit_only(pool, PROBE, "test.checkpoint", "probe", f"{tag}-{i}", {"i": i})
    await seal_all(pool)
    rows = await pool.fetch("SELECT id FROM audit_log WHERE action = 'test.checkpoint' "
                            "AND object_id LIKE $1 ORDER BY id", f"{tag}-%")
    return [r["id"] for r in rows]


async def _rewrite_and_rehash(conn: asyncpg.Connection, entry_id: int) -> None:
    """What a superuser attacker does: change one entry, then recompute every later link."""
    await conn.execute("SET LOCAL session_replication_role = replica")
    row = await conn.fetchrow("SELECT * FROM audit_log WHERE id = $1", entry_id)
    forged = {**dict(row), "details": {"i": -1, "note": "改写"}}
    digest = repo.content_hash(repo.canonical_content(
        forged["at"], forged["actor_id"], forged["actor_name"], forged["action"],
        forged["object_type"], forged["object_id"], forged["source_ip"], forged["details"]))
    await conn.execute("UPDATE audit_log SET details = $2, content_hash = $3 WHERE id = $1",
                       entry_id, forged["details"], digest)
    start = await conn.fetchval("SELECT seq FROM audit_chain WHERE entry_id = $1", entry_id)
    prev = await conn.fetchval("SELECT hash FROM audit_chain WHERE seq = $1", start - 1) or repo.GENESIS
    for link in await conn.fetch(
            """SELECT c.seq, a.content_hash FROM audit_chain c JOIN audit_log a ON a.id = c.entry_id
               WHERE c.seq >= $1 ORDER BY c.seq""", start):
        new = repo.chain_hash(prev, link["content_hash"])
        await conn.execute("UPDATE audit_chain SET prev_hash = $2, hash = $3 WHERE seq = $1",
                           link["seq"], prev, new)
        prev = new


async def test_rewritten_and_rehashed_chain_is_caught_at_the_first_entry_after_the_last_good_checkpoint(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    private, public = generate_key()
    signer = Signer(private)
    path = tmp_path / "checkpoints.jsonl"
    first = await _sealed_entries(pool, 3, "cp-a")
    cp1 = await write_checkpoint(pool, signer, path)
    middle = await _sealed_entries(pool, 3, "cp-b")
    cp2 = await write_checkpoint(pool, signer, path)
    await _sealed_entries(pool, 2, "cp-c")
    assert cp1 is not None and cp2 is not None and cp1.entry_id == first[-1]
    anchors, warnings = load_anchors(path, public)
    assert len(anchors) == 2 and warnings == []
    after_cp1 = await pool.fetchval("SELECT entry_id FROM audit_chain WHERE seq = $1", cp1.seq + 1)
    async with pool.acquire() as conn:
        assert (await verify_chain(conn, anchors=anchors)).checkpoints_matched == 2
        tr = conn.transaction()
        await tr.start()
        try:
            await _rewrite_and_rehash(conn, middle[1])
            # The chain on its own is fooled: every link is consistent again.
            assert (await verify_chain(conn)).ok
            report = await verify_chain(conn, anchors=anchors)
            assert not report.ok
            assert report.broken_id == after_cp1
            assert report.last_good_checkpoint_seq == cp1.seq
            assert "签名检查点" in report.reason and f"第 {after_cp1} 号" in report.reason
        finally:
            await tr.rollback()
        assert (await verify_chain(conn, anchors=anchors)).ok


async def test_links_deleted_from_the_end_fall_short_of_the_checkpoint(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    private, public = generate_key()
    path = tmp_path / "checkpoints.jsonl"
    await _sealed_entries(pool, 2, "cut")
    cp = await write_checkpoint(pool, Signer(private), path)
    assert cp is not None
    anchors, _ = load_anchors(path, public)
    async with pool.acquire() as conn:
        tr = conn.transaction()
        await tr.start()
        try:
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("DELETE FROM audit_chain WHERE seq = $1", cp.seq)
            await conn.execute("DELETE FROM audit_log WHERE id = $1", cp.entry_id)
            report = await verify_chain(conn, anchors=anchors)
            assert not report.ok and "链比签名检查点短" in report.reason
        finally:
            await tr.rollback()


async def test_forged_or_foreign_checkpoints_do_not_count_and_are_reported(
        pool: asyncpg.Pool, settings: Settings, tmp_path: Path) -> None:
    await _sealed_entries(pool, 1, "forge")
    path = tmp_path / "checkpoints.jsonl"
    real = await write_checkpoint(pool, Signer(generate_key()[0]), path)
    assert real is not None
    # Signed by someone else's key, and a genuine one with its hash altered.
    other = Signer(generate_key()[0]).sign(seq=real.seq, entry_id=real.entry_id, hash=real.hash,
                                           at=real.at_datetime())
    altered = Checkpoint(real.seq, real.entry_id, "f" * 64, real.at, real.key, real.sig)
    checkpoints.append(path, other)
    checkpoints.append(path, altered)
    anchors, warnings = load_anchors(path, real.key)
    assert anchors == [real] and len(warnings) == 2
    async with pool.acquire() as conn:
        with_file = await verify_with_settings(conn, settings, path=path, public_key_hex=real.key)
    assert not with_file.ok and "签名无效" in with_file.reason


async def test_auditor_exports_checkpoints_and_verifies_the_chain_against_the_copy(
        api: Api, settings: Settings, database_url: str, tmp_path: Path) -> None:
    auditor_id, auditor = await api.user("auditor")
    signer = signer_of(settings)
    assert signer is not None
    await seal_all(api.pool)
    cp = await write_checkpoint(api.pool, signer, settings.audit_checkpoint_path)
    assert cp is not None
    r = await api.client.get("/api/audit/checkpoints", headers=auditor)
    assert r.status_code == 200, r.text
    export = r.json()
    assert export["public_key"] == signer.public_hex
    assert {"seq": cp.seq, "entry_id": cp.entry_id, "hash": cp.hash} .items() <= export["items"][-1].items()
    verify = await api.client.get("/api/audit/verify", headers=auditor)
    assert verify.json()["ok"] and verify.json()["checkpoints_matched"] >= 1
    assert await api.pool.fetchval("SELECT count(*) FROM audit_log WHERE actor_id = $1 "
                                   "AND action = 'audit.checkpoints.export'", auditor_id) == 1
    # The auditor's copy and the public key alone are enough to check the chain (no signing key).
    copy = tmp_path / "export.json"
    copy.write_text(json.dumps(export, ensure_ascii=False))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CADRE_")}
    env.update({"CADRE_DATABASE_URL": database_url, "CADRE_ENV": "test", "PYTHONPATH": str(ROOT_DIR)})
    done = subprocess.run([sys.executable, "-m", "service.cli", "audit", "verify", "--checkpoints",
                           str(copy), "--public-key", export["public_key"]], cwd=ROOT_DIR, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "签名检查点相符" in done.stdout
