"""The indexer against real PostgreSQL and Meilisearch: concurrency, outages, reindex, drift."""

import asyncio

import asyncpg
import pytest
from meilisearch.errors import MeilisearchCommunicationError

from indexer.client import index_name, make_client
from indexer.reindex import check, reindex
from indexer.settings import apply_settings
from indexer.worker import Worker
from service.config import Settings
from service.runtime.meili import MeiliServer
from tests.factories import Api, campaign_with_team, record_body


async def _file_records(api: Api, n: int) -> tuple[dict[str, str], list[int]]:
    _, officer = await api.user("officer", [api.units["d1"]])
    rid, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    ids = []
    for i in range(n):
        r = await api.client.post("/api/records", headers=researcher, json=record_body(
            campaign, [cadre["id"]], title=f"纪实{api.tag}第{i}号", body=f"标记{api.tag}内容{i}"))
        ids.append(r.json()["id"])
    return officer, ids


async def _total(api: Api, headers: dict[str, str], q: str) -> int:
    r = await api.client.get("/api/search", headers=headers, params={"q": q, "type": "record"})
    assert r.status_code == 200, r.text
    total: int = r.json()["total"]
    return total


async def test_two_indexers_at_once_leave_index_equal_to_database(
        api: Api, indexer: Worker, pool: asyncpg.Pool, settings: Settings) -> None:
    officer, ids = await _file_records(api, 12)
    other = Worker(pool, make_client(settings), settings, batch=3)
    indexer_small = Worker(pool, make_client(settings), settings, batch=4)
    await asyncio.gather(other.drain(), indexer_small.drain())
    pending = await pool.fetchval("SELECT count(*) FROM outbox WHERE done_at IS NULL")
    assert pending == 0
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE done_at IS NOT NULL "
                               "AND task_uid IS NULL AND entity_type = 'record' "
                               "AND entity_id = ANY($1)", ids) == 0
    assert await _total(api, officer, f"标记{api.tag}") == 12
    drift = await asyncio.to_thread(check, settings)
    assert drift.clean, (drift.missing[:5], drift.extra[:5], drift.stale[:5])


async def test_search_is_503_while_meilisearch_is_down_and_indexer_catches_up(
        api: Api, indexer: Worker, meili: MeiliServer) -> None:
    officer, _ = await _file_records(api, 1)
    await indexer.drain()
    meili.stop()
    try:
        r = await api.client.get("/api/search", headers=officer, params={"q": f"标记{api.tag}"})
        assert r.status_code == 503
        assert r.headers["content-type"].startswith("application/problem+json")
        _, more = await _file_records(api, 2)
        assert len(more) == 2
        with pytest.raises(MeilisearchCommunicationError):
            await indexer.process_once()
    finally:
        meili.start()
    await indexer.drain()
    assert await _total(api, officer, f"标记{api.tag}") == 3


async def test_reindex_swaps_atomically_while_search_keeps_answering(
        api: Api, indexer: Worker, settings: Settings) -> None:
    officer, _ = await _file_records(api, 3)
    await indexer.drain()
    task = asyncio.create_task(asyncio.to_thread(reindex, settings, False))
    answers = []
    while not task.done():
        answers.append(await _total(api, officer, f"标记{api.tag}"))
        await asyncio.sleep(0.02)
    await task
    await indexer.drain()
    assert answers and all(a == 3 for a in answers)
    assert await _total(api, officer, f"标记{api.tag}") == 3
    assert (await asyncio.to_thread(check, settings)).clean


async def test_settings_are_applied_once(indexer: Worker, settings: Settings) -> None:
    client = make_client(settings)
    assert apply_settings(client, index_name(settings)) is False


async def test_check_reports_a_document_changed_behind_its_back(
        api: Api, indexer: Worker, pool: asyncpg.Pool, settings: Settings) -> None:
    _, ids = await _file_records(api, 1)
    await indexer.drain()
    await pool.execute("UPDATE field_records SET title = title || '（改）' WHERE id = $1", ids[0])
    drift = await asyncio.to_thread(check, settings)
    assert f"record-{ids[0]}" in drift.stale
    await pool.execute("INSERT INTO outbox (entity_type, entity_id) VALUES ('record', $1)", ids[0])
    await indexer.drain()
    assert f"record-{ids[0]}" not in (await asyncio.to_thread(check, settings)).stale


async def test_running_indexer_with_batches_in_flight_keeps_each_entitys_last_state(
        api: Api, indexer: Worker, pool: asyncpg.Pool, settings: Settings) -> None:
    officer, ids = await _file_records(api, 4)
    await indexer.drain()
    # one row per batch, three batches out at once: later edits of an entity whose batch is still
    # in Meilisearch wait for it, and the last edit wins
    worker = Worker(pool, make_client(settings), settings, batch=1, depth=3)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        for n in range(5):
            for rid in ids:
                async with pool.acquire() as conn, conn.transaction():
                    await conn.execute("UPDATE field_records SET title = $2 WHERE id = $1",
                                       rid, f"纪实{api.tag}第{rid}号改{n}")
                    await conn.execute("""WITH o AS (INSERT INTO outbox (entity_type, entity_id)
                                                     VALUES ('record', $1))
                                          SELECT pg_notify('cadre_outbox', '')""", rid)
        async with asyncio.timeout(120):
            while await pool.fetchval("""SELECT count(*) FROM outbox WHERE done_at IS NULL
                                           AND entity_type = 'record' AND entity_id = ANY($1)""", ids):
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await running
    # The tag quoted: unquoted, a hex tag such as cf5a3c reads as pinyin with tone numbers (cfac).
    assert await _total(api, officer, f'"{api.tag}" 改4') == 4
    assert await _total(api, officer, f'"{api.tag}" 改3') == 0
    drift = await asyncio.to_thread(check, settings)
    assert drift.clean, (drift.missing[:5], drift.extra[:5], drift.stale[:5])
