"""Search through the real indexer and a real Meilisearch: recall, scope, facets, escaping."""

import asyncio
from typing import Any

import httpx

from indexer.worker import Worker
from service.config import Settings
from service.main import create_app
from tests.factories import Api, campaign_with_team, record_body


async def _world(api: Api, indexer: Worker) -> dict[str, Any]:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, officer2 = await api.user("officer", [api.units["d2"]])
    rid, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"], name="欧阳志东")
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    body = record_body(campaign, [cadre["id"]], title=f"窗口服务纪实{api.tag}",
                       body=f"现场督办待处理事项，推动违章建筑拆除<script>alert(1)</script>。编号{api.tag}")
    rec = (await api.client.post("/api/records", headers=researcher, json=body)).json()
    draft = (await api.client.post("/api/records", headers=researcher, json=record_body(
        campaign, [cadre["id"]], title=f"草稿{api.tag}", body=f"草稿内容待处理{api.tag}",
        submit=False))).json()
    await indexer.drain()
    return {"officer": officer, "officer2": officer2, "researcher": researcher, "cadre": cadre,
            "record": rec, "draft": draft}


async def _ids(api: Api, headers: dict[str, str], **params: Any) -> set[str]:
    r = await api.client.get("/api/search", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return {h["id"] for h in r.json()["hits"]}


async def test_middle_of_a_word_and_abbreviation_find_the_record(api: Api, indexer: Worker) -> None:
    w = await _world(api, indexer)
    rec_id = f"record-{w['record']['id']}"
    assert rec_id in await _ids(api, w["officer"], q="处理事项", per_page=100)
    assert rec_id in await _ids(api, w["officer"], q="理事", per_page=100)
    assert rec_id in await _ids(api, w["officer"], q="违建拆除", per_page=100)
    assert rec_id in await _ids(api, w["officer"], q=f"编号{api.tag}")


async def test_name_by_substring_and_pinyin(api: Api, indexer: Worker) -> None:
    w = await _world(api, indexer)
    cid = f"cadre-{w['cadre']['id']}"
    assert cid in await _ids(api, w["officer"], q="志东", type="cadre", per_page=100)
    assert cid in await _ids(api, w["officer"], q="ouyangzhidong", type="cadre", per_page=100)
    assert cid in await _ids(api, w["officer"], q="oyzd", type="cadre", per_page=100)


async def test_out_of_scope_officer_sees_and_counts_nothing(api: Api, indexer: Worker) -> None:
    w = await _world(api, indexer)
    r = await api.client.get("/api/search", headers=w["officer2"], params={"q": f"编号{api.tag}"})
    assert r.status_code == 200
    assert r.json()["total"] == 0 and r.json()["hits"] == []
    assert all(not v for v in r.json()["facets"].values())


async def test_drafts_only_for_their_author(api: Api, indexer: Worker) -> None:
    w = await _world(api, indexer)
    draft_id = f"record-{w['draft']['id']}"
    assert draft_id in await _ids(api, w["researcher"], q=f"待处理{api.tag}", per_page=100)
    assert draft_id not in await _ids(api, w["officer"], q=f"待处理{api.tag}", per_page=100)


async def test_highlight_is_escaped_and_facets_count(api: Api, indexer: Worker) -> None:
    w = await _world(api, indexer)
    r = await api.client.get("/api/search", headers=w["officer"], params={"q": f"编号{api.tag}"})
    hit = next(h for h in r.json()["hits"] if h["id"] == f"record-{w['record']['id']}")
    assert "<script>" not in hit["snippet_html"] and "&lt;script&gt;" in hit["snippet_html"]
    assert f"<mark>编号{api.tag}</mark>" in hit["snippet_html"]
    assert r.json()["facets"]["kind"]["window_service"] >= 1


async def test_search_requires_a_reading_role(api: Api, indexer: Worker) -> None:
    _, auditor = await api.user("auditor")
    assert (await api.client.get("/api/search", headers=auditor)).status_code == 403
    assert (await api.client.get("/api/search")).status_code == 401


async def test_candidate_mode_returns_one_hit_per_cadre_with_best_evidence(
        api: Api, indexer: Worker) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    a = await api.cadre(officer, api.units["d1_bureau"], name="林海")
    b = await api.cadre(officer, api.units["d1_bureau"], name="陈路")
    marker = f"片区{api.tag}"
    for cadre, title in ((a, f"{marker}项目落地"), (a, f"{marker}项目落地提速"), (b, f"{marker}项目落地")):
        r = await api.client.post("/api/evidence", headers=officer, json={
            "cadre_id": cadre["id"], "domain": "investment_attraction", "title": title,
            "period_start": "2024-01-01", "period_end": "2024-06-30"})
        assert r.status_code == 201, r.text
    await indexer.drain()
    r = await api.client.get("/api/search", headers=officer,
                             params={"q": f"{marker}项目落地", "mode": "candidates"})
    hits = r.json()["hits"]
    assert sorted(h["cadre_ids"][0] for h in hits) == sorted([a["id"], b["id"]])
    assert all(h["type"] == "evidence" for h in hits)
    library = await api.client.get("/api/search", headers=officer,
                                   params={"q": f"{marker}项目落地", "type": "evidence"})
    assert library.json()["total"] == 3


async def test_a_search_the_engine_refuses_is_a_503_not_a_500(settings: Settings, api: Api) -> None:
    # A stand-in Meilisearch whose index lacks a filterable attribute the service filters on (an
    # index whose settings are being rebuilt): it refuses every search with a 400.
    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = (b'{"message":"Attribute `id` is not filterable.","code":"invalid_search_filter",'
                b'"type":"invalid_request","link":""}')
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    _, officer = await api.user("officer", [api.units["d1"]])
    server = await asyncio.start_server(refuse, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    application = create_app(settings.model_copy(update={"meili_url": f"http://127.0.0.1:{port}"}))
    try:
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application, client=("10.1.2.3", 5555))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                answered = await client.get("/api/search", params={"q": "城中村"}, headers=officer)
                assert answered.status_code == 503, answered.text
                assert answered.headers["content-type"].startswith("application/problem+json")
                assert answered.headers["retry-after"] == "5"
                assert "检索服务暂不可用" in answered.json()["detail"]
    finally:
        server.close()
        await server.wait_closed()
