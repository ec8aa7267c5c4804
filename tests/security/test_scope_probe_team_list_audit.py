"""Probe: the list of leadership teams records which cadres it named.

GET /api/leadership/teams (and the /leadership page) shows each team with its head by name — a
list of cadres in all but name. Its audit entry named only the units, so the trail could not tell
whose names a reader was shown, unlike every other list that names cadres (one entry per call
naming the ids it returned). The entry now carries the head's cadre id of every team shown, and
only those: a head outside the reader's scope is neither shown nor recorded.
"""

from typing import Any

from tests.factories import Api
from tests.leadership.helpers import bureau_team


async def _entries(api: Api, actor_id: int) -> list[dict[str, Any]]:
    rows = await api.pool.fetch("SELECT details FROM audit_log WHERE actor_id = $1 "
                                "AND action = 'leadership_team.list' ORDER BY id", actor_id)
    return [r["details"] for r in rows]


async def test_the_team_list_records_the_heads_it_names(api: Api) -> None:
    w = await bureau_team(api)
    leader_id, leader = await api.user("leader", [api.units["d1"]])
    other_id, other = await api.user("officer", [api.units["d2"]])
    for user_id, headers, path in ((w["officer_id"], w["officer"], "/api/leadership/teams"),
                                   (leader_id, leader, "/api/leadership/teams"),
                                   (leader_id, leader, "/leadership")):
        before = await _entries(api, user_id)
        r = await api.client.get(path, headers=headers, params={"on": "2025-06-30"})
        assert r.status_code == 200, r.text[:300]
        assert "现局长乙" in r.text
        after = await _entries(api, user_id)
        assert len(after) == len(before) + 1, path
        assert after[-1]["cadre_ids"] == [w["head"]["id"]], after[-1]
        # The district's own team (the former head is its deputy district head) has no head.
        assert after[-1]["unit_ids"] == [api.units["d1"], w["bureau"]]
    # Another district's reader sees no team of district 1, and no head is recorded for them.
    r = await api.client.get("/api/leadership/teams", headers=other, params={"on": "2025-06-30"})
    assert r.status_code == 200 and r.json() == []
    assert (await _entries(api, other_id))[-1]["cadre_ids"] == []
