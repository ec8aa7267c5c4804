"""PostgreSQL going away under a running service: 503 with Retry-After, recovery, LISTEN resumed.

Real processes: a PostgreSQL this test stops and starts, and `cadre serve` (web service,
Meilisearch, indexer) connected to it as the service's login role.
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.migrate import upgrade_head
from service.runtime.postgres import EmbeddedPostgres
from tests.runtime.serve_process import ServeProcess, wait_for

pytestmark = pytest.mark.slow
ADMIN, PASSWORD = "ops_admin", "Ops@2024pass!"


async def _fetchval(dsn: str, sql: str, *args: object) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def _create_admin(dsn: str) -> None:
    from schemas.auth import UserCreate
    from schemas.common import Role
    from service.auth import service as auth_service
    from service.db import create_pool
    from service.principal import SYSTEM

    pool = await create_pool(dsn, 1, 2)
    try:
        await auth_service.create_user(pool, SYSTEM, body=UserCreate(
            username=ADMIN, display_name="运维管理员", password=PASSWORD, role=Role.admin, scopes=[]),
            key=None)
    finally:
        await pool.close()


@pytest.fixture
def pg(private_tmp: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(private_tmp / "pg", durable=False)
    server.start()
    try:
        upgrade_head(server.owner_dsn)
        asyncio.run(_create_admin(server.service_dsn))
        yield server
    finally:
        server.stop()


def test_database_outage_answers_503_with_retry_after_then_recovers_and_listens_again(
        pg: EmbeddedPostgres, private_tmp: Path) -> None:
    serve = ServeProcess(private_tmp / "data", env={
        "CADRE_DATABASE_URL": pg.service_dsn, "CADRE_MIGRATION_DATABASE_URL": pg.owner_dsn,
        # Only a notification can wake the indexer in time: its fallback poll is 10 minutes.
        "CADRE_INDEXER_POLL_S": "600"}).start()
    try:
        serve.wait_ready()
        with httpx.Client(base_url=serve.url, timeout=30) as client:
            token = client.post("/api/auth/login",
                                json={"username": ADMIN, "password": PASSWORD}).json()
            client.headers["Authorization"] = f"Bearer {token['access_token']}"
            assert client.get("/api/users").status_code == 200

            pg.stop()
            r = client.get("/api/users")
            assert r.status_code == 503, r.text
            assert r.headers["content-type"] == "application/problem+json"
            assert r.headers["retry-after"] == "5"
            problem = r.json()
            assert problem["type"] == "urn:cadre:problem:database-unavailable"
            assert "数据库" in problem["title"] and problem["status"] == 503
            # the same keep-alive connection still answers, and liveness does not need the database
            assert client.get("/healthz").status_code == 200
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["components"]["postgresql"]["ok"] is False

            pg.restart()
            wait_for(lambda: client.get("/api/users").status_code == 200,
                     "the service to recover after PostgreSQL came back")
        # The indexer holds its liveness lock on its LISTEN connection: back means re-subscribed.
        serve.wait_ready(timeout_s=120)
        outbox_id = asyncio.run(_fetchval(
            pg.owner_dsn, """WITH row AS (INSERT INTO outbox (entity_type, entity_id)
                                          VALUES ('cadre', 987654321) RETURNING id)
                             SELECT id FROM row, pg_notify('cadre_outbox', '')"""))
        wait_for(lambda: asyncio.run(_fetchval(
            pg.owner_dsn, "SELECT done_at IS NOT NULL FROM outbox WHERE id = $1", outbox_id)),
            "the indexer to be woken by NOTIFY after reconnecting", timeout_s=120, every_s=0.2)
    finally:
        serve.stop()
