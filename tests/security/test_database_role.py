"""The service runs as a member of `cadre_app`: everything it does works, rewriting the trail does not."""

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from indexer.worker import Worker
from service.config import Settings
from service.main import create_app
from tests.factories import Api, campaign_with_team, record_body
from tests.security.world import evidence_body, png


@pytest.fixture(scope="module")
async def restricted(settings: Settings, indexer: Worker) -> AsyncIterator[FastAPI]:
    """The app connected as `cadre_app` (the connection assumes the role at startup)."""
    url = settings.database_url
    assert url
    application = create_app(settings.model_copy(update={"database_url": f"{url}?role=cadre_app"}))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def restricted_api(restricted: FastAPI) -> AsyncIterator[Api]:
    """A per-test world built through the restricted app."""
    transport = httpx.ASGITransport(app=restricted, client=("10.1.2.4", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        world = Api(client, restricted.state.pool)
        await world.setup()
        yield world


async def test_the_role_exists_without_login_and_history_is_append_only(pool: asyncpg.Pool) -> None:
    row = await pool.fetchrow("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = 'cadre_app'")
    assert row is not None and not row["rolcanlogin"] and not row["rolsuper"]
    for table, privilege, held in (("revisions", "INSERT", True), ("revisions", "UPDATE", False),
                                   ("revisions", "DELETE", False), ("cadres", "UPDATE", True),
                                   ("family_members", "INSERT", True), ("cadres", "TRUNCATE", False),
                                   ("alembic_version", "UPDATE", False)):
        assert await pool.fetchval("SELECT has_table_privilege('cadre_app', $1, $2)",
                                   table, privilege) is held, (table, privilege)


async def test_service_works_as_cadre_app(restricted_api: Api) -> None:
    api = restricted_api
    assert await api.pool.fetchval("SELECT current_user") == "cadre_app"
    rid, researcher = await api.user("researcher")
    _, officer = await api.user("officer", [api.units["d1"]])
    _, auditor = await api.user("auditor")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    c = api.client
    assert (await c.get(f"/api/cadres/{cadre['id']}", headers=officer)).status_code == 200
    family = await c.post(f"/api/cadres/{cadre['id']}/family-members", headers=officer,
                          json={"relation": "父亲", "name": "张建国"})
    assert family.status_code == 201
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    upload = await c.post("/api/attachments", headers=researcher,
                          files={"file": ("照片.png", png(), "image/png")})
    assert upload.status_code == 201
    rec = await c.post("/api/records", headers=researcher, json=record_body(
        campaign, [cadre["id"]], attachment_ids=[upload.json()["id"]]), )
    assert rec.status_code == 201, rec.text
    ev = await c.post("/api/evidence", headers=officer, json=evidence_body(cadre["id"]))
    assert ev.status_code == 201
    assert (await c.get("/api/search", headers=officer, params={"q": "窗口"})).status_code == 200
    assert (await c.get("/api/audit", headers=auditor)).status_code == 200
    verify = await c.get("/api/audit/verify", headers=auditor)
    assert verify.status_code == 200 and verify.json()["ok"]
    assert (await c.post("/api/auth/logout", headers=officer)).status_code == 204


async def test_the_services_own_connection_cannot_rewrite_the_trail(restricted: FastAPI) -> None:
    pool: asyncpg.Pool = restricted.state.pool
    async with pool.acquire() as conn:
        newest = await conn.fetchval("SELECT max(id) FROM audit_log")
        for sql in ("UPDATE audit_log SET details = '{}' WHERE id = $1",
                    "DELETE FROM audit_log WHERE id = $1"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await conn.execute(sql, newest)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await conn.execute("TRUNCATE audit_log")
        # Nor switch the trigger off, which only a superuser may do.
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("SET session_replication_role = replica")
