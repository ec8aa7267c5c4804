"""Probe: a saved shortlist (and a working one's marks) shows only cadres its reader may see.

A city officer's shortlist for a district-1 post ranks cadres of both districts; the district-1
officer and leader, who may read the position, must not learn district-2 names from it.
"""

from typing import Any

from tests.dossier.helpers import pdf_text
from tests.factories import Api


async def _world(api: Api) -> dict[str, Any]:
    _, city = await api.user("officer", [api.units["city"]])
    _, officer1 = await api.user("officer", [api.units["d1"]])
    _, leader1 = await api.user("leader", [api.units["d1"]])
    mine = await api.cadre(city, api.units["d1_bureau"], name="鼓楼甲")
    theirs = await api.cadre(city, api.units["d2_bureau"], name="临江乙")
    other = await api.cadre(city, api.units["d2_bureau"], name="临江丙")
    r = await api.client.post("/api/positions", headers=city, json={
        "unit_id": api.units["d1_bureau"], "title": "区住建局局长", "post_level": "section_main",
        "tier": "district_managed", "category": "urban_construction", "reference_date": "2025-06-30"})
    assert r.status_code == 201, r.text
    position = r.json()
    url = f"/api/positions/{position['id']}/shortlist"
    r = await api.client.post(f"{url}/marks", headers=city, json={
        "cadre_id": other["id"], "action": "exclude", "reason": f"临江丙近期拟交流{api.tag}"})
    assert r.status_code == 201, r.text
    for note in ("第一版", "第二版"):
        r = await api.client.post(f"{url}/versions", headers=city, json={"top_n": 20, "note": note})
        assert r.status_code == 201, r.text
    saved = r.json()["result"]
    assert theirs["id"] in [c["cadre_id"] for c in saved["candidates"]], saved
    return {"city": city, "officer1": officer1, "leader1": leader1, "mine": mine, "theirs": theirs,
            "other": other, "url": url}


async def test_saved_shortlist_versions_hide_cadres_outside_the_readers_scope(api: Api) -> None:
    w = await _world(api)
    for reader in ("officer1", "leader1"):
        for path in ("/versions/1", "/versions/2", "/versions/1/compare/2", ""):
            r = await api.client.get(w["url"] + path, headers=w[reader])
            assert r.status_code == 200, (reader, path, r.text)
            text = str(r.json())
            assert "鼓楼甲" in text or path.endswith("compare/2"), (reader, path)
            for hidden in ("临江乙", "临江丙", f"近期拟交流{api.tag}"):
                assert hidden not in text, (reader, path, hidden)
            ids = str([w["theirs"]["id"], w["other"]["id"]])
            assert f"'cadre_id': {w['theirs']['id']}," not in text, (reader, path, ids)
    # The officer who saved it still sees the whole list.
    r = await api.client.get(w["url"] + "/versions/1", headers=w["city"])
    assert "临江乙" in str(r.json()) and "临江丙" in str(r.json())



async def test_the_shortlist_pdf_prints_only_cadres_in_the_readers_scope(api: Api) -> None:
    w = await _world(api)
    r = await api.client.get(w["url"] + "/versions/1/shortlist.pdf", headers=w["leader1"])
    assert r.status_code == 200, r.text
    text = pdf_text(r.content)
    assert "鼓楼甲" in text
    assert "临江乙" not in text and "临江丙" not in text


async def test_marks_on_cadres_outside_the_readers_scope_are_neither_listed_nor_withdrawn(api: Api) -> None:
    # The city officer's exclusion of a district-2 cadre (with its reason) is no business of the
    # district-1 officer and leader, who may read the position: not in the marks list, not on the
    # page, and not withdrawable by the district-1 officer (404, as for a mark that does not exist).
    w = await _world(api)
    r = await api.client.post(f"{w['url']}/marks", headers=w["city"], json={
        "cadre_id": w["mine"]["id"], "action": "exclude", "reason": "鼓楼甲借调市里"})
    assert r.status_code == 201, r.text
    everything = await api.client.get(f"{w['url']}/marks", headers=w["city"])
    theirs = next(m for m in everything.json() if m["cadre_id"] == w["other"]["id"])
    for reader in ("officer1", "leader1"):
        r = await api.client.get(f"{w['url']}/marks", headers=w[reader])
        assert r.status_code == 200, (reader, r.text)
        assert [m["cadre_id"] for m in r.json()] == [w["mine"]["id"]], (reader, r.json())
        page = await api.client.get(f"/shortlists/{w['url'].split('/')[3]}",
                                    headers={**w[reader], "Accept": "text/html"})
        assert page.status_code == 200, (reader, page.text[:200])
        assert "鼓楼甲借调市里" in page.text and f"近期拟交流{api.tag}" not in page.text, reader
    withdraw = f"{w['url']}/marks/{theirs['id']}/withdraw"
    outside = await api.client.post(withdraw, headers=w["officer1"])
    missing = await api.client.post(f"{w['url']}/marks/9000000000000/withdraw", headers=w["officer1"])
    assert outside.status_code == missing.status_code == 404, outside.text
    assert outside.json()["detail"] == missing.json()["detail"]
    still = await api.client.get(f"{w['url']}/marks", headers=w["city"])
    assert next(m for m in still.json() if m["id"] == theirs["id"])["withdrawn_at"] is None


async def test_reading_marks_and_comparing_versions_is_audited(api: Api) -> None:
    w = await _world(api)
    officer_id = (await api.client.get("/api/auth/me", headers=w["officer1"])).json()["id"]
    position_id = int(w["url"].split("/")[3])
    for path, action in (("/marks", "shortlist.marks.read"),
                         ("/versions/1/compare/2", "shortlist.compare")):
        before = await api.pool.fetchval(
            "SELECT count(*) FROM audit_log WHERE actor_id = $1 AND action = $2", officer_id, action)
        r = await api.client.get(w["url"] + path, headers=w["officer1"])
        assert r.status_code == 200, (path, r.text)
        rows = await api.pool.fetch(
            "SELECT object_type, object_id, details FROM audit_log WHERE actor_id = $1 AND action = $2 "
            "ORDER BY id", officer_id, action)
        assert len(rows) == before + 1, path
        assert (rows[-1]["object_type"], rows[-1]["object_id"]) == ("position", str(position_id))
        assert w["other"]["id"] not in rows[-1]["details"]["cadre_ids"], path
