"""National ID numbers, penalties and family members reach only the roles that need them."""

import asyncio
import json
import logging
import sys
from typing import Any

import pytest

from indexer.client import live_index, make_client
from indexer.worker import Worker
from service.config import Settings
from service.logging_setup import JsonFormatter
from tests.factories import PASSWORD, Api, campaign_with_team

SECRET_RELATIVE = "赵秘密亲属"


async def _world(api: Api) -> dict[str, Any]:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    rid, researcher = await api.user("researcher")
    await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"], rewards_penalties=[
        {"kind": "penalty", "title": "党内警告处分", "issuer": "区纪委", "decided_on": "2022-03-01",
         "note": "违反工作纪律"},
        {"kind": "reward", "title": "记三等功", "decided_on": "2023-06-01"}])
    r = await api.client.post(f"/api/cadres/{cadre['id']}/family-members", headers=officer,
                              json={"relation": "配偶", "name": SECRET_RELATIVE})
    assert r.status_code == 201
    return {"officer": officer, "leader": leader, "researcher": researcher, "cadre": cadre,
            "nid": cadre["national_id"]}


async def test_national_id_unmasked_only_for_officers(api: Api) -> None:
    w = await _world(api)
    cid = w["cadre"]["id"]
    officer = (await api.client.get(f"/api/cadres/{cid}", headers=w["officer"])).json()
    assert officer["national_id"] == w["nid"] and not officer["national_id_masked"]
    for role in ("leader", "researcher"):
        r = await api.client.get(f"/api/cadres/{cid}", headers=w[role])
        assert r.status_code == 200 and w["nid"] not in r.text, role
        assert r.json()["national_id_masked"] and r.json()["national_id"][-4:] == w["nid"][-4:]
    for role in ("officer", "leader", "researcher"):
        listed = await api.client.get("/api/cadres", headers=w[role], params={"unit_id": api.units["d1"]})
        assert listed.status_code == 200 and cid in [c["id"] for c in listed.json()["items"]]
        assert w["nid"] not in listed.text and w["nid"][6:14] not in listed.text, role


async def test_revisions_and_audit_entries_never_hold_the_national_id(api: Api) -> None:
    w = await _world(api)
    cid = w["cadre"]["id"]
    body = api.cadre_body(api.units["d1_bureau"], national_id=w["nid"], post="党组书记",
                          birth_date=w["cadre"]["birth_date"], version=1)
    for key in ("career", "appraisals"):
        body.pop(key)
    assert (await api.client.put(f"/api/cadres/{cid}", headers=w["officer"], json=body)).status_code == 200
    revisions = await api.client.get(f"/api/cadres/{cid}/revisions", headers=w["officer"])
    assert revisions.status_code == 200 and len(revisions.json()) == 2
    assert w["nid"] not in revisions.text
    stored = await api.pool.fetch(
        "SELECT snapshot::text AS s, changes::text AS c FROM revisions "
        "WHERE entity_type = 'cadre' AND entity_id = $1", cid)
    assert stored and all(w["nid"] not in r["s"] + r["c"] for r in stored)
    assert not await api.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE details::text LIKE $1", f"%{w['nid']}%")


async def test_search_documents_hold_no_national_id_penalty_or_family(
        api: Api, indexer: Worker, settings: Settings) -> None:
    w = await _world(api)
    await indexer.drain()
    index = live_index(make_client(settings), settings)
    doc = await asyncio.to_thread(index.get_document, f"cadre-{w['cadre']['id']}")
    text = json.dumps(dict(doc), ensure_ascii=False)
    assert w["cadre"]["name"] in text
    for secret in (w["nid"], w["nid"][6:14], "党内警告", "区纪委", SECRET_RELATIVE):
        assert secret not in text, secret
    for role in ("officer", "leader", "researcher"):
        for q in (w["nid"], SECRET_RELATIVE, "党内警告"):
            r = await api.client.get("/api/search", headers=w[role], params={"q": q})
            assert r.status_code == 200 and r.json()["total"] == 0, (role, q)
    # Searching for an ID number is in the trail, with the number masked.
    assert not await api.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE details::text LIKE $1", f"%{w['nid']}%")
    masked = w["nid"][:6] + "*" * 8 + w["nid"][-4:]
    assert await api.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'search' AND details->>'q' = $1", masked) == 3


