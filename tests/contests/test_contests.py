"""Arena contests: presentations with scores and ranks, and the evidence they credit to the presenter."""

from typing import Any

from indexer.worker import Worker
from tests.factories import Api


async def _contest(api: Api, officer: dict[str, str], **overrides: Any) -> dict[str, Any]:
    body = {"name": f"区县党政正职擂台比武{api.tag}", "level": "district_head", "held_on": "2024-09-20",
            "place": "市委党校报告厅", "organizer_unit_id": api.units["city"]}
    r = await api.client.post("/api/contests", headers=officer, json={**body, **overrides})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def _presentation(cadre_id: int, shortcoming: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cadre_id": cadre_id, "speaking_order": 1,
        "achievements": "新签约亿元以上项目12个，完成城市更新片区改造3个。",
        "shortcomings": shortcoming, "goals": "四季度新开工项目10个。",
        "measures": "实行项目专班包保、周调度。",
        "scores": [{"scorer": "评委1", "score": 88}, {"scorer": "评委2", "score": 92}],
        "evidence": [{"domain": "investment_attraction", "judgement": "negative", "title": "项目落地偏慢"}],
    }
    body.update(overrides)
    return body


async def test_presentation_creates_negative_evidence_in_the_same_transaction(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    cadre = await api.cadre(officer, api.units["d1"], post="区委书记")
    contest = await _contest(api, officer)
    shortcoming = f"签约项目转化率偏低，落地开工慢{api.tag}"
    r = await api.client.post(f"/api/contests/{contest['id']}/presentations", headers=officer,
                              json=_presentation(cadre["id"], shortcoming))
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["average_score"] == 90.0 and p["rank"] == 1 and len(p["evidence_ids"]) == 1
    ev = (await api.client.get(f"/api/evidence/{p['evidence_ids'][0]}", headers=officer)).json()
    assert (ev["cadre_id"], ev["judgement"], ev["verification"]) == (cadre["id"], "negative", "claimed")
    assert ev["description"] == shortcoming and ev["period_start"] == "2024-09-20"
    revs = (await api.client.get(f"/api/evidence/{ev['id']}/revisions", headers=officer)).json()
    assert [x["action"] for x in revs] == ["create"]
    queued = await api.pool.fetch(
        """SELECT entity_type, entity_id FROM outbox WHERE (entity_type = 'evidence' AND entity_id = $1)
           OR (entity_type = 'cadre' AND entity_id = $2)""", ev["id"], cadre["id"])
    assert {r["entity_type"] for r in queued} == {"evidence", "cadre"}
    assert await api.pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'evidence.create' "
                                   "AND object_id = $1", str(ev["id"])) == 1


async def test_a_failing_presentation_leaves_no_evidence_behind(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    cadre = await api.cadre(officer, api.units["d1"])
    contest = await _contest(api, officer)
    body = _presentation(cadre["id"], "短板", record_id=999_999_999)
    r = await api.client.post(f"/api/contests/{contest['id']}/presentations", headers=officer, json=body)
    assert r.status_code == 422
    assert await api.pool.fetchval("SELECT count(*) FROM evidence WHERE cadre_id = $1", cadre["id"]) == 0


async def test_ranks_within_a_contest_and_presenters_outside_scope_are_hidden(api: Api) -> None:
    _, city = await api.user("officer", [api.units["city"]])
    _, d1_officer = await api.user("officer", [api.units["d1"]])
    c1 = await api.cadre(city, api.units["d1"], name="王一")
    c2 = await api.cadre(city, api.units["d2"], name="李二")
    contest = await _contest(api, city)
    url = f"/api/contests/{contest['id']}/presentations"
    assert (await api.client.post(url, headers=city, json=_presentation(
        c1["id"], "短板一", evidence=[], scores=[{"scorer": "评委", "score": 80}]))).status_code == 201
    assert (await api.client.post(url, headers=city, json=_presentation(
        c2["id"], "短板二", speaking_order=2, evidence=[], scores=[{"scorer": "评委", "score": 95}]))
        ).status_code == 201
    dup = await api.client.post(url, headers=city, json=_presentation(c1["id"], "再次", evidence=[]))
    assert dup.status_code == 409
    seen = (await api.client.get(f"/api/contests/{contest['id']}", headers=d1_officer)).json()
    assert [(p["cadre_name"], p["rank"], p["presenters"]) for p in seen["presentations"]] == [("王一", 2, 2)]
    full = (await api.client.get(f"/api/contests/{contest['id']}", headers=city)).json()
    assert [p["rank"] for p in full["presentations"]] == [2, 1]


async def test_presentation_update_keeps_a_revision_and_refuses_stale_versions(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    cadre = await api.cadre(officer, api.units["d1"])
    contest = await _contest(api, officer)
    p = (await api.client.post(f"/api/contests/{contest['id']}/presentations", headers=officer,
                               json=_presentation(cadre["id"], "短板", evidence=[]))).json()
    url = f"/api/contests/{contest['id']}/presentations/{p['id']}"
    body = {"achievements": "更正后的成绩", "scores": [{"scorer": "评委1", "score": 70}], "version": 1}
    assert (await api.client.put(url, headers=officer, json=body)).status_code == 200
    assert (await api.client.put(url, headers=officer, json=body)).status_code == 409
    revs = (await api.client.get(f"{url}/revisions", headers=officer)).json()
    assert [r["action"] for r in revs] == ["create", "update"]
    assert revs[1]["changes"]["achievements"][1] == "更正后的成绩"


async def test_presentation_evidence_and_contest_are_found_by_search(api: Api, indexer: Worker) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    cadre = await api.cadre(officer, api.units["d1"], name="欧阳擂台")
    contest = await _contest(api, officer)
    shortcoming = f"营商环境投诉办结率偏低编号{api.tag}"
    r = await api.client.post(f"/api/contests/{contest['id']}/presentations", headers=officer,
                              json=_presentation(cadre["id"], shortcoming))
    evidence_id = r.json()["evidence_ids"][0]
    await indexer.drain()
    hits = await api.client.get("/api/search", headers=officer, params={"q": f"办结率偏低编号{api.tag}"})
    assert hits.status_code == 200, hits.text
    found = {h["id"]: h for h in hits.json()["hits"]}
    assert f"evidence-{evidence_id}" in found and found[f"evidence-{evidence_id}"]["judgement"] == "negative"
    cadres = await api.client.get("/api/search", headers=officer, params={
        "q": f"擂台比武{contest['name']}", "type": "cadre"})
    assert [h["entity_id"] for h in cadres.json()["hits"]] == [cadre["id"]]
