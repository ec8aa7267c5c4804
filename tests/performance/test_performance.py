"""A cadre's performance section: units led while leading them, contests, secondments, service; search."""

from typing import Any

from indexer.worker import Worker
from tests.assessments.helpers import districts, enter, period, publish
from tests.factories import Api, campaign_with_team


async def _head_of_district(api: Api) -> dict[str, Any]:
    """A district Party secretary who took over district A on 2024-07-01, and two published quarters."""
    _, officer = await api.user("officer", [api.units["city"]])
    a, b = await districts(api, [f"甲区{api.tag}", "乙区"])
    head = await api.cadre(officer, a["id"], name="书记甲", post="区委书记", is_unit_head=True, career=[
        {"start_date": "2018-01-01", "end_date": "2024-06-30", "unit_id": a["id"], "unit_name": a["name"],
         "post": "区长"},
        {"start_date": "2024-07-01", "unit_id": a["id"], "unit_name": a["name"], "post": "区委书记"}])
    deputy = await api.cadre(officer, a["id"], name="副职乙", post="副区长", career=[
        {"start_date": "2020-01-01", "unit_id": a["id"], "unit_name": a["name"], "post": "副区长"}])
    q2 = await period(api, officer, [a["id"], b["id"]], code="2024Q2", name=f"2024年第二季度{api.tag}",
                      starts_on="2024-04-01", ends_on="2024-06-30")
    q3 = await period(api, officer, [a["id"], b["id"]], name=f"2024年第三季度{api.tag}")
    await enter(api, officer, q2["id"], {a["id"]: (60, 60, 60), b["id"]: (90, 90, 90)})
    await enter(api, officer, q3["id"], {a["id"]: (95, 90, 90), b["id"]: (80, 80, 80)})
    await publish(api, officer, q2["id"])
    await publish(api, officer, q3["id"])
    return {"officer": officer, "a": a, "b": b, "head": head, "deputy": deputy, "q2": q2, "q3": q3}


async def test_unit_ranks_appear_only_for_periods_the_cadre_headed_the_unit(api: Api) -> None:
    w = await _head_of_district(api)
    r = await api.client.get(f"/api/cadres/{w['head']['id']}/performance", headers=w["officer"])
    assert r.status_code == 200, r.text
    standings = r.json()["unit_standings"]
    assert [(s["period_code"], s["unit_id"], s["rank"], s["participants"]) for s in standings] == [
        ("2024Q3", w["a"]["id"], 1, 2)]
    q3 = standings[0]
    assert q3["headed_from"] == "2024-07-01" and q3["stars"] == 5  # econ, project, top 2 (x2), >= 85.5
    assert [i["code"] for i in q3["indicators"]] == ["econ", "project", "renewal"]
    deputy = (await api.client.get(f"/api/cadres/{w['deputy']['id']}/performance",
                                   headers=w["officer"])).json()
    assert deputy["unit_standings"] == []
    audited = await api.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'cadre.performance.read' AND object_id = $1",
        str(w["head"]["id"]))
    assert audited == 1


async def test_performance_is_404_outside_scope_and_follows_research_assignments(api: Api) -> None:
    w = await _head_of_district(api)
    _, d2_officer = await api.user("officer", [api.units["d2"]])
    rid, researcher = await api.user("researcher")
    _, auditor = await api.user("auditor")
    url = f"/api/cadres/{w['head']['id']}/performance"
    assert (await api.client.get(url, headers=d2_officer)).status_code == 404
    assert (await api.client.get(url, headers=researcher)).status_code == 404
    assert (await api.client.get(url, headers=auditor)).status_code == 403
    await campaign_with_team(api, w["officer"], [rid], [w["a"]["id"]])
    assert (await api.client.get(url, headers=researcher)).status_code == 200


async def test_dossier_gathers_contests_placements_and_service_totals(api: Api) -> None:
    w = await _head_of_district(api)
    officer, head = w["officer"], w["head"]
    contest = (await api.client.post("/api/contests", headers=officer, json={
        "name": "区县书记擂台比武", "level": "district_head", "held_on": "2024-09-20",
        "organizer_unit_id": api.units["city"]})).json()
    assert (await api.client.post(f"/api/contests/{contest['id']}/presentations", headers=officer, json={
        "cadre_id": head["id"], "shortcomings": "招商落地偏慢",
        "scores": [{"scorer": "评委", "score": 90}]})).status_code == 201
    tf = await api.unit("task_force", "城市更新专班", api.units["city"])
    code = f"starts{api.tag}"
    await api.client.post("/api/secondments/metrics", headers=officer, json={"code": code, "name": code})
    program = (await api.client.post("/api/secondments/programs", headers=officer, json={
        "name": "一线选派", "owner_unit_id": api.units["city"], "starts_on": "2024-01-01",
        "ends_on": "2024-12-31", "task_force_unit_ids": [tf]})).json()
    await api.client.post(f"/api/secondments/programs/{program['id']}/placements", headers=officer, json={
        "placements": [{"cadre_id": head["id"], "task_force_unit_id": tf, "starts_on": "2024-08-01",
                        "ends_on": "2024-10-31"}]})
    await api.client.put(f"/api/secondments/task-forces/{tf}/metric-values", headers=officer, json={
        "values": [{"metric_code": code, "recorded_on": "2024-09-01", "value": 3},
                   {"metric_code": code, "recorded_on": "2024-12-01", "value": 9}]})
    for day, items in (("2024-08-01", 30), ("2024-11-11", 12), ("2025-02-02", 5)):
        assert (await api.client.post("/api/service-logs", headers=officer, json={
            "kind": "window_service", "cadre_id": head["id"], "served_on": day, "items_handled": items,
            "problems_solved": 1})).status_code == 201
    out = (await api.client.get(f"/api/cadres/{head['id']}/performance", headers=officer)).json()
    assert [(c["contest_name"], c["rank"]) for c in out["contests"]] == [("区县书记擂台比武", 1)]
    assert [m["value"] for m in out["placements"][0]["metrics"]] == [3.0]
    assert out["service_totals"]["sessions"] == 3 and out["service_totals"]["items_handled"] == 47
    assert [(y["year"], y["items_handled"]) for y in out["service_by_year"]] == [(2024, 42), (2025, 5)]


async def test_cadre_search_finds_the_ranks_of_the_unit_they_led(api: Api, indexer: Worker) -> None:
    w = await _head_of_district(api)
    await indexer.drain()
    officer = w["officer"]
    q3 = f"2024年第三季度{api.tag}{w['a']['name']}综合排名第1名"
    hits = (await api.client.get("/api/search", headers=officer, params={"q": q3, "type": "cadre"})).json()
    assert [h["entity_id"] for h in hits["hits"]] == [w["head"]["id"]]
    q2 = f"2024年第二季度{api.tag}"
    assert (await api.client.get("/api/search", headers=officer,
                                 params={"q": q2, "type": "cadre"})).json()["hits"] == []
    await api.client.post("/api/service-logs", headers=officer, json={
        "kind": "mobile_service", "cadre_id": w["deputy"]["id"], "served_on": "2024-05-05",
        "items_handled": 400, "problems_solved": 60})
    await indexer.drain()
    found = (await api.client.get("/api/search", headers=officer, params={
        "q": "流动服务1次 办理事项400件", "type": "cadre", "unit_id": w["a"]["id"]})).json()
    assert [h["entity_id"] for h in found["hits"]] == [w["deputy"]["id"]]
