"""Leaders' service logs: totals per leader and unit over any period, voiding, versions and scope."""

from typing import Any

from tests.factories import Api


def _log(cadre_id: int, served_on: str, kind: str = "window_service", items: int = 10, solved: int = 2,
         **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": kind, "cadre_id": cadre_id, "served_on": served_on,
                            "place": "区政务服务中心", "items_handled": items, "problems_solved": solved,
                            "rectification_proposals": ["压缩不动产登记办理时限"], "processes_improved": []}
    body.update(overrides)
    return body


async def _post(api: Api, officer: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    r = await api.client.post("/api/service-logs", headers=officer, json=body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def test_totals_per_leader_and_unit_over_a_period(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    head1 = await api.cadre(officer, api.units["d1_bureau"], name="窗口甲")
    head2 = await api.cadre(officer, api.units["d2_bureau"], name="窗口乙")
    await _post(api, officer, _log(head1["id"], "2024-03-01", items=40, solved=5))
    await _post(api, officer, _log(head1["id"], "2024-06-01", kind="mobile_service", items=25, solved=3,
                                   processes_improved=["企业开办一窗通办"]))
    await _post(api, officer, _log(head1["id"], "2025-01-05", items=7))
    await _post(api, officer, _log(head2["id"], "2024-08-08", items=12))
    r = await api.client.get("/api/service-logs/totals", headers=officer, params={
        "date_from": "2024-01-01", "date_to": "2024-12-31", "unit_id": api.units["city"]})
    assert r.status_code == 200, r.text
    rows = {row["id"]: row for row in r.json()["rows"]}
    one = rows[head1["id"]]
    assert (one["sessions"], one["window_sessions"], one["mobile_visits"]) == (2, 1, 1)
    assert (one["items_handled"], one["problems_solved"]) == (65, 8)
    assert (one["rectification_proposals"], one["processes_improved"]) == (2, 1)
    assert (one["first_on"], one["last_on"]) == ("2024-03-01", "2024-06-01")
    assert r.json()["overall"]["items_handled"] == 77 and r.json()["rows"][0]["id"] == head1["id"]
    by_unit = await api.client.get("/api/service-logs/totals", headers=officer, params={
        "group_by": "unit", "date_from": "2024-01-01", "date_to": "2024-12-31", "unit_id": api.units["d1"]})
    assert [(row["id"], row["sessions"]) for row in by_unit.json()["rows"]] == [(api.units["d1_bureau"], 2)]
    windows = await api.client.get("/api/service-logs/totals", headers=officer, params={
        "kind": "window_service", "cadre_id": head1["id"]})
    assert windows.json()["overall"]["sessions"] == 2


async def test_voided_logs_are_kept_but_leave_the_totals(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    head = await api.cadre(officer, api.units["d1_bureau"])
    log = await _post(api, officer, _log(head["id"], "2024-03-01", items=40))
    await _post(api, officer, _log(head["id"], "2024-03-02", items=5))
    url = f"/api/service-logs/{log['id']}"
    assert (await api.client.post(f"{url}/void", headers=officer, json={"version": 1})).status_code == 422
    r = await api.client.post(f"{url}/void", headers=officer, json={"version": 1, "reason": "重复录入"})
    assert r.status_code == 200 and r.json()["void_reason"] == "重复录入"
    totals = (await api.client.get("/api/service-logs/totals", headers=officer,
                                   params={"cadre_id": head["id"]})).json()
    assert totals["overall"]["items_handled"] == 5
    listed = (await api.client.get("/api/service-logs", headers=officer,
                                   params={"cadre_id": head["id"], "include_voided": True})).json()
    assert listed["total"] == 2
    assert (await api.client.put(url, headers=officer, json={
        **_log(head["id"], "2024-03-01"), "version": 2})).status_code == 422  # kind/cadre are fixed
    revs = (await api.client.get(f"{url}/revisions", headers=officer)).json()
    assert [x["action"] for x in revs] == ["create", "void"]


async def test_updates_need_the_current_version(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    head = await api.cadre(officer, api.units["d1_bureau"])
    log = await _post(api, officer, _log(head["id"], "2024-03-01"))
    content = {k: v for k, v in _log(head["id"], "2024-03-01", items=11).items()
               if k not in ("kind", "cadre_id")}
    url = f"/api/service-logs/{log['id']}"
    ok = await api.client.put(url, headers=officer, json={**content, "version": 1})
    assert ok.status_code == 200 and ok.json()["items_handled"] == 11
    assert (await api.client.put(url, headers=officer, json={**content, "version": 1})).status_code == 409
    assert (await api.client.put(url, headers=officer, json=content)).status_code == 428


async def test_logs_outside_scope_are_invisible_and_not_counted(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, other = await api.user("officer", [api.units["d2"]])
    _, auditor = await api.user("auditor")
    head = await api.cadre(officer, api.units["d1_bureau"])
    log = await _post(api, officer, _log(head["id"], "2024-03-01"))
    assert (await api.client.get(f"/api/service-logs/{log['id']}", headers=other)).status_code == 404
    totals = (await api.client.get("/api/service-logs/totals", headers=other,
                                   params={"cadre_id": head["id"]})).json()
    assert totals["overall"]["sessions"] == 0 and totals["rows"] == []
    assert (await api.client.post("/api/service-logs", headers=other,
                                  json=_log(head["id"], "2024-03-01"))).status_code == 422
    assert (await api.client.get("/api/service-logs/totals", headers=auditor)).status_code == 403
