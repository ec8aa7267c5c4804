"""Secondments: placements without overlaps, task force metrics as data, attribution by date."""

from typing import Any

from tests.factories import Api


async def _world(api: Api) -> dict[str, Any]:
    _, officer = await api.user("officer", [api.units["city"]])
    tf1 = await api.unit("task_force", "招商引资专班", api.units["city"])
    tf2 = await api.unit("task_force", "城市更新专班", api.units["city"])
    metrics = {}
    for code, name, label in (("contacts", "客户接触", "次"), ("meetings", "洽谈会议", "场"),
                              ("starts", "项目开工", "个")):
        r = await api.client.post("/api/secondments/metrics", headers=officer, json={
            "code": f"{code}{api.tag}", "name": f"{name}{api.tag}", "unit_label": label})
        assert r.status_code == 201, r.text
        metrics[code] = r.json()["code"]
    r = await api.client.post("/api/secondments/programs", headers=officer, json={
        "name": f"2024年重点项目一线选派{api.tag}", "owner_unit_id": api.units["city"],
        "starts_on": "2024-01-01", "ends_on": "2024-12-31", "task_force_unit_ids": [tf1, tf2]})
    assert r.status_code == 201, r.text
    x = await api.cadre(officer, api.units["d1_bureau"], name="下沉甲")
    y = await api.cadre(officer, api.units["d2_bureau"], name="下沉乙")
    return {"officer": officer, "tf1": tf1, "tf2": tf2, "metrics": metrics, "program": r.json(), "x": x,
            "y": y, "url": f"/api/secondments/programs/{r.json()['id']}/placements"}


async def test_metrics_are_credited_to_cadres_placed_on_the_values_dates(api: Api) -> None:
    w = await _world(api)
    r = await api.client.post(w["url"], headers=w["officer"], json={"placements": [
        {"cadre_id": w["x"]["id"], "task_force_unit_id": w["tf1"], "starts_on": "2024-01-01",
         "ends_on": "2024-06-30", "role": "专班副组长"},
        {"cadre_id": w["y"]["id"], "task_force_unit_id": w["tf1"], "starts_on": "2024-04-01",
         "ends_on": "2024-12-31"}]})
    assert r.status_code == 201, r.text
    assert r.json()[0]["home_unit_id"] == api.units["d1_bureau"] and r.json()[0]["home_post"] == "局长"
    contacts, starts = w["metrics"]["contacts"], w["metrics"]["starts"]
    values = [{"metric_code": contacts, "recorded_on": "2024-02-15", "value": 100},
              {"metric_code": contacts, "recorded_on": "2024-05-15", "value": 50},
              {"metric_code": contacts, "recorded_on": "2024-09-15", "value": 30},
              {"metric_code": starts, "recorded_on": "2024-05-31", "value": 4}]
    r = await api.client.put(f"/api/secondments/task-forces/{w['tf1']}/metric-values", headers=w["officer"],
                             json={"values": values})
    assert r.status_code == 200 and r.json()["created"] == 4, r.text
    placed = (await api.client.get(w["url"], headers=w["officer"])).json()["items"]
    credited = {p["cadre_id"]: {m["code"]: m["value"] for m in p["metrics"]} for p in placed}
    assert credited[w["x"]["id"]] == {contacts: 150.0, starts: 4.0}
    assert credited[w["y"]["id"]] == {contacts: 80.0, starts: 4.0}
    program = (await api.client.get(f"/api/secondments/programs/{w['program']['id']}",
                                    headers=w["officer"])).json()
    assert program["placed_cadres"] == 2
    tf1 = next(t for t in program["task_forces"] if t["unit_id"] == w["tf1"])
    assert tf1["placed"] == 2 and {m["code"]: m["value"] for m in tf1["metrics"]}[contacts] == 180.0
    series = (await api.client.get(f"/api/secondments/task-forces/{w['tf1']}/metrics", headers=w["officer"],
                                   params={"bucket": "month", "date_to": "2024-06-30"})).json()
    line = next(s for s in series["series"] if s["code"] == contacts)
    assert [(p["bucket_start"], p["value"]) for p in line["points"]] == [("2024-02-01", 100.0),
                                                                         ("2024-05-01", 50.0)]
    assert line["total"] == 150.0


