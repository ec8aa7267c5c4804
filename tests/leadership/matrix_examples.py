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
}

BODIES: dict[str, Any] = {
    "PUT /api/leadership/lines/{line_id}": lambda w: {"json": {"team_role": "member", "version": 1}},
}

QUERIES: dict[str, dict[str, Any]] = {
    "POST /api/leadership/evaluations/import": {"unit_id": 1, "name": "测评", "held_on": "2025-01-01"},
}


async def add_objects(world: Any) -> None:
    """A resume line of each district's cadre and an evaluation round of each district's team."""
    api: Api = world.api
    lines, rounds = [], []
    for headers, cadre_id, unit in ((world.headers["officer"], world.objects["cadre"][0], api.units["d1"]),
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
    world.objects.update({"career_line": (lines[0], lines[1]), "evaluation_round": (rounds[0], rounds[1])})
