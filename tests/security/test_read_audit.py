"""Every read of personal data leaves an audit entry: lists name what they returned, revisions
are reads, and refused reads are recorded too (issue 12.6)."""

from typing import Any

from tests.factories import Api, campaign_with_team, record_body
from tests.security.world import evidence_body


async def _entries(api: Api, actor_id: int, action: str) -> list[dict[str, Any]]:
    rows = await api.pool.fetch(
        "SELECT object_type, object_id, details FROM audit_log WHERE actor_id = $1 AND action = $2 "
        "ORDER BY id", actor_id, action)
    return [dict(r) for r in rows]


async def _world(api: Api) -> dict[str, Any]:
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    researcher_id, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [researcher_id], [api.units["d1"]])
    records = []
    for n in range(2):
        r = await api.client.post("/api/records", headers=researcher,
                                  json=record_body(campaign, [cadre["id"]], title=f"谈话纪实{n}"))
        assert r.status_code == 201, r.text
        records.append(r.json()["id"])
    evidence = []
    for n in range(2):
        r = await api.client.post("/api/evidence", headers=officer,
                                  json=evidence_body(cadre["id"], title=f"实绩{n}"))
        assert r.status_code == 201, r.text
        evidence.append(r.json()["id"])
    return {"officer": officer, "officer_id": officer_id, "cadre": cadre, "records": records,
            "evidence": evidence}


async def test_each_list_call_leaves_one_entry_naming_the_ids_it_returned(api: Api) -> None:
    w = await _world(api)
    for path, action, expected in (("/api/records", "record.list", w["records"]),
                                   ("/api/evidence", "evidence.list", w["evidence"]),
                                   ("/api/cadres", "cadre.list", [w["cadre"]["id"]])):
        before = await _entries(api, w["officer_id"], action)
        r = await api.client.get(path, headers=w["officer"], params={"cadre_id": w["cadre"]["id"]}
                                 if path != "/api/cadres" else None)
        assert r.status_code == 200, r.text
        returned = [item["id"] for item in r.json()["items"]]
        assert sorted(returned) == sorted(expected)
        after = await _entries(api, w["officer_id"], action)
        assert len(after) == len(before) + 1, action
        assert after[-1]["details"]["ids"] == returned


async def test_revisions_are_audited_reads(api: Api) -> None:
    w = await _world(api)
    for kind, object_id in (("cadre", w["cadre"]["id"]), ("record", w["records"][0]),
                            ("evidence", w["evidence"][0])):
        prefix = {"cadre": "cadres", "record": "records", "evidence": "evidence"}[kind]
        r = await api.client.get(f"/api/{prefix}/{object_id}/revisions", headers=w["officer"])
        assert r.status_code == 200, r.text
        entries = await _entries(api, w["officer_id"], f"{kind}.revisions.read")
        assert entries and entries[-1]["object_id"] == str(object_id)
        assert entries[-1]["details"]["versions"] == [rev["version"] for rev in r.json()]


async def test_a_refused_read_is_recorded_without_telling_the_caller(api: Api) -> None:
    w = await _world(api)
    stranger_id, stranger = await api.user("officer", [api.units["d2"]])
    outside = await api.client.get(f"/api/cadres/{w['cadre']['id']}", headers=stranger)
    missing = await api.client.get("/api/cadres/9000000000000000000", headers=stranger)
    assert outside.status_code == missing.status_code == 404
    assert {k: v for k, v in outside.json().items() if k != "instance"} == \
        {k: v for k, v in missing.json().items() if k != "instance"}
    refused = await _entries(api, stranger_id, "access.refused")
    assert [e["details"]["path"] for e in refused][-2:] == [
        f"/api/cadres/{w['cadre']['id']}", "/api/cadres/9000000000000000000"]
    for path in (f"/api/records/{w['records'][0]}", f"/api/evidence/{w['evidence'][0]}/revisions"):
        assert (await api.client.get(path, headers=stranger)).status_code == 404
    assert len(await _entries(api, stranger_id, "access.refused")) == 4


async def test_a_refused_page_and_a_refused_role_are_recorded_too(api: Api) -> None:
    w = await _world(api)
    stranger_id, stranger = await api.user("officer", [api.units["d2"]])
    leader_id, leader = await api.user("leader", [api.units["d1"]])
    html = {"Accept": "text/html"}
    # A page out of scope answers the same page as a missing one, and is recorded like the API's.
    page = await api.client.get(f"/cadres/{w['cadre']['id']}", headers={**stranger, **html})
    assert page.status_code == 404
    refused = await _entries(api, stranger_id, "access.refused")
    assert refused[-1]["details"] == {"method": "GET", "path": f"/cadres/{w['cadre']['id']}",
                                      "status": 404}
    # What the role may not do at all: the API and the page.
    assert (await api.client.get("/api/audit", headers=leader)).status_code == 403
    assert (await api.client.get("/audit", headers={**leader, **html})).status_code == 403
    refused = await _entries(api, leader_id, "access.refused")
    assert [(e["details"]["path"], e["details"]["status"]) for e in refused[-2:]] == [
        ("/api/audit", 403), ("/audit", 403)]
