"""Probe: a democratic evaluation round records votes only for team members its officer may read.

An officer whose scope is a bureau reads its leadership team without the former head, who now
serves at the district (outside that scope). The officer could still record a round in which the
former head was rated, and a vote for them was accepted where one for a non-member was refused —
a write of assessment results about a cadre outside the officer's scope, and an answer telling who
was on the team.
"""

from tests.factories import Api
from tests.leadership.helpers import bureau_team


async def test_a_round_refuses_a_member_outside_scope_like_a_non_member(api: Api) -> None:
    w = await bureau_team(api)
    _, bureau_only = await api.user("officer", [w["bureau"]])

    def body(cadre_id: int) -> dict[str, object]:
        return {"unit_id": w["bureau"], "name": "2022年度班子民主测评", "held_on": "2022-12-20",
                "votes": [{"cadre_id": cadre_id, "rater_category": "staff", "counts": {"excellent": 9}}]}

    outside = await api.client.post("/api/leadership/evaluations", headers=bureau_only,
                                    json=body(w["former"]["id"]))
    missing = await api.client.post("/api/leadership/evaluations", headers=bureau_only,
                                    json=body(9_000_000_000_000))
    assert outside.status_code == missing.status_code == 422, outside.text
    assert {k: v for k, v in outside.json().items() if k != "instance"} == \
        {k: v for k, v in missing.json().items() if k != "instance"}
    assert [e["field"] for e in outside.json()["errors"]] == ["votes[0].cadre_id"]
    assert not await api.pool.fetchval(
        "SELECT count(*) FROM evaluation_rounds WHERE unit_id = $1", w["bureau"])
    # A member the officer may read is rated as before; the district officer rates the former head.
    inside = await api.client.post("/api/leadership/evaluations", headers=bureau_only,
                                   json=body(w["deputy"]["id"]))
    assert inside.status_code == 201, inside.text
    district = await api.client.post("/api/leadership/evaluations", headers=w["officer"],
                                     json=body(w["former"]["id"]))
    assert district.status_code == 201, district.text
