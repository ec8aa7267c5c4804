"""Campaigns, teams and assignments obey the officer's scope; researchers never read beyond the
scope of the officer who granted their assignment (issue 12.1)."""

from typing import Any

from indexer.worker import Worker
from tests.factories import Api, campaign_with_team, record_body
from tests.security.world import evidence_body, png


def _problem(r: Any) -> tuple[int, Any]:
    body = r.json()
    return r.status_code, {k: v for k, v in body.items() if k != "instance"}


async def _two_districts(api: Api) -> dict[str, Any]:
    u = api.units
    o1_id, o1 = await api.user("officer", [u["d1"]])
    o2_id, o2 = await api.user("officer", [u["d2"]])
    res_id, res = await api.user("researcher")
    c1 = await api.cadre(o1, u["d1_bureau"])
    c2 = await api.cadre(o2, u["d2_bureau"])
    return {"o1": o1, "o1_id": o1_id, "o2": o2, "o2_id": o2_id, "res": res, "res_id": res_id,
            "c1": c1, "c2": c2}


async def test_an_officer_assigns_only_cadres_and_units_of_their_scope(api: Api) -> None:
    w = await _two_districts(api)
    base = {"name": "跨区调研", "starts_on": "2024-01-01", "ends_on": "2030-12-31"}
    for team, field in (({"cadre_ids": [w["c2"]["id"]]}, "teams.0.cadre_ids"),
                        ({"unit_ids": [api.units["d2"]]}, "teams.0.unit_ids"),
                        ({"unit_ids": [api.units["city"]]}, "teams.0.unit_ids")):
        r = await api.client.post("/api/campaigns", headers=w["o1"], json={
            **base, "teams": [{"name": "甲组", "member_ids": [w["res_id"]], **team}]})
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == field
        # The answer for another district's object is the answer for no object at all.
        missing = {k: [9_000_000_000_000_000] for k in team}
        r2 = await api.client.post("/api/campaigns", headers=w["o1"], json={
            **base, "teams": [{"name": "甲组", "member_ids": [w["res_id"]], **missing}]})
        assert _problem(r) == _problem(r2)
    r = await api.client.post("/api/campaigns", headers=w["o1"],
                              json={**base, "unit_id": api.units["d2"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "unit_id"
    assert not await api.pool.fetchval(
        "SELECT count(*) FROM campaigns WHERE name = '跨区调研' AND created_by = $1", w["o1_id"])
    # Adding a team to an own campaign is held to the same rule.
    own = await campaign_with_team(api, w["o1"], [w["res_id"]], [api.units["d1"]])
    r = await api.client.post(f"/api/campaigns/{own['id']}/teams", headers=w["o1"],
                              json={"name": "乙组", "cadre_ids": [w["c2"]["id"]]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.cadre_ids"


async def test_other_districts_campaigns_are_not_listed_nor_changed(api: Api) -> None:
    w = await _two_districts(api)
    _, leader1 = await api.user("leader", [api.units["d1"]])
    _, city_officer = await api.user("officer", [api.units["city"]])
    mine = await campaign_with_team(api, w["o1"], [w["res_id"]], [api.units["d1"]])
    theirs = await campaign_with_team(api, w["o2"], [w["res_id"]], [api.units["d2"]])
    for headers in (w["o1"], leader1):
        listed = {c["id"] for c in (await api.client.get("/api/campaigns", headers=headers)).json()}
        assert mine["id"] in listed and theirs["id"] not in listed
    city = {c["id"] for c in (await api.client.get("/api/campaigns", headers=city_officer)).json()}
    assert {mine["id"], theirs["id"]} <= city
    missing = 9_000_000_000_000_000
    for body in ({"version": 1, "name": "改名"}, {"version": 1, "status": "closed"},
                 {"version": 1, "status": "open"}):
        r = await api.client.patch(f"/api/campaigns/{theirs['id']}", headers=w["o1"], json=body)
        r_missing = await api.client.patch(f"/api/campaigns/{missing}", headers=w["o1"], json=body)
        assert r.status_code == 404 and _problem(r) == _problem(r_missing)
    r = await api.client.post(f"/api/campaigns/{theirs['id']}/teams", headers=w["o1"],
                              json={"name": "渗透组", "unit_ids": [api.units["d1"]]})
    assert r.status_code == 404
    assert (await api.client.get(f"/api/campaigns/{theirs['id']}", headers=w["o1"])).status_code == 404
    row = await api.pool.fetchrow("SELECT name, status, version FROM campaigns WHERE id = $1",
                                  theirs["id"])
    assert (row["name"], row["status"], row["version"]) == (theirs["name"], "open", 1)


async def test_a_closed_campaign_cannot_be_reopened_by_an_officer_of_another_district(api: Api) -> None:
    w = await _two_districts(api)
    campaign = await campaign_with_team(api, w["o2"], [w["res_id"]], [api.units["d2"]])
    cadre = f"/api/cadres/{w['c2']['id']}"
    assert (await api.client.get(cadre, headers=w["res"])).status_code == 200
    r = await api.client.patch(f"/api/campaigns/{campaign['id']}", headers=w["o2"],
                               json={"version": 1, "status": "closed"})
    assert r.status_code == 200
    assert (await api.client.get(cadre, headers=w["res"])).status_code == 404
    r = await api.client.patch(f"/api/campaigns/{campaign['id']}", headers=w["o1"],
                               json={"version": 2, "status": "open"})
    assert r.status_code == 404
    assert (await api.client.get(cadre, headers=w["res"])).status_code == 404
    # Its own officer may re-open it.
    r = await api.client.patch(f"/api/campaigns/{campaign['id']}", headers=w["o2"],
                               json={"version": 2, "status": "open"})
    assert r.status_code == 200
    assert (await api.client.get(cadre, headers=w["res"])).status_code == 200


async def test_an_old_assignment_beyond_its_granters_scope_reveals_nothing(
        api: Api, indexer: Worker) -> None:
    """An assignment made before the rule (a district-1 officer's team assigned a district-2
    cadre and unit) gives the researcher nothing of district 2: no cadre, evidence, record,
    attachment or search hit."""
    w = await _two_districts(api)
    campaign = await campaign_with_team(api, w["o1"], [w["res_id"]], [api.units["d1"]])
    team_id = campaign["teams"][0]["id"]
    # District 2's own campaign puts a record and an attachment about the cadre on file.
    res2_id, res2_headers = await api.user("researcher")
    c2_campaign = await campaign_with_team(api, w["o2"], [res2_id], [api.units["d2"]])
    attachment = (await api.client.post("/api/attachments", headers=res2_headers,
                                        files={"file": ("照片.png", png(), "image/png")})).json()["id"]
    record = await api.client.post("/api/records", headers=res2_headers, json=record_body(
        c2_campaign, [w["c2"]["id"]], attachment_ids=[attachment], title="临江区谈话纪实"))
    assert record.status_code == 201, record.text
    ev = await api.client.post("/api/evidence", headers=w["o2"],
                               json=evidence_body(w["c2"]["id"], title="临江区旧改实绩"))
    assert ev.status_code == 201, ev.text
    # The leak as it was possible before: the district-1 officer's team covers district 2.
    await api.pool.execute(
        """INSERT INTO team_assignments (team_id, unit_id, cadre_id, granted_by)
           VALUES ($1, $2, NULL, $4), ($1, NULL, $3, $4)""",
        team_id, api.units["d2"], w["c2"]["id"], w["o1_id"])
    res = w["res"]
    for path in (f"/api/cadres/{w['c2']['id']}", f"/api/evidence/{ev.json()['id']}",
                 f"/api/records/{record.json()['id']}", f"/api/attachments/{attachment}/content"):
        assert (await api.client.get(path, headers=res)).status_code == 404, path
    listed = (await api.client.get("/api/cadres", headers=res)).json()
    assert w["c2"]["id"] not in {c["id"] for c in listed["items"]}
    await indexer.drain()
    for q in ("临江区", "临江区旧改实绩", "临江区谈话纪实"):
        hits = (await api.client.get("/api/search", headers=res, params={"q": q})).json()["hits"]
        assert not [h for h in hits if w["c2"]["id"] in h["cadre_ids"]], (q, hits)
    # Filing about the cadre through that assignment is refused like a cadre outside it.
    r = await api.client.post("/api/records", headers=res,
                              json=record_body(campaign, [w["c2"]["id"]]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cadre_ids"


async def test_researcher_access_shrinks_with_the_granting_officers_scope(api: Api) -> None:
    w = await _two_districts(api)
    await campaign_with_team(api, w["o1"], [w["res_id"]], [api.units["d1"]])
    cadre = f"/api/cadres/{w['c1']['id']}"
    assert (await api.client.get(cadre, headers=w["res"])).status_code == 200
    # The granting officer moves to district 2: what they granted in district 1 ends with it.
    r = await api.client.patch(f"/api/users/{w['o1_id']}", headers=api.admin, json={
        "version": 1, "scopes": [{"unit_id": api.units["d2"]}]})
    assert r.status_code == 200, r.text
    assert (await api.client.get(cadre, headers=w["res"])).status_code == 404
