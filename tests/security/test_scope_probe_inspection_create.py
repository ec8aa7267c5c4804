"""Probe: compiling a 考察材料 draft about another district's cadre or promotion record is refused as
for one that does not exist — 422 under the field named, in Chinese — and writes nothing.

POST /api/inspection-drafts takes a `cadre_id` or a `promotion_id` in its body. An id outside the
officer's scope was answered with a bare 404 (no field, unlike every other write naming a cadre in
its body, which answers 422 under that field); it is now the same 422 problem as an id that names
nothing, so neither tells whether the other district's object exists. A record the officer sees
through its target unit, about a cadre they may not read, is refused under `promotion_id`.
"""

from typing import Any

from tests.factories import Api
from tests.security.world import _selection


def _shape(r: Any) -> tuple[int, str, str, list[dict[str, Any]]]:
    body = r.json()
    return r.status_code, r.headers["content-type"], body["detail"], body["errors"]


async def test_out_of_scope_ids_are_refused_like_missing_ones_under_their_field(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, other = await api.user("officer", [api.units["d2"]])
    theirs = await api.cadre(other, api.units["d2_bureau"])
    selection = await _selection(api, other, api.units["d2_bureau"], theirs["id"])
    # The other district's officer may compile both (the objects are real and at the right stage).
    for body in ({"cadre_id": theirs["id"]}, {"promotion_id": selection["promotion"]["id"]}):
        r = await api.client.post("/api/inspection-drafts", headers=other, json=body)
        assert r.status_code == 201, r.text
    count = "SELECT count(*) FROM inspection_drafts WHERE cadre_id = $1"
    before = await api.pool.fetchval(count, theirs["id"])

    for field, real in (("cadre_id", theirs["id"]), ("promotion_id", selection["promotion"]["id"])):
        missing = await api.client.post("/api/inspection-drafts", headers=officer, json={field: 2**62})
        r = await api.client.post("/api/inspection-drafts", headers=officer, json={field: real})
        assert r.status_code == 422, (field, r.text)
        assert _shape(r) == _shape(missing), field
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == [field]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["errors"][0]["message"])
        assert theirs["name"] not in r.text
    after = await api.pool.fetchval(count, theirs["id"])
    assert after == before

    # A city officer's record moving the other district's cadre into district 1: the district-1
    # officer sees the record (its target unit is theirs), not the cadre, so no draft — refused
    # under the field they sent.
    _, city = await api.user("officer", [api.units["city"]])
    mover = await api.cadre(other, api.units["d2_bureau"])
    moving = await _selection(api, city, api.units["d1_bureau"], mover["id"])
    r = await api.client.get(f"/api/promotions/{moving['promotion']['id']}", headers=officer)
    assert r.status_code == 200, r.text
    r = await api.client.post("/api/inspection-drafts", headers=officer,
                              json={"promotion_id": moving["promotion"]["id"]})
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["promotion_id"]
    assert r.headers["content-type"].startswith("application/problem+json")
