"""Out-of-scope records leave no trace: not in counts, facets or filters, and gone when access ends."""

from typing import Any

from indexer.worker import Worker
from tests.factories import Api, campaign_with_team, record_body
from tests.security.world import evidence_body


async def _two_districts(api: Api, indexer: Worker) -> dict[str, Any]:
    _, officer1 = await api.user("officer", [api.units["d1"]])
    _, officer2 = await api.user("officer", [api.units["d2"]])
    rid, researcher = await api.user("researcher")
    cadre2 = await api.cadre(officer2, api.units["d2_bureau"], name="欧阳临江")
    campaign = await campaign_with_team(api, officer2, [rid], [api.units["d2"]])
    rec = await api.client.post("/api/records", headers=researcher, json=record_body(
        campaign, [cadre2["id"]], title=f"临江纪实{api.tag}", body=f"临江区现场记录{api.tag}"))
    assert rec.status_code == 201
    ev = await api.client.post("/api/evidence", headers=officer2, json=evidence_body(cadre2["id"]))
    assert ev.status_code == 201
    await indexer.drain()
    return {"officer1": officer1, "officer2": officer2, "researcher": researcher, "cadre2": cadre2,
            "campaign": campaign}


async def test_lists_filtered_by_out_of_scope_ids_count_nothing(api: Api, indexer: Worker) -> None:
    w = await _two_districts(api, indexer)
    c2 = w["cadre2"]["id"]
    for path, params in (("/api/cadres", {"unit_id": api.units["d2"]}),
                         ("/api/cadres", {"name": "欧阳临江"}),
                         ("/api/records", {"cadre_id": c2}),
                         ("/api/records", {"campaign_id": w["campaign"]["id"]}),
                         ("/api/evidence", {"cadre_id": c2})):
        mine = await api.client.get(path, headers=w["officer1"], params=params)
        theirs = await api.client.get(path, headers=w["officer2"], params=params)
        assert mine.status_code == 200 and mine.json()["total"] == 0, (path, params)
        assert theirs.json()["total"] >= 1, (path, params)


async def test_search_counts_and_facets_ignore_out_of_scope_documents(api: Api, indexer: Worker) -> None:
    w = await _two_districts(api, indexer)
    for params in ({"q": f"临江纪实{api.tag}"}, {"q": "欧阳临江"}, {"unit_id": api.units["d2"]}):
        r = await api.client.get("/api/search", headers=w["officer1"], params=params)
        assert r.status_code == 200 and r.json()["total"] == 0, params
        assert all(not counts for counts in r.json()["facets"].values()), params
        seen = await api.client.get("/api/search", headers=w["officer2"], params=params)
        assert seen.json()["total"] >= 1, params


async def test_researcher_access_ends_when_the_campaign_closes(api: Api, indexer: Worker) -> None:
    w = await _two_districts(api, indexer)
    c2 = w["cadre2"]["id"]
    assert (await api.client.get(f"/api/cadres/{c2}", headers=w["researcher"])).status_code == 200
    found = await api.client.get("/api/search", headers=w["researcher"], params={"q": "欧阳临江"})
    assert found.json()["total"] >= 1
    closed = await api.client.patch(f"/api/campaigns/{w['campaign']['id']}", headers=w["officer2"],
                                    json={"status": "closed", "version": w["campaign"]["version"]})
    assert closed.status_code == 200
    await indexer.drain()
    gone = await api.client.get(f"/api/cadres/{c2}", headers=w["researcher"])
    missing = await api.client.get("/api/cadres/9000000000000000000", headers=w["researcher"])
    assert gone.status_code == 404 and gone.json()["detail"] == missing.json()["detail"]
    listed = await api.client.get("/api/cadres", headers=w["researcher"])
    assert c2 not in [c["id"] for c in listed.json()["items"]]
    after = await api.client.get("/api/search", headers=w["researcher"], params={"q": "欧阳临江"})
    assert after.json()["total"] == 0


async def test_tier_limited_scope_sees_only_that_tier(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    _, city_tier = await api.user("leader", [api.units["city"]], tier="city_managed")
    city_managed = await api.cadre(officer, api.units["d1_bureau"], tier="city_managed")
    district_managed = await api.cadre(officer, api.units["d1_bureau"], tier="district_managed")
    assert (await api.client.get(f"/api/cadres/{city_managed['id']}", headers=city_tier)).status_code == 200
    r = await api.client.get(f"/api/cadres/{district_managed['id']}", headers=city_tier)
    assert r.status_code == 404
