"""Shortlists: transparent ranking, marks, saved immutable versions, reproduction, search seeds."""

import asyncpg
import pytest

from indexer.worker import Worker
from tests.factories import Api
from tests.positions.helpers import RULES, cadre, evidence, office, position


async def test_ranking_is_explained_by_rules_and_evidence_ids(api: Api) -> None:
    o = await office(api)
    strong = await cadre(o, name="李强")
    weak = await cadre(o, name="王弱", appraisals=[{"year": 2024, "grade": "competent"}])
    big = await evidence(o, strong["id"], metrics=[{"name": "改造老旧小区", "value": 40, "unit": "个"}])
    recent = await evidence(o, strong["id"], domain="investment_attraction", title="招商引资",
                            period_start="2025-01-01", period_end="2025-03-31", metrics=[])
    small = await evidence(o, weak["id"], metrics=[{"name": "改造老旧小区", "value": 3, "unit": "个"}],
                           period_start="2021-01-01", period_end="2021-12-31")
    await evidence(o, weak["id"], domain="livelihood", title="短板", judgement="negative")
    pos = await position(o)
    r = await api.client.get(f"/api/positions/{pos['id']}/shortlist", headers=o.officer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["eligible_total"] == 2 and len(body["inputs_hash"]) == 64
    first, second = body["candidates"]
    assert (first["cadre_id"], second["cadre_id"]) == (strong["id"], weak["id"])
    assert first["pos"] == 1 and all(rule["passed"] for rule in first["rules"])
    assert {e["evidence_id"] for e in first["evidence"]} == {big["id"], recent["id"]}
    top_line = first["evidence"][0]
    assert top_line["evidence_id"] == big["id"] and top_line["relevance"] == 1.0
    assert top_line["size"] == 1.0  # the largest value of its metric among the candidates
    assert next(e for e in first["evidence"] if e["evidence_id"] == recent["id"])["relevance"] == 0.5
    assert small["id"] in {e["evidence_id"] for e in second["evidence"]}
    assert any(e["points"] < 0 for e in second["evidence"])  # the shortcoming counts against
    parts = first["parts"]
    assert abs(sum(parts.values()) - first["score"]) < 1e-5
    assert [a["year"] for a in first["appraisals"]] == [2022, 2023, 2024]


async def test_pin_exclude_and_the_ineligible_with_their_rules(api: Api) -> None:
    o = await office(api)
    a, b = await cadre(o), await cadre(o)
    young_grassless = await cadre(o, career=[])
    for who in (a, b, young_grassless):
        await evidence(o, who["id"])
    pos = await position(o)
    url = f"/api/positions/{pos['id']}/shortlist"
    refused = await api.client.post(f"{url}/marks", headers=o.officer, json={
        "cadre_id": young_grassless["id"], "action": "pin", "reason": "群众公认"})
    assert refused.status_code == 409 and "基层工作经历" in refused.json()["detail"]
    assert refused.json()["failed"] == ["grassroots"]
    ex = await api.client.post(f"{url}/marks", headers=o.officer, json={
        "cadre_id": a["id"], "action": "exclude", "reason": "近期拟交流任职"})
    assert ex.status_code == 201, ex.text
    pin = await api.client.post(f"{url}/marks", headers=o.officer, json={
        "cadre_id": b["id"], "action": "pin", "reason": "重点培养"})
    assert pin.status_code == 201
    body = (await api.client.get(url, headers=o.officer, params={"top_n": 1,
                                                                "include_ineligible": True})).json()
    assert [c["cadre_id"] for c in body["candidates"]] == [b["id"]]
    assert body["candidates"][0]["mark"] == "pin"
    assert body["excluded"][0]["cadre_id"] == a["id"] and body["excluded"][0]["reason"] == "近期拟交流任职"
    listed = {i["cadre_id"]: i for i in body["ineligible"]}
    assert listed[young_grassless["id"]]["failed"] == ["grassroots"]
    _, leader = await api.user("leader", [api.units["d1"]])
    assert (await api.client.get(url, headers=leader)).status_code == 200
    assert (await api.client.post(f"{url}/marks", headers=leader, json={
        "cadre_id": b["id"], "action": "pin", "reason": "x"})).status_code == 403
    back = await api.client.post(f"{url}/marks/{ex.json()['id']}/withdraw", headers=o.officer)
    assert back.status_code == 200
    marks = (await api.client.get(f"{url}/marks", headers=o.officer)).json()
    assert [m["withdrawn_at"] is not None for m in marks] == [True, False]


async def test_saved_versions_are_immutable_reproducible_and_comparable(api: Api) -> None:
    o = await office(api)
    a, b = await cadre(o), await cadre(o)
    await evidence(o, a["id"])
    await evidence(o, b["id"], metrics=[{"name": "改造老旧小区", "value": 30, "unit": "个"}])
    pos = await position(o)
    url = f"/api/positions/{pos['id']}/shortlist"
    v1 = await api.client.post(f"{url}/versions", headers=o.officer, json={"note": "第一稿"})
    assert v1.status_code == 201, v1.text
    assert v1.json()["version"] == 1 and v1.json()["result"]["candidates"][0]["cadre_id"] == b["id"]
    same = (await api.client.post(f"{url}/versions/1/reproduce", headers=o.officer)).json()
    assert same["reproduced"] and same["diff"]["added"] == [] and same["diff"]["moved"] == []
    # New verified evidence changes the inputs; the saved version does not change.
    await evidence(o, a["id"], metrics=[{"name": "改造老旧小区", "value": 90, "unit": "个"}])
    await evidence(o, a["id"], title="城中村改造", metrics=[{"name": "完成征迁", "value": 900, "unit": "户"}])
    changed = (await api.client.post(f"{url}/versions/1/reproduce", headers=o.officer)).json()
    assert not changed["reproduced"] and not changed["diff"]["same_inputs"]
    assert changed["saved_inputs_hash"] == v1.json()["inputs_hash"]
    v2 = await api.client.post(f"{url}/versions", headers=o.officer, json={})
    assert v2.json()["version"] == 2 and v2.json()["result"]["candidates"][0]["cadre_id"] == a["id"]
    diff = (await api.client.get(f"{url}/versions/1/compare/2", headers=o.officer)).json()
    assert {m["cadre_id"] for m in diff["moved"]} == {a["id"], b["id"]}
    assert not diff["same_inputs"] and not diff["rules_changed"]
    listed = (await api.client.get(f"{url}/versions", headers=o.officer)).json()
    assert [v["version"] for v in listed] == [1, 2]
    saved = (await api.client.get(f"{url}/versions/1", headers=o.officer)).json()
    assert saved["result"] == v1.json()["result"]
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await api.pool.execute("UPDATE shortlist_versions SET note = 'x' WHERE position_id = $1", pos["id"])
    assert (await api.client.get(f"{url}/versions/9", headers=o.officer)).status_code == 404


async def test_candidate_search_seeds_the_eligible_and_reports_the_others(api: Api, indexer: Worker) -> None:
    o = await office(api)
    fit = await cadre(o, birth_date="1983-05-01")
    old = await cadre(o, birth_date="1960-05-01")
    title = f"违章建筑拆除{api.tag}"
    for who in (fit, old):
        await evidence(o, who["id"], title=title)
    pos = await position(o)
    await indexer.drain()
    r = await api.client.post(f"/api/positions/{pos['id']}/shortlist/seed", headers=o.officer,
                              json={"q": title})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body["found"]) == {fit["id"], old["id"]}
    assert body["added"] == [fit["id"]]
    assert [(i["cadre_id"], i["failed"]) for i in body["ineligible"]] == [(old["id"], ["max_age"])]
    again = (await api.client.post(f"/api/positions/{pos['id']}/shortlist/seed", headers=o.officer,
                                   json={"q": title})).json()
    assert again["added"] == [] and again["already"] == [fit["id"]]
    listed = (await api.client.get(f"/api/positions/{pos['id']}/shortlist", headers=o.officer,
                                   params={"top_n": 1})).json()
    assert listed["candidates"][0]["mark"] == "seed"


