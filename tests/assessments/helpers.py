"""Builders of scoreboard data through the real API."""

from typing import Any

from tests.factories import Api

INDICATORS = [{"code": "econ", "name": "经济运行", "weight": 40},
              {"code": "project", "name": "项目签约落地", "weight": 30},
              {"code": "renewal", "name": "城市更新", "weight": 30}]
RULES = [{"kind": "indicator_top_n", "indicator_code": "econ", "top_n": 1},
         {"kind": "indicator_top_n", "indicator_code": "project", "top_n": 2},
         {"kind": "total_top_n", "top_n": 2, "stars": 2},
         {"kind": "total_at_least", "threshold": 85.5}]


async def districts(api: Api, names: list[str]) -> list[dict[str, Any]]:
    """Create districts under the test city; returns id, code and name of each."""
    out = []
    for name in names:
        unit_id = await api.unit("district", name, api.units["city"])
        code = await api.pool.fetchval("SELECT code FROM units WHERE id = $1", unit_id)
        out.append({"id": unit_id, "code": code, "name": name})
    return out


async def period(api: Api, officer: dict[str, str], unit_ids: list[int], code: str = "2024Q3",
                 name: str = "2024年第三季度", starts_on: str = "2024-07-01", ends_on: str = "2024-09-30",
                 rules: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Create a draft period owned by the test city."""
    r = await api.client.post("/api/assessments/periods", headers=officer, json={
        "code": code, "name": name, "owner_unit_id": api.units["city"], "starts_on": starts_on,
        "ends_on": ends_on, "unit_ids": unit_ids, "indicators": INDICATORS,
        "star_rules": RULES if rules is None else rules})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def enter(api: Api, officer: dict[str, str], period_id: int,
                scores: dict[int, tuple[float, float, float]]) -> dict[str, Any]:
    """Enter new scores (econ, project, renewal) per unit."""
    cells = [{"unit_id": u, "indicator_code": code, "score": value}
             for u, values in scores.items() for code, value in zip(("econ", "project", "renewal"),
                                                                    values, strict=True)]
    r = await api.client.put(f"/api/assessments/periods/{period_id}/scores", headers=officer,
                             json={"scores": cells})
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


async def version(api: Api, officer: dict[str, str], period_id: int) -> int:
    """The period's current version."""
    r = await api.client.get(f"/api/assessments/periods/{period_id}", headers=officer)
    assert r.status_code == 200, r.text
    v: int = r.json()["version"]
    return v


async def publish(api: Api, officer: dict[str, str], period_id: int) -> dict[str, Any]:
    """Publish a period at its current version."""
    r = await api.client.post(f"/api/assessments/periods/{period_id}/publish", headers=officer,
                              json={"version": await version(api, officer, period_id)})
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out
