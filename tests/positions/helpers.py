"""Builders for selection tests: officers, cadres with verified evidence, positions."""

from dataclasses import dataclass
from typing import Any

from tests.factories import Api

REF = "2025-06-30"
# Every rule a position can set; a cadre built by `good_cadre` passes them all on REF.
RULES: dict[str, Any] = {
    "min_post_level": {"post_level": "section_deputy", "years": 2},
    "max_age": {"max_age": 50},
    "min_education": {"level": "bachelor"},
    "tiers": ["district_managed"],
    "grassroots_years": 2,
    "domains": [{"domain": "urban_renewal", "min_verified": 1}],
    "appraisal": {"years": 3},
    "no_open_penalty": True,
}


@dataclass
class Office:
    """Two officers in the same scope (one files evidence, the other verifies it)."""

    api: Api
    officer: dict[str, str]
    checker: dict[str, str]


async def office(api: Api, unit: str = "d1") -> Office:
    """Two officers scoped to a district."""
    _, officer = await api.user("officer", [api.units[unit]])
    _, checker = await api.user("officer", [api.units[unit]])
    return Office(api, officer, checker)


def cadre_fields(**overrides: Any) -> dict[str, Any]:
    """Profile fields of a cadre who passes every rule of RULES on REF."""
    body: dict[str, Any] = {
        "birth_date": "1982-03-01", "post_level": "section_deputy", "post_level_since": "2021-01-01",
        "rank": "principal_clerk_2", "rank_since": "2021-01-01", "tier": "district_managed",
        "edu_fulltime_level": "bachelor",
        "career": [{"start_date": "2005-07-01", "end_date": "2012-12-31", "unit_name": "某街道",
                    "post": "科员", "is_grassroots": True},
                   {"start_date": "2013-01-01", "unit_name": "住建局", "post": "副局长"}],
        "appraisals": [{"year": 2022, "grade": "competent"}, {"year": 2023, "grade": "excellent"},
                       {"year": 2024, "grade": "competent"}],
    }
    body.update(overrides)
    return body


async def cadre(o: Office, unit: str = "d1_bureau", **overrides: Any) -> dict[str, Any]:
    """Create a cadre (passes every rule unless overridden)."""
    return await o.api.cadre(o.officer, o.api.units[unit], **cadre_fields(**overrides))


async def evidence(o: Office, cadre_id: int, verify: bool = True, **overrides: Any) -> dict[str, Any]:
    """File evidence for a cadre and have the other officer verify it."""
    body: dict[str, Any] = {
        "cadre_id": cadre_id, "domain": "urban_renewal", "title": "老旧小区改造攻坚",
        "period_start": "2024-01-01", "period_end": "2024-12-31",
        "metrics": [{"name": "改造老旧小区", "value": 12, "unit": "个"}]}
    body.update(overrides)
    r = await o.api.client.post("/api/evidence", headers=o.officer, json=body)
    assert r.status_code == 201, r.text
    ev: dict[str, Any] = r.json()
    if verify:
        r = await o.api.client.post(f"/api/evidence/{ev['id']}/verification", headers=o.checker,
                                    json={"verification": "verified", "version": ev["version"]})
        assert r.status_code == 200, r.text
        ev = r.json()
    return ev


async def position(o: Office, unit: str = "d1_bureau", **overrides: Any) -> dict[str, Any]:
    """Create a position with RULES."""
    body: dict[str, Any] = {"unit_id": o.api.units[unit], "title": "区住建局局长",
                            "post_level": "section_main", "tier": "district_managed",
                            "category": "urban_construction", "reference_date": REF, "rules": RULES}
    body.update(overrides)
    r = await o.api.client.post("/api/positions", headers=o.officer, json=body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out