async def test_a_cadre_above_the_posts_level_is_not_a_candidate_and_the_reason_is_in_chinese(
        api: Api) -> None:
    o = await office(api)
    secretary = await cadre(o, name="区委书记", post="区委书记", post_level="division_main",
                            rank="researcher_2")
    fit = await cadre(o, name="副局长")
    for who, n in ((secretary, 90), (fit, 5)):
        await evidence(o, who["id"], metrics=[{"name": "改造老旧小区", "value": n, "unit": "个"}])
    pos = await position(o)  # 局长, 正科
    assert pos["rules"]["max_post_level"] == "section_main"
    body = (await api.client.get(f"/api/positions/{pos['id']}/shortlist", headers=o.officer,
                                 params={"include_ineligible": True})).json()
    assert [c["cadre_id"] for c in body["candidates"]] == [fit["id"]]
    fit_rule = next(r for r in body["candidates"][0]["rules"] if r["rule"] == "post_level_fit")
    assert fit_rule["passed"] and "副科" in fit_rule["detail"] and "低于岗位的正科" in fit_rule["detail"]
    out = next(i for i in body["ineligible"] if i["cadre_id"] == secretary["id"])
    assert out["failed"] == ["post_level_fit"]
    why = next(r for r in out["rules"] if r["rule"] == "post_level_fit")
    assert why["label"] == "与岗位层次相当" and "正处" in why["detail"] and "高于岗位的正科" in why["detail"]
    # A position that switches the rule off explicitly ranks by score alone.
    open_pos = await position(o, rules={**RULES, "max_post_level": None})
    ranked = (await api.client.get(f"/api/positions/{open_pos['id']}/shortlist", headers=o.officer)).json()
    assert [c["cadre_id"] for c in ranked["candidates"]] == [secretary["id"], fit["id"]]


async def test_a_pinned_candidate_moves_to_the_top_of_the_shortlist(api: Api) -> None:
    o = await office(api)
    strong, middle, weak = await cadre(o), await cadre(o), await cadre(o)
    for who, n in ((strong, 60), (middle, 30), (weak, 2)):
        await evidence(o, who["id"], metrics=[{"name": "改造老旧小区", "value": n, "unit": "个"}])
    pos = await position(o)
    url = f"/api/positions/{pos['id']}/shortlist"
    before = (await api.client.get(url, headers=o.officer)).json()
    assert [c["cadre_id"] for c in before["candidates"]] == [strong["id"], middle["id"], weak["id"]]
    pin = await api.client.post(f"{url}/marks", headers=o.officer, json={
        "cadre_id": weak["id"], "action": "pin", "reason": "重点培养"})
    assert pin.status_code == 201, pin.text
    after = (await api.client.get(url, headers=o.officer)).json()
    assert [(c["cadre_id"], c["pos"]) for c in after["candidates"]] == [
        (weak["id"], 1), (strong["id"], 2), (middle["id"], 3)]
