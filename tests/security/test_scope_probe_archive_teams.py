"""Probe: a researcher reads and writes a campaign's research archive only for the leadership teams
their own open team of that campaign studies.

A district-1 campaign has two research teams: the second studies the bureau's leadership team and
writes its conclusions; the first studies the district's own team. A member of the first team who
is also on another open campaign that studies the bureau could read the first campaign's archive of
the bureau — the other team's team conclusion — because the archive checked only that the campaign
studies the bureau (through any team) and that the reader may read the bureau's team (through any
campaign); the campaign overview listed the bureau too, and a conclusion written there was refused
with 403, unlike a campaign that does not exist (404). Now such an archive answers 404 like a
missing one, on the API and the page, and the overview leaves it out.
"""

from typing import Any

from tests.factories import Api

MARK = "班子结论：二组独立形成的评价意见"


async def _campaign(api: Api, officer: dict[str, str], teams: list[dict[str, Any]]) -> dict[str, Any]:
    r = await api.client.post("/api/campaigns", headers=officer, json={
        "name": f"班子专题调研{api.tag}{api.next()}", "starts_on": "2024-03-01", "ends_on": "2027-12-31",
        "status": "open", "teams": teams})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def test_an_archive_is_read_only_by_the_researchers_who_study_that_team(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    bureau, district = api.units["d1_bureau"], api.units["d1"]
    first_id, first = await api.user("researcher")
    second_id, second = await api.user("researcher")
    studied = await _campaign(api, officer, [
        {"name": "一组", "member_ids": [first_id], "leadership_unit_ids": [district]},
        {"name": "二组", "member_ids": [second_id], "leadership_unit_ids": [bureau]}])
    # Another open campaign puts the first researcher on the bureau's team.
    await _campaign(api, officer, [{"name": "三组", "member_ids": [first_id],
                                    "leadership_unit_ids": [bureau]}])
    base = f"/api/archives/{studied['id']}/teams/{bureau}"
    r = await api.client.put(f"{base}/conclusions", headers=second, json={"body": MARK})
    assert r.status_code == 200, r.text
    assert r.json()["team_conclusion"]["body"] == MARK

    # The studying team and the campaign's officer read it.
    for headers in (second, officer):
        r = await api.client.get(base, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["team_conclusion"]["body"] == MARK

    # The other team's member: as a campaign that does not exist.
    missing = await api.client.get(f"/api/archives/{2**62}/teams/{bureau}", headers=first)
    assert missing.status_code == 404, missing.text
    r = await api.client.get(base, headers=first)
    assert r.status_code == 404, r.text
    assert MARK not in r.text
    assert r.json()["detail"] == missing.json()["detail"]
    page = await api.client.get(f"/archives/{studied['id']}/{bureau}", headers=first)
    assert page.status_code == 404 and MARK not in page.text

    # Writing there answers as for a missing campaign (no 403 telling that it exists), problem+json.
    put_missing = await api.client.put(f"/api/archives/{2**62}/teams/{bureau}/conclusions", headers=first,
                                       json={"body": "x"})
    put = await api.client.put(f"{base}/conclusions", headers=first, json={"body": "改写二组的结论"})
    assert put.status_code == put_missing.status_code == 404, put.text
    assert put.headers["content-type"].startswith("application/problem+json")
    assert put.json()["detail"] == put_missing.json()["detail"]
    r = await api.client.get(base, headers=second)
    assert r.json()["team_conclusion"]["body"] == MARK

    # The overview lists only the teams the reader's own team studies.
    r = await api.client.get(f"/api/archives/{studied['id']}", headers=first)
    assert r.status_code == 200, r.text
    assert [t["unit_id"] for t in r.json()["teams"]] == [district]
    r = await api.client.get(f"/api/archives/{studied['id']}", headers=second)
    assert [t["unit_id"] for t in r.json()["teams"]] == [bureau]
