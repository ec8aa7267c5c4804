"""Test fixtures: a real, migrated PostgreSQL per session and the app over ASGI.

CADRE_TEST_DATABASE_URL points the suite at an existing server (a fresh database is
created on it and dropped afterwards); otherwise an embedded PostgreSQL is started.
"""

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from indexer.client import make_client
from indexer.worker import Worker
from service.audit.checkpoints import generate_key
from service.config import Settings
from service.main import create_app
from service.migrate import upgrade_head
from service.runtime.meili import MeiliServer, provision_keys
from tests import scheduling
from tests.factories import MEILI_TIMEOUT_S, Api

ROOT = Path(__file__).resolve().parent.parent


def _with_db(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(_with_db(url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A PostgreSQL server: the configured one, or an embedded one for this session."""
    configured = os.environ.get("CADRE_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    from service.runtime.postgres import embedded_postgres

    # Outside pytest's basetemp, which concurrent pytest runs may prune.
    pg_dir = Path(tempfile.mkdtemp(prefix="cadre-test-pg-"))
    try:
        with embedded_postgres(pg_dir / "data", durable=False) as dsn:
            yield dsn
    finally:
        shutil.rmtree(pg_dir, ignore_errors=True)


@pytest.fixture
def private_tmp() -> Iterator[Path]:
    """A temporary directory outside pytest's basetemp, removed afterwards.

    For anything an embedded PostgreSQL serves: a concurrent pytest run prunes old basetemps and
    resets /tmp/pytest-of-<user> to 0700, which the server (run as embedded_postgres when we are
    root) then cannot traverse."""
    path = Path(tempfile.mkdtemp(prefix="cadre-test-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A fresh database migrated to head, dropped after the session."""
    name = f"cadre_test_{os.getpid()}_{secrets.token_hex(3)}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    url = _with_db(server_url, name)
    upgrade_head(url)
    yield url
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def meili() -> Iterator[MeiliServer]:
    """A real Meilisearch 1.21 server for this session (binary fetched and hash-checked)."""
    from service.runtime.meili import ensure_meilisearch_binary, meilisearch_server

    binary = ensure_meilisearch_binary(ROOT / ".cache")
    meili_dir = Path(tempfile.mkdtemp(prefix="cadre-test-meili-"))
    try:
        with meilisearch_server(meili_dir / "db", binary) as server:
            yield server
    finally:
        shutil.rmtree(meili_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def settings(database_url: str, meili: MeiliServer,
             tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the app under test, with search keys provisioned from the master key."""
    prefix = f"t{secrets.token_hex(3)}"
    search_key, index_key = provision_keys(meili.url, meili.master_key, prefix)
    # Tests seal the audit chain when they need it (service.audit.sealer.seal_all), so no
    # background sealer races a test that inspects or tampers with the chain.
    return Settings(env="test", database_url=database_url,
                    data_dir=tmp_path_factory.mktemp("data"), upload_max_bytes=1024 * 1024,
                    index_prefix=prefix, meili_url=meili.url,
                    meili_search_key=SecretStr(search_key), meili_index_key=SecretStr(index_key),
                    audit_sealer=False, audit_signing_key=SecretStr(generate_key()[0]),
                    meili_timeout_s=MEILI_TIMEOUT_S)


@pytest.fixture(scope="session")
async def indexer(settings: Settings, pool: asyncpg.Pool) -> Worker:
    """The real indexer worker on the test database, with a freshly built live index."""
    from indexer.reindex import reindex

    await asyncio.to_thread(reindex, settings, False)
    return Worker(pool, make_client(settings), settings)


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def pool(app: FastAPI) -> asyncpg.Pool:
    """The app's own pool, for assertions straight against the database."""
    p: asyncpg.Pool = app.state.pool
    return p


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the app in-process."""
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
async def api(client: httpx.AsyncClient, pool: asyncpg.Pool) -> Api:
    """A fresh little world per test: its own city unit tree and users."""
    world = Api(client, pool)
    await world.setup()
    return world


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the Chromium journeys and the fuzzing so they can be selected (`-m "not browser"`), and
    sort the modules longest first: the parallel workers take them in this order (tests/scheduling.py)."""
    for item in items:
        path = item.path.as_posix()
        if "/tests/web/" in path:
            item.add_marker(pytest.mark.browser)
        if "test_schemathesis" in path:
            item.add_marker(pytest.mark.slow)
    items.sort(key=scheduling.weight)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """With `--dist loadfile`, hand the modules out in the order above (xdist re-sorts them by size)."""
    return scheduling.make_scheduler(config, log) if config.getvalue("dist") == "loadfile" else None
