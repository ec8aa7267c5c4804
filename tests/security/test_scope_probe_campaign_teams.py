"""Probe: a campaign's teams show only the assigned cadres their reader may read, and reading which
cadres a campaign studies is audited.

A city officer's campaign of district 1 assigns one team a district-1 cadre and another team a
district-2 cadre. The district-1 officer (whose scope covers the campaign) and the first team's
researcher listed both assignments — the id of a cadre neither may read, and which team studies
them — and the reads left no audit entry.
"""

from typing import Any

from schemas import clock
from tests.factories import Api


async def test_team_assignments_list_only_readable_cadres_and_are_audited(api: Api) -> None:
    _, city = await api.user("officer", [api.units["city"]])
    officer1_id, officer1 = await api.user("officer", [api.units["d1"]])
    res1_id, res1 = await api.user("researcher")
    res2_id, _ = await api.user("researcher")
    mine = await api.cadre(city, api.units["d1_bureau"])
    theirs = await api.cadre(city, api.units["d2_bureau"])
    r = await api.client.post("/api/campaigns", headers=city, json={
        "name": f"鼓楼专项调研{api.tag}", "unit_id": api.units["d1"], "starts_on": "2024-01-01",
        "ends_on": f"{clock.today().year + 1}-12-31", "status": "open", "teams": [
            {"name": "第一组", "member_ids": [res1_id], "cadre_ids": [mine["id"]]},
            {"name": "第二组", "member_ids": [res2_id], "cadre_ids": [theirs["id"]]}]})
    assert r.status_code == 201, r.text
    campaign = r.json()
    assert sorted(c for t in campaign["teams"] for c in t["cadre_ids"]) == sorted([mine["id"], theirs["id"]])
    for who, user_id, headers in (("officer1", officer1_id, officer1), ("researcher", res1_id, res1)):
        for path in (f"/api/campaigns/{campaign['id']}", "/api/campaigns"):
            before = await api.pool.fetchval(
                "SELECT count(*) FROM audit_log WHERE actor_id = $1 AND action LIKE 'campaign.%'", user_id)
            r = await api.client.get(path, headers=headers)
            assert r.status_code == 200, (who, path, r.text)
            body: Any = r.json()
            shown = body if isinstance(body, dict) else next(c for c in body if c["id"] == campaign["id"])
            assert [t["cadre_ids"] for t in shown["teams"]] == [[mine["id"]], []], (who, path, shown)
            rows = await api.pool.fetch(
                "SELECT action, details FROM audit_log WHERE actor_id = $1 AND action LIKE 'campaign.%' "
                "ORDER BY id", user_id)
            assert len(rows) == before + 1, (who, path)
            assert mine["id"] in rows[-1]["details"]["cadre_ids"], (who, path, rows[-1])
            assert theirs["id"] not in rows[-1]["details"]["cadre_ids"], (who, path)
    # The city officer who made the assignments still reads both.
    r = await api.client.get(f"/api/campaigns/{campaign['id']}", headers=city)
    assert [t["cadre_ids"] for t in r.json()["teams"]] == [[mine["id"]], [theirs["id"]]]
