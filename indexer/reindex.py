"""Full rebuild into a fresh index, swapped in atomically; and drift checks against PostgreSQL."""

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import meilisearch
from tqdm import tqdm

from indexer import documents
from indexer.client import META_ID, index_name, live_marker, make_client, wait
from indexer.settings import apply_settings
from schemas.search import ENCODING
from service.config import Settings
from service.db import init_connection


async def _connect(settings: Settings) -> asyncpg.Connection:
    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url)
    await init_connection(conn)
    return conn


def _ensure_index(client: meilisearch.Client, uid: str) -> None:
    try:
        client.get_index(uid)
    except meilisearch.errors.MeilisearchApiError:
        wait(client, client.create_index(uid, {"primaryKey": "id"}).task_uid)


async def _fill(settings: Settings, client: meilisearch.Client, uid: str, build_id: str,
                progress: bool) -> tuple[int, int]:
    conn = await _connect(settings)
    try:
        marker: int = await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
        totals = await documents.count_all(conn)
        index = client.index(uid)
        last = None
        count = 0
        with tqdm(total=sum(totals.values()), desc="重建索引", unit="doc", disable=not progress) as bar:
            for entity_type in ("cadre", "record", "evidence"):
                async for batch in documents.build_all(conn, entity_type, 2000):
                    last = (await asyncio.to_thread(index.add_documents, batch, "id")).task_uid
                    count += len(batch)
                    bar.update(len(batch))
        # The marker also carries every searched field: Meilisearch refuses attributesToSearchOn
        # naming a field no document has yet (an empty library). No access filter admits "meta".
        meta = {"id": META_ID, "type": "meta", "entity_id": 0, "title": build_id, "text": "",
                "state": "meta", "kind": "meta", "title_c": "", "ctx_c": [], "body_c": [],
                "alt_c": [], "pinyin": [], "latin": "", "chars": "", "encoding": ENCODING}
        last = (await asyncio.to_thread(index.add_documents, [meta], "id")).task_uid
        await asyncio.to_thread(_await_indexed, client, uid, last, count + 1, progress)
        return count, marker
    finally:
        await conn.close()


def _await_indexed(client: meilisearch.Client, uid: str, last_task: int, total: int,
                   progress: bool) -> None:
    """Wait for Meilisearch to index what was sent, showing how many documents it holds.

    Sending is fast; indexing (jieba segmentation) is the slow part of a first start, so
    without this bar the start-up looked stuck after "100 %"."""
    index = client.index(uid)
    deadline = time.monotonic() + 3600
    with tqdm(total=total, desc="Meilisearch 建索引", unit="doc", disable=not progress) as bar:
        while True:
            task = client.get_task(last_task)
            if task.status in ("succeeded", "failed", "canceled"):
                break
            held = index.get_stats().number_of_documents
            bar.update(max(0, held - bar.n))
            if time.monotonic() > deadline:
                raise RuntimeError("等待 Meilisearch 建索引超时")
            time.sleep(0.5)
        bar.update(max(0, total - bar.n))
    wait(client, last_task, 60.0)


async def _requeue_since(settings: Settings, marker: int) -> int:
    """Changes committed during the build went to the old index; queue them again."""
    conn = await _connect(settings)
    try:
        status = await conn.execute(
            """INSERT INTO outbox (entity_type, entity_id)
               SELECT DISTINCT entity_type, entity_id FROM outbox WHERE id > $1""", marker)
        return int(status.split()[-1])
    finally:
        await conn.close()


def reindex(settings: Settings, progress: bool = True) -> int:
    """Rebuild every document into a new index and swap it with the live one."""
    client = make_client(settings, 120)
    live = index_name(settings)
    build_id = f"{live}_build_{time.time_ns()}"
    _ensure_index(client, build_id)
    apply_settings(client, build_id)
    count, marker = asyncio.run(_fill(settings, client, build_id, build_id, progress))
    _ensure_index(client, live)
    client.swap_indexes([{"indexes": [live, build_id]}])
    # The swap task is not readable with an index-scoped key; the marker document tells us.
    deadline = time.monotonic() + 300
    while _live_build(client, live) != build_id:
        if time.monotonic() > deadline:
            raise RuntimeError("索引切换超时")
        time.sleep(0.05)
    wait(client, client.delete_index(build_id).task_uid)
    asyncio.run(_requeue_since(settings, marker))
    return count


def _live_build(client: meilisearch.Client, uid: str) -> str | None:
    marker = live_marker(client, uid)
    return str(marker["title"]) if marker else None


@dataclass
class Drift:
    """Differences between PostgreSQL and the live index."""

    counts_pg: dict[str, int]
    counts_index: dict[str, int]
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Whether the index matches PostgreSQL exactly."""
        return not (self.missing or self.extra or self.stale)


def _index_checksums(client: meilisearch.Client, uid: str) -> dict[str, str]:
    out: dict[str, str] = {}
    offset = 0
    index = client.index(uid)
    while True:
        page: Any = index.get_documents({"fields": ["id", "checksum"], "limit": 5000,
                                         "offset": offset})
        for doc in page.results:
            data = dict(doc)
            if data["id"] != META_ID:
                out[data["id"]] = data.get("checksum", "")
        if len(page.results) < 5000:
            return out
        offset += 5000


async def _pg_checksums(settings: Settings) -> dict[str, str]:
    conn = await _connect(settings)
    try:
        out: dict[str, str] = {}
        for entity_type in ("cadre", "record", "evidence"):
            async for batch in documents.build_all(conn, entity_type, 2000):
                out.update({d["id"]: d["checksum"] for d in batch})
        return out
    finally:
        await conn.close()


def check(settings: Settings) -> Drift:
    """Compare counts and per-document checksums between PostgreSQL and the live index."""
    client = make_client(settings, 120)
    pg = asyncio.run(_pg_checksums(settings))
    idx = _index_checksums(client, index_name(settings))

    def by_type(ids: dict[str, str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for key in ids:
            counts[key.split("-")[0]] = counts.get(key.split("-")[0], 0) + 1
        return counts

    return Drift(by_type(pg), by_type(idx), sorted(set(pg) - set(idx)), sorted(set(idx) - set(pg)),
                 sorted(k for k in set(pg) & set(idx) if pg[k] != idx[k]))
