"""One display rule for "unit + post": no doubled unit name on the API, the dossier page and the PDF."""

from pathlib import Path

import httpx

from schemas.posts import unit_post
from tests.dossier.helpers import all_text
from tests.factories import Api

DOUBLED = "宦溪街道宦溪街道"


def test_the_unit_is_prefixed_only_when_the_post_does_not_already_name_it() -> None:
    assert unit_post("宦溪街道", "宦溪街道党工委书记") == "宦溪街道党工委书记"
    assert unit_post("鼓楼区住建局", "局长") == "鼓楼区住建局局长"
    assert unit_post("晋安区", "中共晋安区委书记") == "中共晋安区委书记"
    assert unit_post("宦溪街道", "") == "宦溪街道"
    assert unit_post(None, "局长") == "局长"


async def test_a_post_that_names_its_unit_is_shown_once_by_the_api_the_page_and_the_pdf(
        client: httpx.AsyncClient, api: Api, tmp_path: Path) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    street = await api.unit("street", "宦溪街道", api.units["d1"])
    cadre = await api.cadre(officer, street, post="宦溪街道党工委书记", career=[
        {"start_date": "2003-07-01", "end_date": "2015-12-31", "unit_name": "宦溪街道",
         "post": "宦溪街道党政办主任", "is_grassroots": True},
        {"start_date": "2016-01-01", "unit_name": "宦溪街道", "post": "宦溪街道党工委书记"}])
    got = (await client.get(f"/api/cadres/{cadre['id']}", headers=officer)).json()
    assert got["unit_post"] == "宦溪街道党工委书记"
    listed = (await client.get("/api/cadres", params={"unit_id": street}, headers=officer)).json()
    assert [c["unit_post"] for c in listed["items"]] == ["宦溪街道党工委书记"]
    page = await client.get(f"/cadres/{cadre['id']}", headers=officer)
    assert page.status_code == 200
    assert "宦溪街道党工委书记" in page.text and DOUBLED not in page.text
    pdf = await client.get(f"/api/cadres/{cadre['id']}/dossier.pdf", headers=officer)
    assert pdf.status_code == 200, pdf.text
    path = tmp_path / "dossier.pdf"
    path.write_bytes(pdf.content)
    text = all_text(path)
    assert "宦溪街道党工委书记" in text and "宦溪街道党政办主任" in text
    assert DOUBLED not in text
