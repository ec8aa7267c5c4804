"""Leadership team membership over time, headship from resume lines, roles set by officers, scope."""

from tests.assessments.helpers import enter, period, publish
from tests.factories import Api
from tests.leadership.helpers import bureau_team, team


def _roles(body: dict[str, object]) -> set[tuple[str, str]]:
    return {(m["name"], m["role"]) for m in body["members"]}  # type: ignore[attr-defined]


async def test_team_of_a_year_lists_who_served_then_with_the_head_of_that_time(api: Api) -> None:
    w = await bureau_team(api)
    t2022 = await team(api, w["officer"], w["bureau"], year=2022)
    assert _roles(t2022) == {("原局长甲", "head"), ("副局长丙", "member")}
    assert t2022["head_ids"] == [w["former"]["id"]]
    t2026 = await team(api, w["officer"], w["bureau"], year=2026)
    assert _roles(t2026) == {("现局长乙", "head"), ("副局长丙", "member")}
    sources = {m["name"]: m["role_source"] for m in t2026["members"]}
    assert sources == {"现局长乙": "derived", "副局长丙": "derived"}
    handover = await team(api, w["officer"], w["bureau"], date_from="2023-12-01", date_to="2024-01-31")
    assert sorted(handover["head_ids"]) == sorted([w["former"]["id"], w["head"]["id"]])
    one_day = await team(api, w["officer"], w["bureau"], on="2023-12-31")
    assert one_day["head_ids"] == [w["former"]["id"]]
    audited = await api.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'leadership_team.read' AND object_id = $1",
        str(w["bureau"]))
    assert audited == 4


async def test_list_of_teams_names_the_head_and_filters_by_the_heads_tier(api: Api) -> None:
    w = await bureau_team(api)
    r = await api.client.get("/api/leadership/teams", headers=w["officer"], params={"on": "2025-06-01"})
    assert r.status_code == 200, r.text
    bureau = next(t for t in r.json() if t["unit_id"] == w["bureau"])
    assert bureau["head_name"] == "现局长乙" and bureau["members"] == 2
    r = await api.client.get("/api/leadership/teams", headers=w["officer"],
                             params={"on": "2025-06-01", "tier": "city_managed"})
    assert w["bureau"] not in [t["unit_id"] for t in r.json()]


async def test_an_officer_sets_a_line_role_with_its_version_and_the_team_follows(api: Api) -> None:
    w = await bureau_team(api)
    t = await team(api, w["officer"], w["bureau"], year=2025)
    line = next(m for m in t["members"] if m["cadre_id"] == w["deputy"]["id"])
    url = f"/api/leadership/lines/{line['line_id']}"
    assert (await api.client.put(url, headers=w["officer"], json={"team_role": "none"})).status_code == 428
    r = await api.client.put(url, headers=w["officer"],
                             json={"team_role": "none", "version": line["line_version"]})
    assert r.status_code == 200, r.text
    stale = await api.client.put(url, headers=w["officer"],
                                 json={"team_role": "member", "version": line["line_version"]})
    assert stale.status_code == 409
    assert _roles(await team(api, w["officer"], w["bureau"], year=2025)) == {("现局长乙", "head")}
    revisions = await api.pool.fetchval(
        "SELECT count(*) FROM revisions WHERE entity_type = 'career_entry' AND entity_id = $1",
        line["line_id"])
    assert revisions == 1
    _, other = await api.user("officer", [api.units["d2"]])
    r = await api.client.put(url, headers=other, json={"team_role": "member", "version": r.json()["version"]})
    assert r.status_code == 404
    bad = await api.client.put(url, headers=w["officer"], json={"team_role": "boss", "version": 2})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("team_role")


async def test_a_team_outside_scope_is_not_found_and_members_outside_scope_are_left_out(api: Api) -> None:
    w = await bureau_team(api)
    _, other = await api.user("officer", [api.units["d2"]])
    assert (await api.client.get(f"/api/leadership/teams/{w['bureau']}", headers=other)).status_code == 404
    _, bureau_only = await api.user("officer", [w["bureau"]])
    seen = await team(api, bureau_only, w["bureau"], year=2022)
    # The former head now serves at the district, outside this officer's scope.
    assert _roles(seen) == {("副局长丙", "member")}
    _, auditor = await api.user("auditor")
    assert (await api.client.get(f"/api/leadership/teams/{w['bureau']}", headers=auditor)).status_code == 403


async def test_a_leadership_team_assignment_covers_its_members_during_the_campaign_only(api: Api) -> None:
    w = await bureau_team(api)
    rid, researcher = await api.user("researcher")
    r = await api.client.post("/api/campaigns", headers=w["officer"], json={
        "name": f"班子调研{api.tag}", "starts_on": "2024-03-01", "ends_on": "2027-12-31", "status": "open",
        "teams": [{"name": "第一组", "member_ids": [rid], "leadership_unit_ids": [w["bureau"]]}]})
    assert r.status_code == 201, r.text
    assert r.json()["teams"][0]["leadership_unit_ids"] == [w["bureau"]]
    for key, visible in (("head", True), ("deputy", True), ("former", False), ("clerk", False)):
        got = await api.client.get(f"/api/cadres/{w[key]['id']}", headers=researcher)
        assert got.status_code == (200 if visible else 404), (key, got.text)
    t = await team(api, researcher, w["bureau"], year=2025)
    assert _roles(t) == {("现局长乙", "head"), ("副局长丙", "member")}


async def test_unit_ranks_follow_past_headships_recorded_on_resume_lines(api: Api) -> None:
    w = await bureau_team(api)
    _, city = await api.user("officer", [api.units["city"]])
    q = await period(api, city, [w["bureau"], api.units["d1"]], code="2022Q3",
                     name=f"2022年第三季度{api.tag}", starts_on="2022-07-01", ends_on="2022-09-30")
    await enter(api, city, q["id"], {w["bureau"]: (90, 90, 90), api.units["d1"]: (80, 80, 80)})
    await publish(api, city, q["id"])
    url = f"/api/cadres/{w['former']['id']}/performance"
    former = (await api.client.get(url, headers=w["officer"])).json()
    assert [(s["period_code"], s["unit_id"], s["rank"]) for s in former["unit_standings"]] == [
        ("2022Q3", w["bureau"], 1)]
    head = (await api.client.get(f"/api/cadres/{w['head']['id']}/performance", headers=w["officer"])).json()
    assert head["unit_standings"] == []
