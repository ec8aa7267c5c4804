"""The unit tree: creating and moving units, and how a move changes who may read what."""

from indexer.worker import Worker
from tests.factories import Api


async def _tree(api: Api, unit_id: int) -> dict[int, dict[str, object]]:
    rows = await api.pool.fetch("SELECT id, parent_id, path, ancestor_ids, depth FROM units "
                                "WHERE $1 = ANY(ancestor_ids)", unit_id)
    return {r["id"]: dict(r) for r in rows}


async def test_children_and_subtree_listing_follow_the_tree(api: Api) -> None:
    city = api.units["city"]
    r = await api.client.get("/api/units", headers=api.admin, params={"parent_id": city})
    assert {u["id"] for u in r.json()} == {api.units["d1"], api.units["d2"]}
    sub = await api.client.get("/api/units", headers=api.admin, params={"subtree_of": api.units["d1"]})
    assert [u["id"] for u in sub.json()] == [api.units["d1"], api.units["d1_bureau"]]
    assert sub.json()[1]["path_names"] == ["江州市", "鼓楼区", "鼓楼区住建局"]


async def test_moving_a_unit_rewrites_its_whole_subtree(api: Api) -> None:
    bureau = api.units["d1_bureau"]
    section = await api.unit("department", "城建科", bureau)
    r = await api.client.post(f"/api/units/{bureau}/move", headers=api.admin,
                              json={"parent_id": api.units["d2"], "version": 1})
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["parent_id"] == api.units["d2"] and moved["version"] == 2
    assert moved["path_names"] == ["江州市", "临江区", "鼓楼区住建局"]
    tree = await _tree(api, bureau)
    assert tree[section]["ancestor_ids"] == [api.units["city"], api.units["d2"], bureau, section]
    assert tree[section]["depth"] == 3 and tree[section]["parent_id"] == bureau
    assert tree[section]["path"] == f"/{api.units['city']}/{api.units['d2']}/{bureau}/{section}/"
    revision = await api.pool.fetchrow("SELECT action, changes FROM revisions WHERE entity_type = 'unit' "
                                       "AND entity_id = $1 AND version = 2", bureau)
    assert revision is not None and revision["action"] == "move"
    audited = await api.pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'unit.move' "
                                      "AND object_id = $1", str(bureau))
    assert audited == 1


async def test_a_move_changes_which_officers_see_the_cadres_below_it(api: Api, indexer: Worker) -> None:
    _, officer1 = await api.user("officer", [api.units["d1"]])
    _, officer2 = await api.user("officer", [api.units["d2"]])
    bureau = await api.unit("department", "鼓楼区水务局", api.units["d1"])
    cadre = await api.cadre(officer1, bureau)
    assert (await api.client.get(f"/api/cadres/{cadre['id']}", headers=officer2)).status_code == 404
    r = await api.client.post(f"/api/units/{bureau}/move", headers=api.admin,
                              json={"parent_id": api.units["d2"], "version": 1})
    assert r.status_code == 200, r.text
    assert (await api.client.get(f"/api/cadres/{cadre['id']}", headers=officer1)).status_code == 404
    assert (await api.client.get(f"/api/cadres/{cadre['id']}", headers=officer2)).status_code == 200
    # Search filters are built from the same tree: after the indexer caught up, only district 2 finds it.
    await indexer.drain()
    for headers, expected in ((officer1, 0), (officer2, 1)):
        found = await api.client.get("/api/search", headers=headers, params={"q": cadre["name"]})
        assert found.status_code == 200, found.text
        ids = {i for h in found.json()["hits"] for i in h["cadre_ids"]}
        assert (cadre["id"] in ids) == bool(expected)


async def test_moves_that_would_break_the_tree_are_refused_and_change_nothing(api: Api) -> None:
    d1, bureau = api.units["d1"], api.units["d1_bureau"]
    below = await api.client.post(f"/api/units/{d1}/move", headers=api.admin,
                                  json={"parent_id": bureau, "version": 1})
    assert below.status_code == 422 and below.json()["errors"][0]["field"] == "parent_id"
    itself = await api.client.post(f"/api/units/{d1}/move", headers=api.admin,
                                   json={"parent_id": d1, "version": 1})
    assert itself.status_code == 422
    root = await api.client.post(f"/api/units/{api.units['city']}/move", headers=api.admin,
                                 json={"parent_id": d1, "version": 1})
    assert root.status_code == 409
    stale = await api.client.post(f"/api/units/{bureau}/move", headers=api.admin,
                                  json={"parent_id": api.units["d2"], "version": 7})
    assert stale.status_code == 409
    missing = await api.client.post(f"/api/units/{bureau}/move", headers=api.admin,
                                    json={"parent_id": 2**62, "version": 1})
    assert missing.status_code == 422
    _, officer = await api.user("officer", [d1])
    forbidden = await api.client.post(f"/api/units/{bureau}/move", headers=officer,
                                      json={"parent_id": api.units["d2"], "version": 1})
    assert forbidden.status_code == 403
    assert (await _tree(api, bureau))[bureau]["parent_id"] == d1
