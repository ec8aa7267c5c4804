"""Probe: every revisions route is an audited read, not only those of cadres, records and evidence.

Revisions hold whole earlier snapshots (a promotion's stages, a leader's service log, a contest
presentation's shortcomings, a position's rules, a scoreboard): reading them leaves one entry
naming the object and the versions returned, like GET /api/evidence/{id}/revisions.
"""

from typing import Any

from tests.factories import Api
from tests.performance.matrix_examples import _district
from tests.security.world import _selection


async def _entries(api: Api, actor_id: int, action: str) -> list[dict[str, Any]]:
    rows = await api.pool.fetch(
        "SELECT object_type, object_id, details FROM audit_log WHERE actor_id = $1 AND action = $2 "
        "ORDER BY id", actor_id, action)
    return [dict(r) for r in rows]


async def _objects(api: Api, officer: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One of each district object about a cadre of d1's bureau, and a position and promotion."""
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    r = await api.client.post("/api/secondments/metrics", headers=officer, json={
        "code": f"m{api.tag}", "name": f"客户接触{api.tag}", "unit_label": "次"})
    assert r.status_code == 201, r.text
    objects = await _district(api, officer, api.units["d1"], api.units["d1_bureau"], cadre["id"],
                              r.json()["code"])
    selection = await _selection(api, officer, api.units["d1_bureau"], cadre["id"])
    return objects, selection


async def test_revisions_of_every_kind_are_audited_reads(api: Api) -> None:
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    leader_id, leader = await api.user("leader", [api.units["d1"]])
    objects, selection = await _objects(api, officer)
    contest_id = objects["contest"]
    cases = (
        ("promotion", selection["promotion"]["id"], f"/api/promotions/{selection['promotion']['id']}"),
        ("position", selection["position"]["id"], f"/api/positions/{selection['position']['id']}"),
        ("service_log", objects["service_log"], f"/api/service-logs/{objects['service_log']}"),
        ("contest_presentation", objects["contest_presentation"],
         f"/api/contests/{contest_id}/presentations/{objects['contest_presentation']}"),
        ("assessment_period", objects["assessment_period"],
         f"/api/assessments/periods/{objects['assessment_period']}"),
    )
    for user_id, headers in ((officer_id, officer), (leader_id, leader)):
        for kind, object_id, path in cases:
            before = await _entries(api, user_id, f"{kind}.revisions.read")
            r = await api.client.get(f"{path}/revisions", headers=headers)
            assert r.status_code == 200, (kind, r.text)
            after = await _entries(api, user_id, f"{kind}.revisions.read")
            assert len(after) == len(before) + 1, kind
            assert after[-1]["object_type"] == kind and after[-1]["object_id"] == str(object_id), kind
            assert after[-1]["details"]["versions"] == [rev["version"] for rev in r.json()], kind


async def test_lists_naming_cadres_are_audited_reads(api: Api) -> None:
    # Promotions, service logs and secondment placements name cadres (and their proposed posts,
    # services, postings): listing them is a read of personal data, audited with the ids shown.
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    objects, selection = await _objects(api, officer)
    program = objects["secondment_program"]
    cases = (("promotion.list", "/api/promotions", selection["promotion"]["id"]),
             ("service_log.list", "/api/service-logs", objects["service_log"]),
             ("secondment_placement.list", f"/api/secondments/programs/{program}/placements", None))
    for action, path, listed in cases:
        before = await _entries(api, officer_id, action)
        r = await api.client.get(path, headers=officer, params={"limit": 200})
        assert r.status_code == 200, (action, r.text)
        after = await _entries(api, officer_id, action)
        assert len(after) == len(before) + 1, action
        shown = [item["id"] for item in r.json()["items"]]
        assert after[-1]["details"]["ids"] == shown and after[-1]["details"]["total"] == r.json()["total"]
        assert listed is None or listed in shown, action


async def test_service_totals_per_leader_are_an_audited_read(api: Api) -> None:
    # Totals per leader name each cadre with the services they gave: one entry naming them.
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    objects, _ = await _objects(api, officer)
    assert objects["service_log"]
    for group_by in ("cadre", "unit"):
        before = await _entries(api, officer_id, "service_log.totals")
        r = await api.client.get("/api/service-logs/totals", headers=officer, params={"group_by": group_by})
        assert r.status_code == 200, r.text
        after = await _entries(api, officer_id, "service_log.totals")
        assert len(after) == len(before) + 1, group_by
        shown = [row["id"] for row in r.json()["rows"]]
        assert shown, r.text
        assert after[-1]["details"] == {"group_by": group_by, "ids": shown}, group_by
