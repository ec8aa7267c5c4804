"""Probe: unit ids inside request bodies of unit-level performance data are held to the caller's scope.

An officer of district 1 must not reach district 2's task force metrics by naming its task force
in a secondment programme of their own, nor book a district-1 cadre's service or contest
presentation to a district-2 unit (another district's totals).
"""

from typing import Any

from tests.factories import Api


async def _ok(api: Api, method: str, path: str, headers: dict[str, str], body: dict[str, Any]) -> Any:
    r = await api.client.request(method, path, headers=headers, json=body)
    assert r.status_code in (200, 201), r.text
    return r.json()


async def _world(api: Api) -> dict[str, Any]:
    _, officer1 = await api.user("officer", [api.units["d1"]])
    _, officer2 = await api.user("officer", [api.units["d2"]])
    tf2 = await api.unit("task_force", "临江区招商专班", api.units["d2"])
    metric = await _ok(api, "POST", "/api/secondments/metrics", officer2, {
        "code": f"c{api.tag}", "name": f"客户接触{api.tag}", "unit_label": "次"})
    await _ok(api, "POST", "/api/secondments/programs", officer2, {
        "name": f"临江一线选派{api.tag}", "owner_unit_id": api.units["d2"], "starts_on": "2024-01-01",
        "ends_on": "2024-12-31", "task_force_unit_ids": [tf2]})
    await _ok(api, "PUT", f"/api/secondments/task-forces/{tf2}/metric-values", officer2, {
        "values": [{"metric_code": metric["code"], "recorded_on": "2024-03-01", "value": 4321}]})
    cadre1 = await api.cadre(officer1, api.units["d1_bureau"])
    return {"officer1": officer1, "officer2": officer2, "tf2": tf2, "cadre1": cadre1}


async def test_a_programme_cannot_name_another_districts_task_force(api: Api) -> None:
    w = await _world(api)
    metrics = f"/api/secondments/task-forces/{w['tf2']}/metrics"
    assert (await api.client.get(metrics, headers=w["officer1"])).status_code == 404
    r = await api.client.post("/api/secondments/programs", headers=w["officer1"], json={
        "name": "鼓楼一线选派", "owner_unit_id": api.units["d1"], "starts_on": "2024-01-01",
        "ends_on": "2024-12-31", "task_force_unit_ids": [w["tf2"]]})
    missing = await api.client.post("/api/secondments/programs", headers=w["officer1"], json={
        "name": "鼓楼一线选派", "owner_unit_id": api.units["d1"], "starts_on": "2024-01-01",
        "ends_on": "2024-12-31", "task_force_unit_ids": [9_000_000_000_000_000_000]})
    assert r.status_code == missing.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == missing.json()["detail"]
    after = await api.client.get(metrics, headers=w["officer1"])
    assert after.status_code == 404, after.text
    assert "4321" not in after.text
    programs = await api.client.get("/api/secondments/programs", headers=w["officer1"])
    assert "4321" not in programs.text


async def test_service_logs_and_presentations_book_only_to_units_in_scope(api: Api) -> None:
    w = await _world(api)
    officer1, cadre_id = w["officer1"], w["cadre1"]["id"]
    contest = await _ok(api, "POST", "/api/contests", officer1, {
        "name": "部门一把手擂台比武", "level": "department_head", "held_on": "2024-09-20",
        "organizer_unit_id": api.units["d1"]})
    for path, body in (
            ("/api/service-logs", {"kind": "window_service", "cadre_id": cadre_id,
                                   "served_on": "2024-03-01", "items_handled": 777, "problems_solved": 1}),
            (f"/api/contests/{contest['id']}/presentations", {
                "cadre_id": cadre_id, "achievements": "完成改造",
                "scores": [{"scorer": "评委", "score": 85}]})):
        outside = await api.client.post(path, headers=officer1,
                                        json={**body, "unit_id": api.units["d2_bureau"]})
        missing = await api.client.post(path, headers=officer1,
                                        json={**body, "unit_id": 9_000_000_000_000})
        assert outside.status_code == missing.status_code == 422, (path, outside.text)
        assert outside.json()["detail"] == missing.json()["detail"], path
        assert [e["field"] for e in outside.json()["errors"]] == ["unit_id"], path
        inside = await api.client.post(path, headers=officer1,
                                       json={**body, "unit_id": api.units["d1_bureau"]})
        assert inside.status_code == 201, (path, inside.text)
    # Nothing was booked to the district-2 unit: a city officer's per-unit totals show none there.
    _, city = await api.user("officer", [api.units["city"]])
    totals = await api.client.get("/api/service-logs/totals", headers=city, params={
        "group_by": "unit", "unit_id": api.units["d2"]})
    assert totals.status_code == 200, totals.text
    assert totals.json()["overall"]["items_handled"] == 0
