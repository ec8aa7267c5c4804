"""Quarterly scoreboards: totals, tied ranks, stars from rules, seating, lifecycle, corrections, trends."""

from typing import Any

from tests.assessments.helpers import districts, enter, period, publish, version
from tests.factories import Api


async def _tied_board(api: Api) -> dict[str, Any]:
    """Four districts: A and B tie on 86.00 (B through a bonus), C ties D in the second indicator."""
    _, officer = await api.user("officer", [api.units["city"]])
    a, b, c, d = await districts(api, ["甲区", "乙区", "丙区", "丁区"])
    p = await period(api, officer, [a["id"], b["id"], c["id"], d["id"]])
    await enter(api, officer, p["id"], {a["id"]: (80, 90, 90), b["id"]: (95, 80, 75),
                                        c["id"]: (70, 85, 70), d["id"]: (90, 85, 80)})
    url = f"/api/assessments/periods/{p['id']}/adjustments"
    r = await api.client.post(url, headers=officer, json={
        "unit_id": b["id"], "kind": "bonus", "points": 1.5, "reason": "重大项目提前开工"})
    assert r.status_code == 201, r.text
    r = await api.client.post(url, headers=officer, json={
        "unit_id": c["id"], "kind": "deduction", "points": 2, "reason": "安全生产事故通报"})
    assert r.status_code == 201, r.text
    return {"officer": officer, "period": p, "a": a, "b": b, "c": c, "d": d}


async def test_equal_totals_share_a_rank_and_seats_break_the_tie_by_first_indicator(api: Api) -> None:
    w = await _tied_board(api)
    r = await api.client.get(f"/api/assessments/periods/{w['period']['id']}/board", headers=w["officer"])
    assert r.status_code == 200, r.text
    rows = {row["unit"]["id"]: row for row in r.json()["rows"]}
    a, b, c, d = (rows[w[k]["id"]] for k in "abcd")
    assert (a["total"], b["total"], d["total"], c["total"]) == (86.0, 86.0, 85.5, 72.5)
    assert (a["rank"], b["rank"], d["rank"], c["rank"]) == (1, 1, 3, 4)
    # B seats before A: same total, higher score in the first indicator (经济运行 95 > 80).
    assert [row["unit"]["id"] for row in r.json()["rows"]] == [w["b"]["id"], w["a"]["id"], w["d"]["id"],
                                                               w["c"]["id"]]
    assert [row["seat"] for row in r.json()["rows"]] == [1, 2, 3, 4]
    assert b["bonus"] == 1.5 and c["deduction"] == 2.0 and b["weighted"] == 84.5
    project = {u: next(x for x in row["cells"] if x["indicator_code"] == "project")["rank"]
               for u, row in rows.items()}
    assert sorted(project.values()) == [1, 2, 2, 4]
    assert "并列" in r.json()["tie_rule"]


async def test_stars_follow_the_rules_kept_as_data_including_ties_at_the_boundary(api: Api) -> None:
    w = await _tied_board(api)
    rows = {row["unit"]["id"]: row for row in (await api.client.get(
        f"/api/assessments/periods/{w['period']['id']}/board", headers=w["officer"])).json()["rows"]}
    stars = {k: rows[w[k]["id"]]["stars"] for k in "abcd"}
    # econ top 1: B; project top 2: A, and C and D tied second; overall top 2 (2 stars): A, B;
    # total >= 85.5: A, B, D.
    assert stars == {"a": 4, "b": 4, "c": 1, "d": 2}
    labels = {d["label"] for d in rows[w["c"]["id"]]["star_details"]}
    assert labels == {"项目签约落地前2名"}


