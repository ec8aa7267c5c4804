"""`cadre backup` → `cadre restore` with real processes: a populated instance comes back whole.

The source is a demo database with attachments and a sealed audit chain; the target is a fresh
data directory whose embedded PostgreSQL the restore itself initialises. Compared afterwards:
row counts of every table, the attachment blobs, the search index (drift check and a search
through the API) and the audit chain (verified, same head).
"""

import asyncio
import hashlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from pydantic import SecretStr

from indexer.reindex import check
from service.audit.sealer import seal_all
from service.backup import repo as backup_repo
from service.config import Settings
from service.db import create_pool, init_connection
from service.demo import DEMO_PASSWORD, load_demo
from service.main import create_app
from service.migrate import upgrade_head
from service.runtime.meili import MeiliServer, provision_keys
from service.runtime.postgres import EmbeddedPostgres
from tests.attachments.test_attachments_api import pdf, png
from tests.conftest import ROOT, _admin, _with_db

pytestmark = pytest.mark.slow


@dataclass
class Source:
    url: str
    data_dir: Path
    blobs: dict[str, bytes]
    counts: dict[str, int]
    head: tuple[int, str]


async def _populate(url: str, data_dir: Path) -> Source:
    conn = await asyncpg.connect(url)
    try:
        await init_connection(conn)
        await load_demo(conn, cadres=20, progress=False)
    finally:
        await conn.close()
    app = create_app(Settings(env="test", database_url=url, data_dir=data_dir, audit_sealer=False))
    blobs: dict[str, bytes] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            token = (await client.post("/api/auth/login", json={
                "username": "officer", "password": DEMO_PASSWORD})).json()["access_token"]
            for name, data, kind in (("照片.png", png("备份"), "image/png"),
                                     ("材料.pdf", pdf(), "application/pdf")):
                r = await client.post("/api/attachments", headers={"Authorization": f"Bearer {token}"},
                                      files={"file": (name, data, kind)})
                assert r.status_code == 201, r.text
                blobs[r.json()["sha256"]] = data
    pool = await create_pool(url, 1, 2)
    try:
        assert await seal_all(pool) > 0
        async with pool.acquire() as c:
            counts = await backup_repo.table_counts(c)
            head = await c.fetchrow("SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1")
    finally:
        await pool.close()
    return Source(url, data_dir, blobs, counts, (head["seq"], head["hash"]))


@pytest.fixture
def source(server_url: str, private_tmp: Path) -> Iterator[Source]:
    name = f"cadre_backup_{secrets.token_hex(3)}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    url = _with_db(server_url, name)
    try:
        upgrade_head(url)
        yield asyncio.run(_populate(url, private_tmp / "source"))
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _cadre(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CADRE_")}
    return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=900, check=False,
                          env={**clean, "PYTHONPATH": str(ROOT), "CADRE_ENV": "test",
                               "CADRE_CACHE_DIR": str(ROOT / ".cache"), **env})


async def _restored_state(dsn: str) -> tuple[dict[str, int], tuple[int, str], str]:
    conn = await asyncpg.connect(dsn)
    try:
        counts = await backup_repo.table_counts(conn)
        head = await conn.fetchrow("SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1")
        name: str = await conn.fetchval("SELECT name FROM cadres ORDER BY id LIMIT 1")
        return counts, (head["seq"], head["hash"]), name
    finally:
        await conn.close()


async def _search(settings: Settings, q: str) -> dict[str, object]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            token = (await client.post("/api/auth/login", json={
                "username": "officer", "password": DEMO_PASSWORD})).json()["access_token"]
            r = await client.get("/api/search", params={"q": q},
                                 headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, r.text
            result: dict[str, object] = r.json()
            return result


def test_backup_then_restore_elsewhere_brings_back_rows_attachments_index_and_chain(
        source: Source, meili: MeiliServer, private_tmp: Path) -> None:
    out = private_tmp / "备份" / "cadre-backup.tar"
    out.parent.mkdir()
    made = _cadre(["backup", "--out", str(out)],
                  {"CADRE_DATABASE_URL": source.url, "CADRE_DATA_DIR": str(source.data_dir)})
    assert made.returncode == 0, made.stdout + made.stderr
    assert "备份完成" in made.stdout
    assert out.stat().st_mode & 0o077 == 0  # personal data: owner only

    target = private_tmp / "target"
    prefix = f"r{secrets.token_hex(3)}"
    meili_env = {"CADRE_MEILI_URL": meili.url, "CADRE_MEILI_MASTER_KEY": meili.master_key,
                 "CADRE_INDEX_PREFIX": prefix, "CADRE_DATA_DIR": str(target)}
    restored = _cadre(["restore", str(out)], meili_env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "恢复完成" in restored.stdout and "审计链校验：通过" in restored.stdout

    for sha, data in source.blobs.items():
        assert (target / "attachments" / sha[:2] / sha[2:4] / sha).read_bytes() == data
        assert hashlib.sha256(data).hexdigest() == sha

    with EmbeddedPostgres(target / "pg", durable=False) as pg:
        counts, head, name = asyncio.run(_restored_state(pg.dsn))
        assert counts == source.counts
        assert head == source.head
        verified = _cadre(["audit", "verify"], {"CADRE_DATA_DIR": str(target),
                                                "CADRE_DATABASE_URL": pg.service_dsn})
        assert verified.returncode == 0, verified.stdout + verified.stderr
        search_key, index_key = provision_keys(meili.url, meili.master_key, prefix)
        settings = Settings(env="test", database_url=pg.service_dsn, data_dir=target,
                            index_prefix=prefix, meili_url=meili.url, audit_sealer=False,
                            meili_search_key=SecretStr(search_key),
                            meili_index_key=SecretStr(index_key))
        assert check(settings).clean
        hits = asyncio.run(_search(settings, name))
        assert hits["total"], hits

        again = _cadre(["restore", str(out)], meili_env)
    assert again.returncode == 1 and "不是空的" in again.stderr


def test_a_damaged_backup_file_is_refused_before_anything_is_touched(
        source: Source, private_tmp: Path) -> None:
    out = private_tmp / "b.tar"
    made = _cadre(["backup", "--out", str(out)],
                  {"CADRE_DATABASE_URL": source.url, "CADRE_DATA_DIR": str(source.data_dir)})
    assert made.returncode == 0, made.stderr
    raw = bytearray(out.read_bytes())
    raw[2048] ^= 0xFF  # inside the database dump
    out.write_bytes(bytes(raw))
    target = private_tmp / "target"
    refused = _cadre(["restore", str(out)], {"CADRE_DATA_DIR": str(target),
                                            "CADRE_DATABASE_URL": source.url})
    assert refused.returncode == 1
    assert "SHA-256 不符" in refused.stderr
    assert not (target / "attachments").exists()
