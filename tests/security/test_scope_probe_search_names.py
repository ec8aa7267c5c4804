"""Probe: a search hit names only the cadres its reader may read.

A field record about a district-1 and a district-2 cadre is readable by a district-1 officer
(one cadre it concerns is theirs), whose record page names only the district-1 cadre. The search
hit of the same record listed every cadre it concerns — name and id of the district-2 cadre
included — on the API and the search page.
"""

from indexer.worker import Worker
from tests.factories import Api
from tests.security.world import shared_record


async def test_a_record_hit_names_only_the_cadres_the_reader_may_read(api: Api, indexer: Worker) -> None:
    _, city = await api.user("officer", [api.units["city"]])
    _, officer1 = await api.user("officer", [api.units["d1"]])
    _, leader1 = await api.user("leader", [api.units["d1"]])
    mine = await api.cadre(city, api.units["d1_bureau"], name="鼓楼甲")
    theirs = await api.cadre(city, api.units["d2_bureau"], name="临江乙")
    record = await shared_record(api, indexer, city, f"两区联合巡查{api.tag}", [mine, theirs])
    params = {"q": f"两区联合巡查{api.tag}"}
    whole = await api.client.get("/api/search", headers=city, params=params)
    assert whole.json()["hits"][0]["cadre_names"] == ["鼓楼甲", "临江乙"], whole.text[:400]
    for who, headers in (("officer1", officer1), ("leader1", leader1)):
        found = await api.client.get("/api/search", headers=headers, params=params)
        assert found.status_code == 200, (who, found.text)
        hits = found.json()["hits"]
        assert [h["entity_id"] for h in hits] == [record], (who, hits)
        assert hits[0]["cadre_ids"] == [mine["id"]] and hits[0]["cadre_names"] == ["鼓楼甲"], (who, hits)
        page = await api.client.get("/search", headers={**headers, "Accept": "text/html"}, params=params)
        assert page.status_code == 200 and "鼓楼甲" in page.text, who
        assert "临江乙" not in page.text, who


async def test_the_names_an_officers_hit_shows_are_the_cadres_the_officer_may_open(
        api: Api, indexer: Worker) -> None:
    # The officer's hits are judged from the scope keys each cadre carries in the document, not by
    # the database: they must agree with the SQL rule, which the cadre's own page applies.
    _, city = await api.user("officer", [api.units["city"]])
    people = [await api.cadre(city, api.units[unit], name=name, tier=tier) for unit, name, tier in (
        ("d1_bureau", "鼓楼丙", "district_managed"), ("d1_bureau", "鼓楼丁", "city_managed"),
        ("d2_bureau", "临江戊", "district_managed"), ("d2_bureau", "临江己", "city_managed"))]
    await shared_record(api, indexer, city, f"四人联合巡查{api.tag}", people)
    readers = [await api.user("officer", [api.units["d1"]]),
               await api.user("officer", [api.units["d1"]], tier="district_managed"),
               await api.user("officer", [api.units["d2"]], tier="city_managed"),
               await api.user("leader", [api.units["d1"], api.units["d2"]], tier="city_managed")]
    for _, headers in readers:
        found = await api.client.get("/api/search", headers=headers, params={"q": f"四人联合巡查{api.tag}"})
        assert found.status_code == 200, found.text
        hits = found.json()["hits"]
        opens = [p["id"] for p in people
                 if (await api.client.get(f"/api/cadres/{p['id']}", headers=headers)).status_code == 200]
        assert opens, "every reader here may open one of the four"
        assert [h["cadre_ids"] for h in hits] == [opens], (hits, opens)
        names = {p["id"]: p["name"] for p in people}
        assert hits[0]["cadre_names"] == [names[i] for i in opens]
