"""Objects and example bodies of issue 16 (LRMX, rosters, approval forms) for the authorization matrix.

`add_objects(world)` stages one LRMX import and one roster import for the district-1 officer and
their mirrors for a district-2 officer (an import is its uploader's only: anyone else's is out of
scope). PARAM_KINDS and BODIES are merged into the matrix's tables of the same names.
"""

from typing import Any

PARAM_KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "import_id": ("lrmx_import", frozenset({"officer"})),
    "roster_import_id": ("roster_import", frozenset({"officer"})),
    "source_id": ("cadre_source", frozenset({"officer"})),
}
BODIES: dict[str, Any] = {
    # Applying takes no body (the import was checked when it was previewed).
    "POST /api/lrmx/imports/{import_id}/apply": lambda w: {},
    "POST /api/rosters/imports/{roster_import_id}/apply": lambda w: {},
}


async def add_objects(world: Any) -> None:
    """One previewed LRMX import per district, each by that district's officer."""
    api = world.api
    u = api.units
    ids, rosters = [], []
    for district, bureau in (("d1", "d1_bureau"), ("d2", "d2_bureau")):
        _, officer = await api.user("officer", [u[district]])
        cadre = await api.cadre(officer, u[bureau])
        exported = await api.client.get(f"/api/cadres/{cadre['id']}/form.lrmx", headers=officer)
        assert exported.status_code == 200, exported.text
        r = await api.client.post("/api/lrmx/imports", headers=world.headers["officer"]
                                  if district == "d1" else officer,
                                  files={"file": ("form.lrmx", exported.content, "application/xml")})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
        sheet = await api.client.post("/api/rosters/export", headers=officer,
                                      json={"cadre_ids": [cadre["id"]], "columns": ["name", "national_id"]})
        r = await api.client.post("/api/rosters/imports", headers=world.headers["officer"]
                                  if district == "d1" else officer,
                                  files={"file": ("roster.xlsx", sheet.content, "application/octet-stream")})
        assert r.status_code == 201, r.text
        rosters.append(r.json()["id"])
    world.objects["lrmx_import"] = (ids[0], ids[1])
    world.objects["cadre_source"] = (await _source(world, 0), await _source(world, 1))
    world.objects["roster_import"] = (rosters[0], rosters[1])


async def _source(world: Any, district: int) -> int:
    """A source file of the world's cadre of a district: its own LRMX, imported back unchanged."""
    api = world.api
    cadre_id = world.objects["cadre"][district]
    _, officer = await api.user("officer", [api.units["d1" if district == 0 else "d2"]])
    exported = await api.client.get(f"/api/cadres/{cadre_id}/form.lrmx", headers=officer)
    r = await api.client.post("/api/lrmx/imports", headers=officer,
                              files={"file": ("form.lrmx", exported.content, "application/xml")})
    assert r.status_code == 201 and r.json()["files"][0]["status"] == "unchanged", r.text
    applied = await api.client.post(r.json()["apply_url"], headers=officer)
    assert applied.status_code == 200, applied.text
    listed = await api.client.get(f"/api/cadres/{cadre_id}/sources", headers=officer)
    source_id: int = listed.json()[0]["id"]
    return source_id
