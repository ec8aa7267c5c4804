"""Probe: a field record about several cadres names to its reader only the cadres they may read.

A city research team's record concerns a district-1 cadre, a district-2 cadre and a city-managed
district-1 cadre. The district-1 officer and leader may read the record (it concerns a cadre of
theirs), and an officer of district 1's district-managed tier too; the record's JSON (one, the
list, its revisions) listed every linked cadre's id, so the other district's (or tier's) cadres
were known to exist and which record they were in. Evidence that cites records likewise listed the
ids of records its reader may not read. Both now list only what the reader may read; edits by a
reader who cannot see some links keep those links (neither shown nor dropped).
"""

from typing import Any

from tests.factories import Api, campaign_with_team, record_body
from tests.security.world import evidence_body


async def _world(api: Api) -> dict[str, Any]:
    _, city = await api.user("officer", [api.units["city"]])
    _, officer1 = await api.user("officer", [api.units["d1"]])
    _, leader1 = await api.user("leader", [api.units["d1"]])
    _, tiered = await api.user("officer", [api.units["d1"]], tier="district_managed")
    author_id, author = await api.user("researcher")
    mine = await api.cadre(city, api.units["d1_bureau"], name="鼓楼甲")
    theirs = await api.cadre(city, api.units["d2_bureau"], name="临江乙")
    upper = await api.cadre(city, api.units["d1_bureau"], name="鼓楼丙", tier="city_managed")
    campaign = await campaign_with_team(api, city, [author_id], [api.units["city"]])
    r = await api.client.post("/api/records", headers=author, json=record_body(
        campaign, [mine["id"], theirs["id"]], title=f"联合走访{api.tag}"))
    assert r.status_code == 201, r.text
    record = r.json()
    # An amendment that adds the city-managed cadre leaves cadre_ids in the revision's changes.
    body = record_body(campaign, [mine["id"], theirs["id"], upper["id"]], title=f"联合走访{api.tag}")
    for create_only in ("campaign_id", "team_id", "kind", "submit"):
        del body[create_only]
    r = await api.client.put(f"/api/records/{record['id']}", headers=author,
                             json={**body, "version": record["version"], "reason": "补充所涉干部"})
    assert r.status_code == 200, r.text
    record = r.json()
    assert record["cadre_ids"] == sorted([mine["id"], theirs["id"], upper["id"]])
    r = await api.client.post("/api/records", headers=author, json=record_body(
        campaign, [theirs["id"]], title=f"临江走访{api.tag}"))
    assert r.status_code == 201, r.text
    elsewhere = r.json()
    r = await api.client.post("/api/evidence", headers=city, json=evidence_body(
        mine["id"], record_ids=[record["id"], elsewhere["id"]]))
    assert r.status_code == 201, r.text
    return {"city": city, "officer1": officer1, "leader1": leader1, "tiered": tiered, "author": author,
            "campaign": campaign, "mine": mine["id"], "theirs": theirs["id"], "upper": upper["id"],
            "record": record, "elsewhere": elsewhere["id"], "evidence": r.json()}


def _ids_in(value: Any) -> set[int]:
    """Every integer anywhere in a JSON value."""
    if isinstance(value, bool):
        return set()
    if isinstance(value, int):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_ids_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_ids_in(v) for v in value)) if value else set()
    return set()


async def test_a_records_json_lists_only_the_cadres_its_reader_may_read(api: Api) -> None:
    w = await _world(api)
    record_id = w["record"]["id"]
    seen = {"officer1": [w["mine"], w["upper"]], "leader1": [w["mine"], w["upper"]],
            "tiered": [w["mine"]]}
    for reader, expected in seen.items():
        headers = w[reader]
        one = await api.client.get(f"/api/records/{record_id}", headers=headers)
        assert one.status_code == 200, (reader, one.text)
        assert one.json()["cadre_ids"] == sorted(expected), reader
        listed = await api.client.get("/api/records", headers=headers, params={"cadre_id": w["mine"]})
        assert listed.status_code == 200, (reader, listed.text)
        item = next(i for i in listed.json()["items"] if i["id"] == record_id)
        assert item["cadre_ids"] == sorted(expected), reader
        revisions = await api.client.get(f"/api/records/{record_id}/revisions", headers=headers)
        assert revisions.status_code == 200, (reader, revisions.text)
        changes = [r["changes"] for r in revisions.json()]
        # The tier-limited officer sees no change of links at all (only hidden cadres were added).
        assert any("cadre_ids" in c for c in changes) == (reader != "tiered"), (reader, changes)
        hidden = {w["theirs"], w["upper"]} - set(expected)
        assert not hidden & _ids_in(changes), (reader, changes)
        page = await api.client.get(f"/records/{record_id}", headers={**headers, "Accept": "text/html"})
        assert page.status_code == 200, (reader, page.status_code)
        assert "鼓楼甲" in page.text and "临江乙" not in page.text, reader
        assert f"/cadres/{w['theirs']}" not in page.text, reader
    # The city officer and the author still see every cadre.
    for who in ("city", "author"):
        one = await api.client.get(f"/api/records/{record_id}", headers=w[who])
        assert one.json()["cadre_ids"] == sorted([w["mine"], w["theirs"], w["upper"]]), who


async def test_evidence_lists_only_the_records_its_reader_may_read(api: Api) -> None:
    w = await _world(api)
    evidence_id = w["evidence"]["id"]
    for reader in ("officer1", "leader1", "tiered"):
        one = await api.client.get(f"/api/evidence/{evidence_id}", headers=w[reader])
        assert one.status_code == 200, (reader, one.text)
        assert one.json()["record_ids"] == [w["record"]["id"]], reader
        listed = await api.client.get("/api/evidence", headers=w[reader], params={"cadre_id": w["mine"]})
        item = next(i for i in listed.json()["items"] if i["id"] == evidence_id)
        assert item["record_ids"] == [w["record"]["id"]], reader
        page = await api.client.get(f"/evidence/{evidence_id}", headers={**w[reader], "Accept": "text/html"})
        assert page.status_code == 200 and f"临江走访{api.tag}" not in page.text, reader
    full = await api.client.get(f"/api/evidence/{evidence_id}", headers=w["city"])
    assert full.json()["record_ids"] == sorted([w["record"]["id"], w["elsewhere"]])


async def test_an_amendment_by_a_reader_who_cannot_see_some_links_keeps_them(api: Api) -> None:
    # The district-1 officer amends the city officer's evidence with the records it was shown:
    # the record they may not read stays cited, and is not shown to them in the answer.
    w = await _world(api)
    evidence_id = w["evidence"]["id"]
    shown = (await api.client.get(f"/api/evidence/{evidence_id}", headers=w["officer1"])).json()
    body = evidence_body(w["mine"], title="老旧小区改造（补正）", record_ids=shown["record_ids"])
    del body["cadre_id"]
    r = await api.client.put(f"/api/evidence/{evidence_id}", headers=w["officer1"],
                             json={**body, "version": shown["version"]})
    assert r.status_code == 200, r.text
    assert r.json()["record_ids"] == [w["record"]["id"]]
    full = await api.client.get(f"/api/evidence/{evidence_id}", headers=w["city"])
    assert full.json()["record_ids"] == sorted([w["record"]["id"], w["elsewhere"]])
    assert full.json()["title"] == "老旧小区改造（补正）"
    revisions = await api.client.get(f"/api/evidence/{evidence_id}/revisions", headers=w["officer1"])
    assert w["elsewhere"] not in _ids_in([r["changes"] for r in revisions.json()])
