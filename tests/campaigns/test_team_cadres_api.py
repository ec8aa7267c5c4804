"""The filing form's cadre picker: GET /api/campaigns/{id}/teams/{id}/cadres offers only the cadres
the team may file on (its assignment within the caller's readable scope), only to its members."""

from datetime import timedelta
from typing import Any

from schemas import clock
from tests.factories import Api, record_body


async def _two_teams(api: Api, officer: dict[str, str], first: tuple[list[int], list[int]],
                     second: tuple[list[int], list[int]], status: str = "open") -> dict[str, Any]:
    """A campaign with two teams: (member ids, assigned unit ids) each."""
    r = await api.client.post("/api/campaigns", headers=officer, json={
        "name": f"纪实调研{api.tag}{api.next()}", "starts_on": "2024-01-01",
        "ends_on": (clock.today() + timedelta(days=400)).isoformat(), "status": status,
        "teams": [{"name": "第一调研组", "member_ids": first[0], "unit_ids": first[1]},
                  {"name": "第二调研组", "member_ids": second[0], "unit_ids": second[1]}]})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def _url(campaign: dict[str, Any], team: int = 0) -> str:
    return f"/api/campaigns/{campaign['id']}/teams/{campaign['teams'][team]['id']}/cadres"


def _ids(r: Any) -> list[int]:
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()["items"]]


async def test_a_member_is_offered_only_cadres_the_team_may_file_on(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    rid, researcher = await api.user("researcher")
    inside = await api.cadre(officer, api.units["d1_bureau"], name="周建国")
    namesake = await api.cadre(officer, api.units["d1_bureau"], name="周建华")
    outside = await api.cadre(officer, api.units["d2_bureau"], name="周建国")  # same name, other district
    campaign = await _two_teams(api, officer, ([rid], [api.units["d1"]]), ([], [api.units["d2"]]))
    url = _url(campaign)
    assert _ids(await api.client.get(url, headers=researcher)) == [inside["id"], namesake["id"]]
    # By name, by pinyin (full, initials) and by id: the namesake in the other district never appears.
    by_name = await api.client.get(url, headers=researcher, params={"q": "周建国"})
    assert _ids(by_name) == [inside["id"]]
    assert by_name.json()["total"] == 1
    assert by_name.json()["items"][0]["unit_name"] == "鼓楼区住建局"
    assert _ids(await api.client.get(url, headers=researcher, params={"q": "zhoujianguo"})) == [inside["id"]]
    assert _ids(await api.client.get(url, headers=researcher, params={"q": "zjg"})) == [inside["id"]]
    assert _ids(await api.client.get(url, headers=researcher, params={"q": "zhoujian"})) == [
        inside["id"], namesake["id"]]
    assert _ids(await api.client.get(url, headers=researcher, params={"q": "建"})) == [
        inside["id"], namesake["id"]]
    checked = await api.client.get(url, headers=researcher,
                                   params={"ids": [inside["id"], outside["id"], 2**62]})
    assert _ids(checked) == [inside["id"]]
    # What the picker offers is what filing accepts.
    filed = await api.client.post("/api/records", headers=researcher,
                                  json=record_body(campaign, [inside["id"]]))
    assert filed.status_code == 201, filed.text


async def test_an_officer_member_is_offered_the_assignment_within_their_own_scope(api: Api) -> None:
    _, granter = await api.user("officer", [api.units["city"]])
    oid, officer = await api.user("officer", [api.units["d2"]])
    in_d1 = await api.cadre(granter, api.units["d1_bureau"])
    in_d2 = await api.cadre(granter, api.units["d2_bureau"])
    campaign = await _two_teams(api, granter, ([oid], [api.units["city"]]), ([], [api.units["d1"]]))
    # The team covers the whole city, the author may read only 临江区: the same rule as filing.
    assert _ids(await api.client.get(_url(campaign), headers=officer)) == [in_d2["id"]]
    refused = await api.client.post("/api/records", headers=officer,
                                    json=record_body(campaign, [in_d1["id"]]))
    assert refused.status_code == 422 and refused.json()["errors"][0]["ids"] == [in_d1["id"]]


async def test_a_non_member_gets_no_list_of_another_team(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    first_id, first = await api.user("researcher")
    second_id, second = await api.user("researcher")
    _, outsider = await api.user("researcher")
    _, leader = await api.user("leader", [api.units["city"]])
    in_d1 = await api.cadre(officer, api.units["d1_bureau"], name="林海峰")
    in_d2 = await api.cadre(officer, api.units["d2_bureau"], name="林海涛")
    campaign = await _two_teams(api, officer, ([first_id], [api.units["d1"]]),
                                ([second_id], [api.units["d2"]]))
    assert _ids(await api.client.get(_url(campaign, 1), headers=second)) == [in_d2["id"]]
    for who in (first, outsider):  # a member of the other team, a member of none
        r = await api.client.get(_url(campaign, 1), headers=who, params={"q": "林"})
        assert r.status_code == 404, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "调研组" in r.json()["detail"]
        assert "林海" not in r.text and "items" not in r.json()
    # A team named under another campaign than its own is no team of the caller's either.
    other = await _two_teams(api, officer, ([first_id], [api.units["d1"]]), ([], []))
    mixed = f"/api/campaigns/{other['id']}/teams/{campaign['teams'][0]['id']}/cadres"
    assert (await api.client.get(mixed, headers=first)).status_code == 404
    assert _ids(await api.client.get(_url(campaign), headers=first)) == [in_d1["id"]]
    # Leaders do not file: refused by role.
    assert (await api.client.get(_url(campaign), headers=leader)).status_code == 403


async def test_a_closed_campaign_offers_nothing(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    rid, researcher = await api.user("researcher")
    await api.cadre(officer, api.units["d1_bureau"])
    campaign = await _two_teams(api, officer, ([rid], [api.units["d1"]]), ([], []))
    assert len(_ids(await api.client.get(_url(campaign), headers=researcher))) == 1
    closed = await api.client.patch(f"/api/campaigns/{campaign['id']}", headers=officer,
                                    json={"status": "closed", "version": campaign["version"]})
    assert closed.status_code == 200, closed.text
    assert (await api.client.get(_url(campaign), headers=researcher)).status_code == 404


async def test_bogus_team_ids_and_parameters_are_clean_problems(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    rid, researcher = await api.user("researcher")
    campaign = await _two_teams(api, officer, ([rid], [api.units["d1"]]), ([], []))
    cid, tid = campaign["id"], campaign["teams"][0]["id"]
    assert (await api.client.get(_url(campaign), headers=researcher)).status_code == 200
    for path in (f"/api/campaigns/{cid}/teams/abc/cadres", f"/api/campaigns/{cid}/teams/0/cadres",
                 f"/api/campaigns/{cid}/teams/-5/cadres", f"/api/campaigns/{cid}/teams/{2**63}/cadres",
                 f"/api/campaigns/x/teams/{tid}/cadres", f"/api/campaigns/{cid}/teams/1.5/cadres"):
        r = await api.client.get(path, headers=researcher)
        assert r.status_code == 422, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    for params in ({"ids": "abc"}, {"ids": "0"}, {"q": "张" * 51}, {"q": ""}, {"limit": 0},
                   {"ids": [str(i) for i in range(1, 202)]}):
        r = await api.client.get(_url(campaign), headers=researcher, params=params)
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    missing = await api.client.get(f"/api/campaigns/{cid}/teams/{2**62}/cadres", headers=researcher)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert "调研组" in missing.json()["detail"]
