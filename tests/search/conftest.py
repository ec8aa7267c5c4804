"""A library for the search quality tests: the demo data (200 cadres), the fixture corpus and one
pair of items per vocabulary group (plus one per thing a group covers), indexed by a full
reindex, behind its own app."""

import asyncio
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from pydantic import SecretStr

from indexer import documents
from indexer.reindex import reindex
from schemas.vocabulary import groups
from service.config import Settings
from service.db import init_connection
from service.demo import DEMO_PASSWORD, load_demo
from service.main import create_app
from service.migrate import upgrade_head
from service.runtime.meili import MeiliServer, provision_keys
from tests.conftest import _admin, _with_db
from tests.factories import MEILI_TIMEOUT_S
from tests.search import corpus

VOCAB_CADRE = "万宝华"


@dataclass
class Library:
    """The indexed library: an officer's client, every document, fixture ids."""

    client: httpx.AsyncClient
    docs: list[dict[str, Any]]
    ids: dict[str, str]  # corpus item key or cadre name -> document id
    vocab: dict[int, tuple[str, str]]  # group index -> (id of the first term's item, last term's)
    covered: dict[int, dict[str, str]]  # group index -> {a thing the group covers: its item's id}

    def visible(self) -> list[dict[str, Any]]:
        """Documents the demo officer may find (everything but drafts)."""
        return [d for d in self.docs if d["state"] != "draft"]


def vocab_marker(index: int) -> str:
    """The title word that singles out one vocabulary group's items."""
    return f"词表第{index:03d}组"


async def _login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def _evidence(client: httpx.AsyncClient, officer: dict[str, str], cadre_id: int,
                    index: int, term: str) -> str:
    r = await client.post("/api/evidence", headers=officer, json={
        "cadre_id": cadre_id, "domain": "other", "title": f"{vocab_marker(index)}工作",
        "description": f"本期重点：{term}工作取得进展。", "period_start": "2024-01-01",
        "period_end": "2024-03-31"})
    assert r.status_code == 201, r.text
    return f"evidence-{r.json()['id']}"


async def _vocabulary_items(client: httpx.AsyncClient, officer: dict[str, str], cadre_id: int
                            ) -> tuple[dict[int, tuple[str, str]], dict[int, dict[str, str]]]:
    pairs: dict[int, tuple[str, str]] = {}
    covered: dict[int, dict[str, str]] = {}
    for i, group in enumerate(groups()):
        pairs[i] = (await _evidence(client, officer, cadre_id, i, group.terms[0]),
                    await _evidence(client, officer, cadre_id, i, group.terms[-1]))
        if group.covers:
            covered[i] = {c: await _evidence(client, officer, cadre_id, i, c) for c in group.covers}
    return pairs, covered


@pytest.fixture(scope="session")
async def library(server_url: str, meili: MeiliServer,
                  tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Library]:
    """The demo data plus the fixture corpus, indexed, behind its own app."""
    name = f"cadre_search_{secrets.token_hex(3)}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    url = _with_db(server_url, name)
    await asyncio.to_thread(upgrade_head, url)
    conn = await asyncpg.connect(url)
    await init_connection(conn)
    await load_demo(conn, cadres=200, progress=False)
    prefix = f"s{secrets.token_hex(3)}"
    search_key, index_key = provision_keys(meili.url, meili.master_key, prefix)
    settings = Settings(env="test", database_url=url, data_dir=tmp_path_factory.mktemp("search"),
                        index_prefix=prefix, meili_url=meili.url,
                        meili_search_key=SecretStr(search_key), meili_index_key=SecretStr(index_key),
                        meili_timeout_s=MEILI_TIMEOUT_S)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as client:
            officer = await _login(client, "officer")
            researcher = await _login(client, "researcher")
            ids = await corpus.load(client, conn, officer, researcher)
            r = await client.post("/api/cadres", headers=officer, json=corpus._cadre_body(
                VOCAB_CADRE, "办公室主任", await corpus._unit(conn, 0)))
            assert r.status_code == 201, r.text
            vocab, covered = await _vocabulary_items(client, officer, r.json()["id"])
            await conn.close()
            # A fresh connection: the demo loader may have reset this one's JSON codecs.
            conn = await asyncpg.connect(url)
            await init_connection(conn)
            docs = [d for t in ("cadre", "record", "evidence")
                    async for batch in documents.build_all(conn, t) for d in batch]
            await conn.close()
            await asyncio.to_thread(reindex, settings, False)
            client.headers.update(officer)
            yield Library(client, docs, ids, vocab, covered)
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def search(client: httpx.AsyncClient, q: str, **params: Any) -> dict[str, Any]:
    """One search through the API (200 expected)."""
    r = await client.get("/api/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def all_ids(client: httpx.AsyncClient, q: str, params: dict[str, Any]) -> set[str]:
    """Every document id a query returns, over all pages."""
    got: set[str] = set()
    for page in range(1, 40):
        body = await search(client, q, per_page=100, page=page, **params)
        got |= {h["id"] for h in body["hits"]}
        if page * 100 >= body["total"]:
            return got
    return got
