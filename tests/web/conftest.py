"""End-to-end fixtures: a real uvicorn server over a demo database and a real index, and Debian's Chromium.

The server runs in a thread with its own event loop, together with the real outbox indexer, so a
record filed in the browser becomes searchable as it would in production. The browser is
/usr/bin/chromium driven by Playwright (never a downloaded browser); without it these tests skip.
"""

import asyncio
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from indexer.client import make_client
from indexer.reindex import reindex
from indexer.worker import Worker
from service.config import Settings
from service.db import create_pool, init_connection
from service.demo import DEMO_PASSWORD, load_demo
from service.main import create_app
from service.migrate import upgrade_head
from service.runtime.meili import MeiliServer, provision_keys
from tests.conftest import ROOT, _admin, _with_db
from tests.factories import MEILI_TIMEOUT_S
from tests.runtime.serve_process import wait_for
from tests.web import seed

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 60_000
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
}


class _ServerThread(threading.Thread):
    """uvicorn and the indexer worker on one event loop in a background thread."""

    def __init__(self, settings: Settings, port: int) -> None:
        super().__init__(name="web-e2e-server", daemon=True)
        self.settings = settings
        self.server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                                    log_config=None, lifespan="on"))
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to the fixture, which fails the tests with it
            self.error = exc

    async def _main(self) -> None:
        pool = await create_pool(self.settings.database_url or "", 1, 2)
        stop = asyncio.Event()
        worker = asyncio.create_task(Worker(pool, make_client(self.settings), self.settings).run(stop))
        try:
            await self.server.serve()
        finally:
            stop.set()
            await worker
            await pool.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def _demo_database(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await init_connection(conn)
        await load_demo(conn, cadres=200, progress=False)
    finally:
        await conn.close()


@dataclass
class Site:
    """The running site, its seeded objects and a place for screenshots."""

    url: str
    settings: Settings
    data: dict[str, Any] = field(default_factory=dict)

    def login_api(self, username: str) -> httpx.Client:
        """An API client with a bearer token of a demo user."""
        client = httpx.Client(base_url=self.url, timeout=30)
        r = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        r.raise_for_status()
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        return client

    def wait_indexed(self, timeout_s: float = 180.0) -> None:
        """Wait until every change committed so far is in the search index (the outbox drained)."""
        # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _outbox_drained(self.settings.database_url or "", timeout_s)).result()


async def _outbox_drained(url: str, timeout_s: float) -> None:
    conn = await asyncpg.connect(url)
    try:
        upto = await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
        deadline = time.monotonic() + timeout_s
        while await conn.fetchval("SELECT EXISTS (SELECT 1 FROM outbox WHERE id <= $1 AND done_at IS NULL)",
                                  upto):
            if time.monotonic() > deadline:
                raise AssertionError(f"the indexer did not catch up within {timeout_s:.0f} s")
            await asyncio.sleep(0.1)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def site(server_url: str, meili: MeiliServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A migrated demo database (200 cadres), its own index, the server and indexer running."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium 不存在（make setup 会安装 Debian 的 chromium）：跳过浏览器端到端测试")
    name = f"cadre_web_{secrets.token_hex(3)}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    url = _with_db(server_url, name)
    upgrade_head(url)
    asyncio.run(_demo_database(url))
    prefix = f"w{secrets.token_hex(3)}"
    search_key, index_key = provision_keys(meili.url, meili.master_key, prefix)
    port = _free_port()
    settings = Settings(env="test", database_url=url, data_dir=tmp_path_factory.mktemp("web"),
                        index_prefix=prefix, meili_url=meili.url, meili_search_key=SecretStr(search_key),
                        meili_index_key=SecretStr(index_key), port=port,
                        meili_timeout_s=MEILI_TIMEOUT_S)
    reindex(settings, False)
    thread = _ServerThread(settings, port)
    thread.start()
    base = f"http://127.0.0.1:{port}"

    def started() -> bool:
        if thread.error is not None:
            raise RuntimeError(f"测试服务未能启动：{thread.error!r}")
        return bool(thread.server.started)

    wait_for(started, "the test server to start", timeout_s=120, every_s=0.05)
    out = Site(base, settings)
    try:
        out.data = seed.seed(out)
        yield out
    finally:
        thread.server.should_exit = True
        thread.join(timeout=15)
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    """Debian's Chromium, headless, with a fresh profile (Playwright makes one per launch).

    Per module: Playwright's sync API keeps an event loop running in this thread while it is
    open, and the async tests of other modules need the thread to themselves."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)  # assertions wait on the page's state up to this long

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """Each journey runs on a desktop screen and on a phone."""
    name: str = request.param
    return name


@pytest.fixture
def page(browser: Any, site: Site, viewport: str) -> Iterator[Any]:
    """A fresh browser context (no cookies, no storage) at the viewport, failing on CSP violations."""
    context = browser.new_context(base_url=site.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  accept_downloads=True, **VIEWPORTS[viewport])
    # Upper bounds of condition waits, not delays: generous, so a busy machine does not fail them.
    context.set_default_timeout(WAIT_MS)
    pg = context.new_page()
    violations: list[str] = []
    pg.on("console", lambda m: violations.append(m.text)
          if m.type == "error" and "Content Security Policy" in m.text else None)
    pg.on("pageerror", lambda e: violations.append(f"script error: {e}"))
    try:
        yield pg
    finally:
        context.close()
    assert not violations, f"CSP violations or script errors: {violations}"


def shot(page: Any, name: str, viewport: str) -> None:
    """A full-page screenshot under artifacts/screenshots/ (kept by CI)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport}.png"), full_page=True)


@pytest.fixture
def screenshot(viewport: str) -> Any:
    """`screenshot(page, name)` saves `<name>-<viewport>.png`."""
    return lambda page, name: shot(page, name, viewport)