async def test_overlapping_placements_of_one_cadre_are_refused_as_a_whole(api: Api) -> None:
    w = await _world(api)
    first = {"cadre_id": w["x"]["id"], "task_force_unit_id": w["tf1"], "starts_on": "2024-01-01",
             "ends_on": "2024-06-30"}
    assert (await api.client.post(w["url"], headers=w["officer"],
                                  json={"placements": [first]})).status_code == 201
    r = await api.client.post(w["url"], headers=w["officer"], json={"placements": [
        {"cadre_id": w["y"]["id"], "task_force_unit_id": w["tf2"], "starts_on": "2024-01-01",
         "ends_on": "2024-03-31"},
        {**first, "task_force_unit_id": w["tf2"], "starts_on": "2024-06-30", "ends_on": "2024-08-31"}]})
    assert r.status_code == 409 and "重叠" in r.json()["detail"]
    count = await api.pool.fetchval("SELECT count(*) FROM secondment_placements WHERE program_id = $1",
                                    w["program"]["id"])
    assert count == 1
    outside = await api.client.post(w["url"], headers=w["officer"], json={"placements": [
        {**first, "cadre_id": w["y"]["id"], "ends_on": "2025-03-31"}]})
    assert outside.status_code == 422


async def test_recalling_a_cadre_early_narrows_the_attribution(api: Api) -> None:
    w = await _world(api)
    placed = (await api.client.post(w["url"], headers=w["officer"], json={"placements": [
        {"cadre_id": w["x"]["id"], "task_force_unit_id": w["tf1"], "starts_on": "2024-01-01",
         "ends_on": "2024-12-31"}]})).json()[0]
    contacts = w["metrics"]["contacts"]
    values = [{"metric_code": contacts, "recorded_on": "2024-03-01", "value": 10},
              {"metric_code": contacts, "recorded_on": "2024-10-01", "value": 7}]
    await api.client.put(f"/api/secondments/task-forces/{w['tf1']}/metric-values", headers=w["officer"],
                         json={"values": values})
    r = await api.client.put(f"{w['url']}/{placed['id']}", headers=w["officer"], json={
        "version": 1, "starts_on": "2024-01-01", "ends_on": "2024-06-30", "role": "提前召回"})
    assert r.status_code == 200, r.text
    assert {m["code"]: m["value"] for m in r.json()["metrics"]} == {contacts: 10.0}
    stale = await api.client.put(f"/api/secondments/task-forces/{w['tf1']}/metric-values",
                                 headers=w["officer"], json={"values": [
                                     {"metric_code": contacts, "recorded_on": "2024-03-01", "value": 11}]})
    assert stale.status_code == 409  # a stored value changes only with its version
    fixed = await api.client.put(f"/api/secondments/task-forces/{w['tf1']}/metric-values",
                                 headers=w["officer"], json={"values": [
                                     {"metric_code": contacts, "recorded_on": "2024-03-01", "value": 11,
                                      "version": 1}]})
    assert fixed.status_code == 200 and fixed.json()["updated"] == 1


async def test_placements_of_cadres_outside_scope_are_hidden(api: Api) -> None:
    w = await _world(api)
    _, d2_officer = await api.user("officer", [api.units["d2"]])
    await api.client.post(w["url"], headers=w["officer"], json={"placements": [
        {"cadre_id": w["x"]["id"], "task_force_unit_id": w["tf1"], "starts_on": "2024-01-01",
         "ends_on": "2024-03-31"},
        {"cadre_id": w["y"]["id"], "task_force_unit_id": w["tf1"], "starts_on": "2024-01-01",
         "ends_on": "2024-03-31"}]})
    # The programme itself is not in the district officer's scope: its owner and task forces are the city's.
    assert (await api.client.get(w["url"], headers=d2_officer)).status_code == 404
    _, city_leader = await api.user("leader", [api.units["city"]], tier="city_managed")
    seen = (await api.client.get(w["url"], headers=city_leader)).json()
    assert seen["items"] == []  # both cadres are district-managed
