"""Probe: reading an arena contest records whose presentations were shown.

GET /api/contests/{id} (and the contest page) shows every presentation its reader may read: the
cadre, their achievements, shortcomings and judges' scores. Its audit entry (`contest.read`) held
only how many presentations there were, so the trail could not tell whose were read. It now names
the presentations and their cadres — only those shown: a city contest read by a district-1 leader
records the district-1 presenter, not the district-2 one the leader does not see.
"""

from typing import Any

from tests.factories import Api


async def _ok(api: Api, path: str, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    r = await api.client.post(path, headers=headers, json=body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def test_a_contest_read_records_the_presentations_and_cadres_shown(api: Api) -> None:
    _, city = await api.user("officer", [api.units["city"]])
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    leader_id, leader = await api.user("leader", [api.units["d1"]])
    ours = await api.cadre(city, api.units["d1_bureau"])
    theirs = await api.cadre(city, api.units["d2_bureau"])
    contest = await _ok(api, "/api/contests", city, {
        "name": "区住建局局长擂台比武", "level": "department_head", "held_on": "2024-09-20",
        "organizer_unit_id": api.units["city"]})
    shown = await _ok(api, f"/api/contests/{contest['id']}/presentations", city, {
        "cadre_id": ours["id"], "shortcomings": "项目推进偏慢", "scores": [{"scorer": "评委", "score": 85}]})
    await _ok(api, f"/api/contests/{contest['id']}/presentations", city, {
        "cadre_id": theirs["id"], "shortcomings": "拆违进度滞后",
        "scores": [{"scorer": "评委", "score": 80}]})
    for user_id, headers, path in ((officer_id, officer, f"/api/contests/{contest['id']}"),
                                   (leader_id, leader, f"/api/contests/{contest['id']}"),
                                   (leader_id, leader, f"/contests/{contest['id']}")):
        r = await api.client.get(path, headers=headers)
        assert r.status_code == 200, r.text[:300]
        assert "项目推进偏慢" in r.text and "拆违进度滞后" not in r.text
        details = await api.pool.fetchval(
            "SELECT details FROM audit_log WHERE actor_id = $1 AND action = 'contest.read' "
            "ORDER BY id DESC LIMIT 1", user_id)
        assert details["ids"] == [shown["id"]] and details["cadre_ids"] == [ours["id"]], details
