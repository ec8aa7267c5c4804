"""Objects and example bodies of issue 18 for the authorization matrix (tests/security).

`add_objects(world)` records, for each kind below, the object of district 1 (in scope for the
world's officer, leader and researcher) and its mirror in district 2.
"""

from typing import Any

from tests.factories import Api

PARAM_KINDS: dict[str, tuple[str, frozenset[str]]] = {
    # A resume line's team role is an officer's write within scope.
    "line_id": ("career_line", frozenset({"officer"})),
    "round_id": ("evaluation_round", frozenset({"officer", "leader", "researcher"})),
    "draft_id": ("inspection_draft", frozenset({"officer", "leader"})),
}

BODIES: dict[str, Any] = {
    "PUT /api/leadership/lines/{line_id}": lambda w: {"json": {"team_role": "member", "version": 1}},
    # A team conclusion; after the first write the answer is 428 without a version (the role got in).
    "PUT /api/inspection-drafts/{draft_id}": lambda w: {"json": {"version": 1, "sections": [
        {"key": "de", "statements": [{"text": "政治立场坚定。"}]}]}},
    "PUT /api/archives/{campaign_id}/teams/{unit_id}/conclusions": lambda w: {
        "json": {"body": "班子团结有力"}},
}

QUERIES: dict[str, dict[str, Any]] = {
    "POST /api/leadership/evaluations/import": {"unit_id": 1, "name": "测评", "held_on": "2025-01-01"},
}


async def add_objects(world: Any) -> None:
    """A resume line of each district's cadre and an evaluation round of each district's team."""
    api: Api = world.api
    lines, rounds = [], []
    # The district-1 line belongs to the spare cadre: example writes leave the world's objects alone.
    spare = world.data["spare_cadre"]["id"]
    for headers, cadre_id, unit in ((world.headers["officer"], spare, api.units["d1"]),
                                    (None, world.objects["cadre"][1], api.units["d2"])):
        lines.append(await api.pool.fetchval(
            "SELECT min(id) FROM career_entries WHERE cadre_id = $1", cadre_id))
        if headers is None:
            _, headers = await api.user("officer", [api.units["d2"]])
        r = await api.client.post("/api/leadership/evaluations", headers=headers, json={
            "unit_id": unit, "name": "班子民主测评", "held_on": "2025-01-10",
            "votes": [{"rater_category": "staff", "counts": {"excellent": 3, "competent": 1}}]})
        assert r.status_code == 201, r.text
        rounds.append(r.json()["id"])
    drafts = []
    for headers, cadre_id in ((world.headers["officer"], world.objects["cadre"][0]),
                              (None, world.objects["cadre"][1])):
        if headers is None:
            _, headers = await api.user("officer", [api.units["d2"]])
        r = await api.client.post("/api/inspection-drafts", headers=headers, json={"cadre_id": cadre_id})
        assert r.status_code == 201, r.text
        drafts.append(r.json()["id"])
    world.objects.update({"career_line": (lines[0], lines[1]), "evaluation_round": (rounds[0], rounds[1]),
                          "inspection_draft": (drafts[0], drafts[1])})
