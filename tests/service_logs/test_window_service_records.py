"""One fact in one place: a submitted window-service record keeps the leader's service log."""

from typing import Any

from tests.factories import Api, campaign_with_team, record_body


async def _totals(api: Api, officer: dict[str, str], cadre_id: int) -> dict[str, Any]:
    r = await api.client.get("/api/service-logs/totals", headers=officer, params={"cadre_id": cadre_id})
    assert r.status_code == 200, r.text
    overall: dict[str, Any] = r.json()["overall"]
    return overall


async def test_a_submitted_window_service_record_counts_once_in_the_service_totals(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    researcher_id, researcher = await api.user("researcher")
    head = await api.cadre(officer, api.units["d1_bureau"], name="窗口局长")
    other = await api.cadre(officer, api.units["d1_bureau"], name="窗口副局长")
    campaign = await campaign_with_team(api, officer, [researcher_id], [api.units["d1"]])
    draft = await api.client.post("/api/records", headers=researcher, json=record_body(
        campaign, [head["id"]], submit=False, details={
            "kind": "window_service", "items_handled": 23, "problems_solved": 4,
            "rectification_proposals": ["压缩不动产登记时限"], "processes_improved": ["一窗通办"]}))
    assert draft.status_code == 201, draft.text
    assert (await _totals(api, officer, head["id"]))["sessions"] == 0  # a draft is not a fact yet
    rec = draft.json()
    sub = await api.client.post(f"/api/records/{rec['id']}/submit", headers=researcher,
                                json={"version": rec["version"]})
    assert sub.status_code == 200, sub.text
    t = await _totals(api, officer, head["id"])
    assert (t["sessions"], t["window_sessions"], t["items_handled"], t["problems_solved"]) == (1, 1, 23, 4)
    assert (t["rectification_proposals"], t["processes_improved"]) == (1, 1)
    logs = (await api.client.get("/api/service-logs", headers=officer,
                                 params={"cadre_id": head["id"]})).json()["items"]
    assert [(x["record_id"], x["served_on"]) for x in logs] == [(rec["id"], "2024-05-10")]
    perf = (await api.client.get(f"/api/cadres/{head['id']}/performance", headers=officer)).json()
    assert "23" in str(perf)
    # The same fact entered a second time by hand is refused, not counted twice.
    twice = await api.client.post("/api/service-logs", headers=officer, json={
        "kind": "window_service", "cadre_id": head["id"], "served_on": "2024-05-10",
        "items_handled": 23, "problems_solved": 4, "record_id": rec["id"]})
    assert twice.status_code == 409 and "调研记录" in twice.json()["detail"]
    kept = await api.client.put(f"/api/service-logs/{logs[0]['id']}", headers=officer, json={
        "version": logs[0]["version"], "served_on": "2024-05-10", "items_handled": 99, "problems_solved": 0})
    assert kept.status_code == 409
    # An amendment of the record updates its log; a cadre added gets one, none is counted twice.
    current = sub.json()
    amended = await api.client.put(f"/api/records/{rec['id']}", headers=researcher, json={
        **{k: v for k, v in record_body(campaign, [head["id"], other["id"]]).items()
           if k not in ("campaign_id", "team_id", "kind", "submit")},
        "details": {"kind": "window_service", "items_handled": 30, "problems_solved": 4},
        "version": current["version"], "reason": "办件数核对更正"})
    assert amended.status_code == 200, amended.text
    t = await _totals(api, officer, head["id"])
    assert (t["sessions"], t["items_handled"], t["rectification_proposals"]) == (1, 30, 0)
    assert (await _totals(api, officer, other["id"]))["items_handled"] == 30
    revs = (await api.client.get(f"/api/service-logs/{logs[0]['id']}/revisions", headers=officer)).json()
    assert [r["action"] for r in revs] == ["create", "update"]
    # A cadre the amended record no longer names loses the session; the log is voided, not deleted.
    again = await api.client.put(f"/api/records/{rec['id']}", headers=researcher, json={
        **{k: v for k, v in record_body(campaign, [head["id"]]).items()
           if k not in ("campaign_id", "team_id", "kind", "submit")},
        "details": {"kind": "window_service", "items_handled": 30, "problems_solved": 4},
        "version": amended.json()["version"], "reason": "副局长当日未到窗口"})
    assert again.status_code == 200, again.text
    assert (await _totals(api, officer, head["id"]))["items_handled"] == 30
    assert (await _totals(api, officer, other["id"]))["sessions"] == 0
    voided = (await api.client.get("/api/service-logs", headers=officer, params={
        "cadre_id": other["id"], "include_voided": True})).json()["items"]
    assert len(voided) == 1 and voided[0]["void_reason"]
