"""A district bureau's leadership team over time, built through the real API."""

from typing import Any

from tests.factories import Api


async def bureau_team(api: Api) -> dict[str, Any]:
    """A former head (2019–2023, explicit role, now deputy district head), the current head (derived
    from is_unit_head), a deputy (derived member) and an office director (no post level: not a member)."""
    oid, officer = await api.user("officer", [api.units["d1"]])
    bureau, district = api.units["d1_bureau"], api.units["d1"]
    former = await api.cadre(officer, district, name="原局长甲", post="副区长", post_level="division_deputy",
                             career=[
        {"start_date": "2019-01-01", "end_date": "2023-12-31", "unit_id": bureau, "unit_name": "住建局",
         "post": "党组书记、局长", "post_level": "section_main", "team_role": "head"},
        {"start_date": "2024-01-01", "unit_id": district, "unit_name": "鼓楼区", "post": "副区长",
         "post_level": "division_deputy"}])
    head = await api.cadre(officer, bureau, name="现局长乙", post="党组书记、局长", is_unit_head=True,
                           career=[
        {"start_date": "2010-07-01", "end_date": "2023-12-31", "unit_name": "某街道", "post": "副主任"},
        {"start_date": "2024-01-01", "unit_id": bureau, "unit_name": "住建局", "post": "党组书记、局长",
         "post_level": "section_main"}])
    deputy = await api.cadre(officer, bureau, name="副局长丙", post="副局长", post_level="section_deputy",
                             career=[
        {"start_date": "2020-03-01", "unit_id": bureau, "unit_name": "住建局", "post": "副局长",
         "post_level": "section_deputy"}])
    clerk = await api.cadre(officer, bureau, name="主任丁", post="办公室主任", post_level=None, career=[
        {"start_date": "2018-01-01", "unit_id": bureau, "unit_name": "住建局", "post": "办公室主任"}])
    return {"officer_id": oid, "officer": officer, "bureau": bureau, "former": former, "head": head,
            "deputy": deputy, "clerk": clerk}


async def team(api: Api, headers: dict[str, str], unit_id: int, **params: Any) -> dict[str, Any]:
    """GET a team and return its body."""
    r = await api.client.get(f"/api/leadership/teams/{unit_id}", headers=headers, params=params)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out
