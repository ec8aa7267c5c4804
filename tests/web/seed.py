"""What the demo data set does not hold, made through the API: positions, promotions, scoreboards."""

from contextlib import closing
from typing import TYPE_CHECKING, Any

import httpx

from tests.assessments.helpers import INDICATORS, RULES

if TYPE_CHECKING:
    from tests.web.conftest import Site

PROMOTABLE = {None, "section_deputy", "section_main", "division_deputy"}
# Codes of their own: the demo story already scores the districts by quarter (2026Q3 …).
PERIODS = (("W2026Q2", "2026年第二季度", "2026-04-01", "2026-06-30"),
           ("W2026Q3", "2026年第三季度", "2026-07-01", "2026-09-30"))


def _ok(r: httpx.Response) -> Any:
    assert r.status_code < 300, f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:500]}"
    return r.json()


def _districts(api: httpx.Client) -> tuple[int, list[dict[str, Any]]]:
    city = _ok(api.get("/api/units"))[0]
    children = _ok(api.get("/api/units", params={"parent_id": city["id"]}))
    return city["id"], [u for u in children if u["kind"] == "district"]


def _periods(api: httpx.Client, city_id: int, districts: list[dict[str, Any]]) -> list[int]:
    ids = []
    for n, (code, name, start, end) in enumerate(PERIODS):
        period = _ok(api.post("/api/assessments/periods", json={
            "code": code, "name": name, "owner_unit_id": city_id, "starts_on": start, "ends_on": end,
            "unit_ids": [d["id"] for d in districts], "indicators": INDICATORS, "star_rules": RULES}))
        cells = [{"unit_id": d["id"], "indicator_code": ind["code"],
                  "score": 60 + (i * 7 + j * 11 + n * 13) % 40}
                 for i, d in enumerate(districts) for j, ind in enumerate(INDICATORS)]
        _ok(api.put(f"/api/assessments/periods/{period['id']}/scores", json={"scores": cells}))
        version = _ok(api.get(f"/api/assessments/periods/{period['id']}"))["version"]
        _ok(api.post(f"/api/assessments/periods/{period['id']}/publish", json={"version": version}))
        ids.append(period["id"])
    return ids


def _promotions(api: httpx.Client, cadres: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for cadre in cadres:
        out.append(_ok(api.post("/api/promotions", json={
            "cadre_id": cadre["id"], "kind": "post_promotion", "target_unit_id": cadre["unit_id"],
            "target_post": "局长", "target_post_level": "bureau_main"})))
    # One record further along, so the board has more than one column filled.
    last = out[-1]
    _ok(api.post(f"/api/promotions/{last['id']}/stages", json={"version": last["version"], "payload": {
        "stage": "motion", "date": "2026-10-08", "proposed_by": "市委组织部", "reason": "岗位空缺"}}))
    return out


def _researcher_cadre(api: httpx.Client) -> dict[str, Any]:
    """A cadre the team first offered on the researcher's filing form may write about."""
    me = _ok(api.get("/api/auth/me"))["id"]
    team = next(t for c in _ok(api.get("/api/campaigns")) if c["status"] == "open"
                for t in c["teams"] if me in t["member_ids"])
    if team["cadre_ids"]:
        return dict(_ok(api.get(f"/api/cadres/{team['cadre_ids'][0]}")))
    for unit_id in team["unit_ids"] + team.get("leadership_unit_ids", []):
        found = _ok(api.get("/api/cadres", params={"unit_id": unit_id, "status": "active", "limit": 1}))
        if found["items"]:
            return dict(found["items"][0])
    raise AssertionError("the researcher's first team has no cadre to write about")


def seed(site: "Site") -> dict[str, Any]:
    """A position with a shortlist, three promotion records, two published scoreboard periods."""
    with closing(site.login_api("officer")) as api:
        city_id, districts = _districts(api)
        # The demo story has promotion records running: one live record per cadre and kind.
        live = {p["cadre_id"] for p in _ok(api.get("/api/promotions", params={"limit": 200}))["items"]
                if p["status"] == "in_progress"}
        cadres = [c for c in _ok(api.get("/api/cadres", params={"limit": 200}))["items"]
                  if c["post_level"] in PROMOTABLE and c["status"] == "active" and c["id"] not in live]
        position = _ok(api.post("/api/positions", json={
            "unit_id": districts[0]["id"], "title": "住房和城乡建设局局长", "tier": "district_managed",
            "post_level": "division_main", "category": "urban_construction", "rules": {}}))
        promotions = _promotions(api, cadres[:3])
        periods = _periods(api, city_id, districts)
    with closing(site.login_api("researcher")) as api:
        assigned = _researcher_cadre(api)
    return {"position": position, "promotions": {"desktop": promotions[0], "phone": promotions[1]},
            "periods": periods, "researcher_cadre": assigned, "cadre": cadres[5]}
