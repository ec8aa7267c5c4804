"""Probe: a resume line's leadership-team role is set only by an officer whose scope covers its unit.

A cadre of district 1 who served at district 2's bureau has a resume line there. The district-1
officer, who manages the cadre, could make that line a headship (`PUT /api/leadership/lines/{id}`,
or `team_role` on resume lines sent with a new cadre or added to one) — writing who headed another
district's bureau, which feeds that unit's team, its scoreboard heads and the search text. The line
at an out-of-scope unit now answers like a missing line (404) and lines sent with a team role at
such a unit are refused under the field that names the unit (422); nothing is written. A resume
line elsewhere without a role is still an ordinary resume line.
"""

from typing import Any

from tests.factories import Api


def _line(unit_id: int, unit_name: str, **extra: Any) -> dict[str, Any]:
    return {"start_date": "2016-01-01", "end_date": "2020-12-31", "unit_id": unit_id,
            "unit_name": unit_name, "post": "局长", "post_level": "section_main", **extra}


async def _world(api: Api) -> dict[str, Any]:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, city = await api.user("officer", [api.units["city"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"], career=[
        _line(api.units["d2_bureau"], "临江区住建局"),
        {"start_date": "2021-01-01", "unit_id": api.units["d1_bureau"], "unit_name": "鼓楼区住建局",
         "post": "局长", "post_level": "section_main"}])
    lines = {line["unit_id"]: line for line in cadre["career"]}
    return {"officer": officer, "city": city, "cadre": cadre,
            "outside": lines[api.units["d2_bureau"]], "inside": lines[api.units["d1_bureau"]]}


async def _stored(api: Api, line_id: int) -> tuple[str | None, int]:
    row = await api.pool.fetchrow("SELECT team_role, version FROM career_entries WHERE id = $1", line_id)
    assert row is not None
    return row["team_role"], row["version"]


def _body(r: Any) -> dict[str, Any]:
    return {k: v for k, v in r.json().items() if k != "instance"}


async def test_a_line_at_a_unit_outside_scope_answers_like_a_missing_line(api: Api) -> None:
    w = await _world(api)
    line_id = w["outside"]["id"]
    body = {"team_role": "head", "version": 1}
    outside = await api.client.put(f"/api/leadership/lines/{line_id}", headers=w["officer"], json=body)
    missing = await api.client.put("/api/leadership/lines/9000000000000000000", headers=w["officer"],
                                   json=body)
    assert outside.status_code == missing.status_code == 404, outside.text
    assert outside.headers["content-type"].startswith("application/problem+json")
    assert _body(outside) == _body(missing)
    assert await _stored(api, line_id) == (None, 1)
    assert not await api.pool.fetchval(
        "SELECT count(*) FROM revisions WHERE entity_type = 'career_entry' AND entity_id = $1", line_id)
    refused = await api.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'access.refused' AND details->>'path' = $1",
        f"/api/leadership/lines/{line_id}")
    assert refused == 1
    # The line at the officer's own unit is set as before; an officer whose scope covers both the
    # cadre and district 2 sets the other one.
    inside = await api.client.put(f"/api/leadership/lines/{w['inside']['id']}", headers=w["officer"],
                                  json={"team_role": "head", "version": 1})
    assert inside.status_code == 200, inside.text
    city = await api.client.put(f"/api/leadership/lines/{line_id}", headers=w["city"], json=body)
    assert city.status_code == 200, city.text
    assert await _stored(api, line_id) == ("head", 2)


async def test_resume_lines_sent_with_a_role_at_a_unit_outside_scope_are_refused(api: Api) -> None:
    w = await _world(api)
    officer, cadre_id = w["officer"], w["cadre"]["id"]
    before = await api.pool.fetchval("SELECT count(*) FROM career_entries WHERE cadre_id = $1", cadre_id)
    add = await api.client.post(f"/api/cadres/{cadre_id}/career", headers=officer, json=[
        _line(api.units["d1"], "鼓楼区", post="副区长"),
        _line(api.units["d2"], "临江区", post="副区长", team_role="member")])
    assert add.status_code == 422, add.text
    assert add.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in add.json()["errors"]] == ["1.unit_id"]
    after = await api.pool.fetchval("SELECT count(*) FROM career_entries WHERE cadre_id = $1", cadre_id)
    assert after == before
    create = await api.client.post("/api/cadres", headers=officer, json=api.cadre_body(
        api.units["d1_bureau"], name="新干部甲", career=[_line(api.units["d2_bureau"], "临江区住建局",
                                                            team_role="head")]))
    assert create.status_code == 422, create.text
    assert [e["field"] for e in create.json()["errors"]] == ["career.0.unit_id"]
    assert not await api.pool.fetchval("SELECT count(*) FROM cadres WHERE name = '新干部甲'")
    # Without a role, a line elsewhere is an ordinary resume line; within scope a role may be sent.
    ok = await api.client.post(f"/api/cadres/{cadre_id}/career", headers=officer, json=[
        _line(api.units["d2"], "临江区", post="副区长"),
        _line(api.units["d1"], "鼓楼区", post="副区长", team_role="member")])
    assert ok.status_code == 201, ok.text
    city = await api.client.post(f"/api/cadres/{cadre_id}/career", headers=w["city"], json=[
        _line(api.units["d2"], "临江区", post="区长", team_role="head")])
    assert city.status_code == 201, city.text
