"""One scope at a time: adding or removing a scope keeps the account's other scopes."""

from typing import Any

from tests.factories import Api


def _scopes(body: dict[str, Any]) -> set[tuple[int, str | None]]:
    return {(s["unit_id"], s["tier"]) for s in body["scopes"]}


async def test_adding_and_removing_one_scope_keeps_the_others_and_changes_what_is_readable(api: Api) -> None:
    d1, d2 = api.units["d1"], api.units["d2"]
    officer_id, officer = await api.user("officer", [d1])
    _, other = await api.user("officer", [d2])
    cadre = await api.cadre(other, api.units["d2_bureau"])
    assert (await api.client.get(f"/api/cadres/{cadre['id']}", headers=officer)).status_code == 404

    r = await api.client.post(f"/api/users/{officer_id}/scopes", headers=api.admin,
                              json={"unit_id": d2, "tier": "district_managed"})
    assert r.status_code == 200, r.text
    assert _scopes(r.json()) == {(d1, None), (d2, "district_managed")}
    assert (await api.client.get(f"/api/cadres/{cadre['id']}", headers=officer)).status_code == 200

    again = await api.client.post(f"/api/users/{officer_id}/scopes", headers=api.admin,
                                  json={"unit_id": d2, "tier": "district_managed"})
    assert again.status_code == 409
    r = await api.client.post(f"/api/users/{officer_id}/scopes/remove", headers=api.admin,
                              json={"unit_id": d2, "tier": "district_managed"})
    assert r.status_code == 200, r.text
    assert _scopes(r.json()) == {(d1, None)}
    assert (await api.client.get(f"/api/cadres/{cadre['id']}", headers=officer)).status_code == 404
    trail = await api.client.get("/api/audit", headers=(await api.user("auditor"))[1], params={
        "object_type": "user", "object_id": str(officer_id), "action": "user.scope"})
    actions = [e["action"] for e in trail.json()["items"]]
    assert sorted(actions) == ["user.scope_add", "user.scope_remove"]


async def test_a_scope_change_that_names_no_unit_or_no_held_scope_is_refused(api: Api) -> None:
    officer_id, _ = await api.user("officer", [api.units["d1"]])
    missing = await api.client.post(f"/api/users/{officer_id}/scopes", headers=api.admin,
                                    json={"unit_id": 9_000_000_000})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"].endswith("unit_id")
    absent = await api.client.post(f"/api/users/{officer_id}/scopes/remove", headers=api.admin,
                                   json={"unit_id": api.units["d2"]})
    assert absent.status_code == 409
    body = (await api.client.get(f"/api/users/{officer_id}", headers=api.admin)).json()
    assert _scopes(body) == {(api.units["d1"], None)}
    researcher = (await api.user("researcher"))[1]
    assert (await api.client.post(f"/api/users/{officer_id}/scopes", headers=researcher,
                                  json={"unit_id": api.units["d2"]})).status_code == 403
