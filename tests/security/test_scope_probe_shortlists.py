"""Probe: a saved shortlist (and a working one's marks) shows only cadres its reader may see.

A city officer's shortlist for a district-1 post ranks cadres of both districts; the district-1
officer and leader, who may read the position, must not learn district-2 names from it.
"""

import subprocess
from typing import Any

from tests.factories import Api


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with whitespace removed (names may break across lines)."""
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True)
    return "".join(out.stdout.decode().split())


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
