"""Liveness, readiness and the operator's status; the stale-search banner; the login page's HTTP warning."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from indexer.worker import Worker
from service.config import Settings
from service.main import create_app
from tests.factories import Api


async def _wait_status(client: httpx.AsyncClient, path: str, status: int) -> httpx.Response:
    for _ in range(600):
        r = await client.get(path)
        if r.status_code == status:
            return r
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} never answered {status}: {r.status_code} {r.text}")


async def test_readiness_needs_a_live_indexer_and_liveness_needs_nothing(
        client: httpx.AsyncClient, indexer: Worker) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    down = await _wait_status(client, "/readyz", 503)  # no indexer runs in this test process
    assert down.headers["retry-after"] == "5"
    report = down.json()
    assert report["status"] == "unavailable"
    assert report["components"]["postgresql"]["ok"] is True
    assert report["components"]["meilisearch"]["ok"] is True
    assert report["components"]["indexer"] == {"ok": False, "alive": 0}
    assert {"pending", "oldest_pending_s", "failing"} <= set(report["components"]["outbox"])
    assert {"queued", "running", "oldest_queued_s"} <= set(report["components"]["exports"])
    stop = asyncio.Event()
    running = asyncio.create_task(indexer.run(stop))  # the real outbox loop, as `python -m indexer`
    try:
        up = await _wait_status(client, "/readyz", 200)
        assert up.json()["components"]["indexer"] == {"ok": True, "alive": 1}
    finally:
        stop.set()
        await running
    await _wait_status(client, "/readyz", 503)  # its lock went with its connection


@pytest.fixture
async def old_change(pool: asyncpg.Pool) -> AsyncIterator[int]:
    """An unindexed change ten minutes old (as when the indexer has been down that long)."""
    outbox_id: int = await pool.fetchval(
        """INSERT INTO outbox (entity_type, entity_id, created_at, available_at)
           VALUES ('cadre', 0, now() - interval '10 minutes', now() + interval '1 day')
           RETURNING id""")
    try:
        yield outbox_id
    finally:
        await pool.execute("UPDATE outbox SET done_at = now() WHERE id = $1", outbox_id)


async def test_status_shows_the_backlog_age_and_officers_see_a_quiet_banner(
        api: Api, app: FastAPI, pool: asyncpg.Pool, old_change: int) -> None:
    _, admin = await api.user("admin")
    status = await api.client.get("/api/status", headers=admin)
    assert status.status_code == 200
    outbox = status.json()["components"]["outbox"]
    assert outbox["stale"] is True and outbox["oldest_pending_s"] >= 600
    assert status.json()["thresholds"] == {"stale_search_after_s": 120.0}
    _, officer = await api.user("officer", [api.units["d1"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    await app.state.freshness.refresh(pool)
    page = await api.client.get("/search", headers=officer)
    assert page.status_code == 200
    assert "检索结果可能不是最新的" in page.text and "约 10 分钟" in page.text
    assert "检索结果可能不是最新的" not in (await api.client.get("/search", headers=leader)).text
    await pool.execute("UPDATE outbox SET done_at = now() WHERE id = $1", old_change)
    await app.state.freshness.refresh(pool)
    page = await api.client.get("/search", headers=officer)
    assert "约 10 分钟" not in page.text
    # The outbox is the worker's whole database: another test's change left unindexed for over
    # two minutes (a slow run) rightly keeps the banner, with its own age.
    others = await pool.fetchval("""SELECT count(*) FROM outbox WHERE done_at IS NULL
                                      AND created_at < now() - interval '110 seconds'""")
    if not others:
        assert "检索结果可能不是最新的" not in page.text


@pytest.fixture
async def dev_app(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings.model_copy(update={"env": "development", "audit_sealer": False}))
    async with app.router.lifespan_context(app):
        yield app


@pytest.mark.parametrize("origin, warned", [("http://cadre.example.org", True),
                                             ("http://192.168.1.20:8000", True),
                                             ("http://127.0.0.1:8000", False),
                                             ("http://localhost:8000", False),
                                             ("https://cadre.example.org", False)])
async def test_login_page_says_when_a_plain_http_origin_cannot_keep_the_session_cookie(
        dev_app: FastAPI, origin: str, warned: bool) -> None:
    transport = httpx.ASGITransport(app=dev_app)
    async with httpx.AsyncClient(transport=transport, base_url=origin) as c:
        page = await c.get("/login")
    assert page.status_code == 200
    assert ("CADRE_COOKIE_SECURE=false" in page.text) is warned
    if warned:
        assert origin in page.text