async def test_penalties_are_withheld_from_leaders_and_researchers(api: Api) -> None:
    w = await _world(api)
    cid = w["cadre"]["id"]
    full = (await api.client.get(f"/api/cadres/{cid}", headers=w["officer"])).json()
    penalty = next(p for p in full["rewards_penalties"] if p["kind"] == "penalty")
    assert penalty["title"] == "党内警告处分" and penalty["note"] and not penalty["restricted"]
    for role in ("leader", "researcher"):
        r = await api.client.get(f"/api/cadres/{cid}", headers=w[role])
        shown = {p["kind"]: p for p in r.json()["rewards_penalties"]}
        assert shown["penalty"]["title"] == "（受限）" and shown["penalty"]["restricted"]
        assert shown["penalty"]["issuer"] is None and shown["penalty"]["note"] is None
        assert shown["reward"]["title"] == "记三等功" and not shown["reward"]["restricted"]
        assert "党内警告" not in r.text and "区纪委" not in r.text and "违反工作纪律" not in r.text


async def test_family_members_only_for_officers_in_scope(api: Api) -> None:
    w = await _world(api)
    cid = w["cadre"]["id"]
    path = f"/api/cadres/{cid}/family-members"
    assert (await api.client.get(path, headers=w["officer"])).json()[0]["name"] == SECRET_RELATIVE
    for role in ("leader", "researcher"):
        assert (await api.client.get(path, headers=w[role])).status_code == 403
        detail = await api.client.get(f"/api/cadres/{cid}", headers=w[role])
        assert SECRET_RELATIVE not in detail.text
    _, other = await api.user("officer", [api.units["d2"]])
    assert (await api.client.get(path, headers=other)).status_code == 404
    refused = await api.client.post(path, headers=other, json={"relation": "子", "name": "某"})
    assert refused.status_code == 404


async def test_logs_hold_no_national_id_password_or_token(
        api: Api, caplog: pytest.LogCaptureFixture) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    token = officer["Authorization"].removeprefix("Bearer ")
    body = api.cadre_body(api.units["d1_bureau"])
    nid = body["national_id"]
    with caplog.at_level(logging.DEBUG):
        created = await api.client.post("/api/cadres", headers=officer, json=body)
        assert created.status_code == 201
        await api.client.post("/api/cadres", headers=officer, json=body)  # duplicate: an error path
        await api.client.get("/api/cadres", headers=officer, params={"name": "张"})
        await api.client.post("/api/auth/login", json={"username": f"nobody_{api.tag}",
                                                       "password": PASSWORD})
        await api.client.post("/api/auth/password", headers=officer,
                              json={"current_password": "Wrong@pass-1", "new_password": PASSWORD})
    lines = [JsonFormatter().format(r) for r in caplog.records] + [caplog.text]
    assert caplog.records, "the requests were logged"
    for line in lines:
        for secret in (nid, PASSWORD, token, "Wrong@pass-1"):
            assert secret not in line


def test_log_formatter_masks_ids_tokens_and_passwords_quoted_by_errors() -> None:
    nid = "11010519800101123X"
    try:
        raise ValueError(f'duplicate key (national_id)=({nid}) {{"password": "Sesame@2024x"}}')
    except ValueError:
        record = logging.LogRecord("cadre.errors", logging.ERROR, __file__, 1,
                                   "failed with Authorization: Bearer abcDEF123.xyz", None,
                                   sys.exc_info())
    record.body = {"token": "t0k3n-value", "national_id": nid}
    line = JsonFormatter().format(record)
    for secret in (nid, "Sesame@2024x", "abcDEF123.xyz", "t0k3n-value"):
        assert secret not in line
    assert "110105********123X" in line
