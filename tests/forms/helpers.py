"""A cadre with a full approval form, imported through the API from an LRMX file."""

from datetime import date

from tests.factories import Api, national_id
from tests.lrmx.samples import jpeg, lrmx

_seq = iter(range(2000, 1_000_000))


async def imported_cadre(api: Api, officer: dict[str, str], unit: str = "d1_bureau", **values: object) -> int:
    """Import one LRMX file for a new cadre of the given unit and return the cadre id."""
    body = lrmx(id_number=national_id(date(1980, 5, 17), next(_seq)), photo=jpeg((150, 160, 190)),
                **values).encode()  # type: ignore[arg-type]
    r = await api.client.post("/api/lrmx/imports", headers=officer,
                              params={"unit_id": api.units[unit], "tier": "district_managed"},
                              files={"file": ("张三.lrmx", body, "application/xml")})
    assert r.status_code == 201, r.text
    assert r.json()["files"][0]["status"] == "create", r.json()
    r = await api.client.post(r.json()["apply_url"], headers=officer)
    assert r.status_code == 200, r.text
    cadre_id: int = r.json()["files"][0]["cadre_id"]
    return cadre_id
