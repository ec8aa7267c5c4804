"""Probe: a campaign's archive overview records the cadres it names.

GET /api/archives/{campaign_id} (and its page) lists, for each leadership team studied, the members
no record of the campaign covers yet — by name. Its audit entry (`archive.overview`) named only the
units, so the trail could not tell whose names a reader was shown. It now also names those cadres'
ids, as the archive itself (`archive.read`) and every list naming cadres do.
"""

from tests.archives.helpers import studied_team
from tests.factories import Api


async def test_the_overview_records_the_members_it_names(api: Api) -> None:
    w = await studied_team(api)
    leader_id, leader = await api.user("leader", [api.units["d1"]])
    for user_id, headers, path in ((w["officer_id"], w["officer"], f"/api/archives/{w['campaign']['id']}"),
                                   (leader_id, leader, f"/archives/{w['campaign']['id']}")):
        r = await api.client.get(path, headers=headers)
        assert r.status_code == 200, r.text[:300]
        assert "副局长戊" in r.text
        details = await api.pool.fetchval(
            "SELECT details FROM audit_log WHERE actor_id = $1 AND action = 'archive.overview' "
            "ORDER BY id DESC LIMIT 1", user_id)
        assert details["unit_ids"] == [w["bureau"]], details
        assert details["cadre_ids"] == [w["quiet"]["id"]], details