async def test_publish_needs_every_score_and_a_current_version(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    a, b = await districts(api, ["甲区", "乙区"])
    p = await period(api, officer, [a["id"], b["id"]])
    await enter(api, officer, p["id"], {a["id"]: (80, 80, 80)})
    url = f"/api/assessments/periods/{p['id']}/publish"
    r = await api.client.post(url, headers=officer, json={"version": await version(api, officer, p["id"])})
    assert r.status_code == 422 and b["name"] in r.json()["detail"]  # named, not by its code
    await enter(api, officer, p["id"], {b["id"]: (70, 70, 70)})
    stale = await api.client.post(url, headers=officer, json={"version": 1})
    assert stale.status_code == 409
    published = await publish(api, officer, p["id"])
    assert published["state"] == "published"


async def test_leaders_see_published_boards_only_and_researchers_nothing(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    _, leader = await api.user("leader", [api.units["city"]])
    _, researcher = await api.user("researcher")
    a, b = await districts(api, ["甲区", "乙区"])
    p = await period(api, officer, [a["id"], b["id"]])
    board = f"/api/assessments/periods/{p['id']}/board"
    assert (await api.client.get(board, headers=leader)).status_code == 404
    assert (await api.client.get(board, headers=researcher)).status_code == 403
    assert (await api.client.get(f"/api/assessments/periods/{p['id']}/seating",
                                 headers=officer)).status_code == 409
    await enter(api, officer, p["id"], {a["id"]: (60, 60, 60), b["id"]: (90, 90, 90)})
    await publish(api, officer, p["id"])
    assert (await api.client.get(board, headers=leader)).status_code == 200
    seating = (await api.client.get(f"/api/assessments/periods/{p['id']}/seating", headers=leader)).json()
    assert [s["unit"]["id"] for s in seating["seats"]] == [b["id"], a["id"]]


async def test_officer_outside_a_unit_cannot_score_it(api: Api) -> None:
    _, city_officer = await api.user("officer", [api.units["city"]])
    _, d1_officer = await api.user("officer", [api.units["d1"]])
    p = await period(api, city_officer, [api.units["d1"], api.units["d2"]])
    r = await api.client.put(f"/api/assessments/periods/{p['id']}/scores", headers=d1_officer, json={
        "scores": [{"unit_id": api.units["d2"], "indicator_code": "econ", "score": 90}]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "scores.0.unit_id"
    ok = await api.client.put(f"/api/assessments/periods/{p['id']}/scores", headers=d1_officer, json={
        "scores": [{"unit_id": api.units["d1"], "indicator_code": "econ", "score": 90}]})
    assert ok.status_code == 200 and ok.json()["created"] == 1
    again = await api.client.put(f"/api/assessments/periods/{p['id']}/scores", headers=d1_officer, json={
        "scores": [{"unit_id": api.units["d1"], "indicator_code": "econ", "score": 91}]})
    assert again.status_code == 409  # an existing cell changes only with its version


async def test_locked_period_changes_only_by_a_reasoned_audited_correction(api: Api) -> None:
    w = await _tied_board(api)
    officer, pid = w["officer"], w["period"]["id"]
    await publish(api, officer, pid)
    r = await api.client.post(f"/api/assessments/periods/{pid}/lock", headers=officer,
                              json={"version": await version(api, officer, pid)})
    assert r.status_code == 200 and r.json()["state"] == "locked"
    cell = {"unit_id": w["d"]["id"], "indicator_code": "econ", "score": 95}
    refused = await api.client.put(f"/api/assessments/periods/{pid}/scores", headers=officer,
                                   json={"scores": [{**cell, "version": 1}]})
    assert refused.status_code == 409 and "更正" in refused.json()["detail"]
    current = await version(api, officer, pid)
    no_reason = await api.client.post(f"/api/assessments/periods/{pid}/corrections", headers=officer,
                                      json={"version": current, "scores": [cell]})
    assert no_reason.status_code == 422
    r = await api.client.post(f"/api/assessments/periods/{pid}/corrections", headers=officer, json={
        "version": current, "reason": "丁区经济运行数据经统计部门复核更正", "scores": [cell]})
    assert r.status_code == 201, r.text
    changes = r.json()["changes"]
    assert changes["scores"] == [{"unit_id": w["d"]["id"], "indicator_code": "econ", "before": 90.0,
                                  "after": 95.0}]
    moved = {x["unit_id"]: x for x in changes["results"]}
    assert moved[w["d"]["id"]]["before"]["rank"] == 3 and moved[w["d"]["id"]]["after"]["rank"] == 1
    assert moved[w["d"]["id"]]["after"]["total"] == 87.5
    revisions = (await api.client.get(f"/api/assessments/periods/{pid}/revisions", headers=officer)).json()
    assert revisions[-1]["action"] == "correct" and revisions[-1]["changes"]["reason"].startswith("丁区")
    kept = await api.pool.fetchval(
        """SELECT snapshot FROM revisions WHERE entity_type = 'assessment_period' AND entity_id = $1
           AND action = 'lock'""", pid)
    assert {s["unit_id"]: s["rank"] for s in kept["results"]}[w["d"]["id"]] == 3
    audited = await api.pool.fetchval(
        "SELECT details FROM audit_log WHERE action = 'assessment.correct' AND object_id = $1", str(pid))
    assert audited["reason"].startswith("丁区")
    assert len((await api.client.get(f"/api/assessments/periods/{pid}/corrections",
                                     headers=officer)).json()) == 1


async def test_setup_is_frozen_once_published_and_units_with_scores_stay(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    a, b = await districts(api, ["甲区", "乙区"])
    p = await period(api, officer, [a["id"], b["id"]])
    await enter(api, officer, p["id"], {a["id"]: (80, 80, 80)})
    body = {"name": p["name"], "starts_on": p["starts_on"], "ends_on": p["ends_on"], "unit_ids": [b["id"]],
            "indicators": [{"code": "econ", "name": "经济运行", "weight": 100}],
            "version": await version(api, officer, p["id"])}
    r = await api.client.put(f"/api/assessments/periods/{p['id']}", headers=officer, json=body)
    assert r.status_code == 409 and r.json()["units"] == [a["id"]]


async def test_trends_follow_a_unit_across_published_periods(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    a, b = await districts(api, ["甲区", "乙区"])
    q2 = await period(api, officer, [a["id"], b["id"]], code="2024Q2", name="2024年第二季度",
                      starts_on="2024-04-01", ends_on="2024-06-30")
    q3 = await period(api, officer, [a["id"], b["id"]])
    q4 = await period(api, officer, [a["id"], b["id"]], code="2024Q4", name="2024年第四季度",
                      starts_on="2024-10-01", ends_on="2024-12-31")
    await enter(api, officer, q2["id"], {a["id"]: (70, 70, 70), b["id"]: (90, 90, 90)})
    await enter(api, officer, q3["id"], {a["id"]: (95, 90, 90), b["id"]: (80, 80, 80)})
    await enter(api, officer, q4["id"], {a["id"]: (99, 99, 99), b["id"]: (10, 10, 10)})
    await publish(api, officer, q3["id"])
    await publish(api, officer, q2["id"])
    r = await api.client.get("/api/assessments/trends", headers=officer, params={
        "unit_id": [a["id"], b["id"]], "indicator": "econ"})
    assert r.status_code == 200, r.text
    series = {s["unit"]["id"]: s["points"] for s in r.json()["series"]}
    assert [p["period_code"] for p in series[a["id"]]] == ["2024Q2", "2024Q3"]  # the draft Q4 is not shown
    assert [(p["rank"], p["indicator_score"], p["indicator_rank"]) for p in series[a["id"]]] == [
        (2, 70.0, 2), (1, 95.0, 1)]
    assert [p["total"] for p in series[b["id"]]] == [90.0, 80.0]
    only_q3 = await api.client.get("/api/assessments/trends", headers=officer, params={
        "unit_id": a["id"], "date_from": "2024-07-01"})
    assert [p["period_code"] for p in only_q3.json()["series"][0]["points"]] == ["2024Q3"]
    everyone = await api.client.get("/api/assessments/trends", headers=officer,
                                    params={"owner_unit_id": api.units["city"]})
    assert {s["unit"]["id"] for s in everyone.json()["series"]} == {a["id"], b["id"]}
