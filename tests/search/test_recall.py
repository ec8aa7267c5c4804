"""Recall and precision of search on a labeled query set generated from the demo data.

The labels come from the indexed documents themselves: a document is relevant to a query
when one of its texts contains the query (or a vocabulary variant of it) contiguously, or
when the query is the pinyin of a cadre's name. Every query goes through the real API.
"""

import asyncio
import random
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest
from pydantic import SecretStr

from indexer import documents
from indexer.reindex import reindex
from schemas.search import expand_synonyms, has_cjk, normalize, synonym_groups
from service.config import Settings
from service.db import init_connection
from service.demo import DEMO_PASSWORD, load_demo
from service.main import create_app
from service.migrate import upgrade_head
from service.runtime.meili import MeiliServer, provision_keys
from tests.conftest import _admin, _with_db

CATEGORIES = ("substring", "abbreviation", "name", "pinyin", "filtered")


@dataclass
class Labeled:
    """One query with the ids that must come back."""

    category: str
    q: str
    relevant: set[str]
    params: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
async def demo_client(server_url: str, meili: MeiliServer,
                      tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[
                          tuple[httpx.AsyncClient, list[dict[str, Any]]]]:
    """A demo database (200 cadres), indexed, behind its own app; and its documents."""
    name = f"cadre_recall_{secrets.token_hex(3)}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    url = _with_db(server_url, name)
    await asyncio.to_thread(upgrade_head, url)
    conn = await asyncpg.connect(url)
    await init_connection(conn)
    await load_demo(conn, cadres=200, progress=False)
    docs = [d for t in ("cadre", "record", "evidence")
            async for batch in documents.build_all(conn, t) for d in batch]
    await conn.close()
    prefix = f"r{secrets.token_hex(3)}"
    search_key, index_key = provision_keys(meili.url, meili.master_key, prefix)
    settings = Settings(env="test", database_url=url, data_dir=tmp_path_factory.mktemp("recall"),
                        index_prefix=prefix, meili_url=meili.url,
                        meili_search_key=SecretStr(search_key), meili_index_key=SecretStr(index_key))
    await asyncio.to_thread(reindex, settings, False)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            r = await client.post("/api/auth/login", json={"username": "officer",
                                                           "password": DEMO_PASSWORD})
            client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
            yield client, docs
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _texts(doc: dict[str, Any]) -> list[str]:
    return [normalize(t) for t in (doc["title"], doc["text"], *doc["cadre_names"])]


def _contains(doc: dict[str, Any], q: str) -> bool:
    variants = {normalize(v) for v in expand_synonyms(q)}
    return any(v in t for t in _texts(doc) for v in variants)


def _labeled_queries(docs: list[dict[str, Any]], rng: random.Random) -> list[Labeled]:
    visible = [d for d in docs if d["state"] != "draft"]
    out: list[Labeled] = []
    texts = [d for d in visible if d["type"] != "cadre"]
    while len([q for q in out if q.category == "substring"]) < 60:
        doc = rng.choice(texts)
        n = rng.choice((2, 3, 4, 5, 6, 8, 11, 16, 24))
        candidates = [t for t in _texts(doc)[:2] if len(t) > n + 1]
        if not candidates:
            continue
        text = rng.choice(candidates)
        start = rng.randrange(0, len(text) - n)
        q = text[start:start + n]
        relevant = {d["id"] for d in visible if _contains(d, q)}
        if has_cjk(q) and len(relevant) <= 150:
            out.append(Labeled("substring", q, relevant))
    for group in synonym_groups():
        short = min(group, key=len)
        relevant = {d["id"] for d in visible if _contains(d, short)}
        if relevant and len(relevant) <= 300:
            out.append(Labeled("abbreviation", short, relevant))
    cadres = [d for d in visible if d["type"] == "cadre"]
    for doc in rng.sample(cadres, 25):
        name = doc["title"]
        part = name[rng.randrange(0, len(name) - 1):][:2] if len(name) > 2 else name
        named = {d["id"] for d in cadres if normalize(part) in normalize(d["title"])}
        out.append(Labeled("name", part, named, {"type": "cadre"}))
        full, initials = doc["pinyin"][0], doc["pinyin"][1]
        for q in (full, initials):
            out.append(Labeled("pinyin", q, {d["id"] for d in cadres if q in d["pinyin"]},
                               {"type": "cadre"}))
    for doc in rng.sample([d for d in visible if d["type"] == "evidence"], 15):
        q = _texts(doc)[0][:3]
        relevant = {d["id"] for d in visible if d["type"] == "evidence"
                    and d["domain"] == doc["domain"] and _contains(d, q)}
        out.append(Labeled("filtered", q, relevant, {"domain": doc["domain"], "type": "evidence"}))
    return out


async def _all_ids(client: httpx.AsyncClient, q: str, params: dict[str, Any]) -> set[str]:
    got: set[str] = set()
    for page in range(1, 20):
        r = await client.get("/api/search", params={"q": q, "per_page": 100, "page": page, **params})
        assert r.status_code == 200, r.text
        body = r.json()
        got |= {h["id"] for h in body["hits"]}
        if page * 100 >= body["total"]:
            return got
    return got


async def test_recall_is_complete_and_precision_high_on_labeled_queries(
        demo_client: tuple[httpx.AsyncClient, list[dict[str, Any]]]) -> None:
    client, docs = demo_client
    queries = _labeled_queries(docs, random.Random(20241))
    stats = {c: [0, 0, 0] for c in CATEGORIES}  # relevant, found, returned
    misses = []
    for item in queries:
        got = await _all_ids(client, item.q, item.params)
        s = stats[item.category]
        s[0] += len(item.relevant)
        s[1] += len(item.relevant & got)
        s[2] += len(got)
        if item.relevant - got:
            misses.append((item.category, item.q, sorted(item.relevant - got)[:3]))
    report = {c: (round(s[1] / s[0], 4) if s[0] else None, round(s[1] / s[2], 4) if s[2] else None)
              for c, s in stats.items()}
    print("\nrecall, precision per category:", report, f"queries={len(queries)}")
    assert not misses, misses[:10]
    for category, (_, precision) in report.items():
        assert precision is None or precision >= 0.8, (category, precision)
