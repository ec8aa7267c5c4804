"""Probe: the page that edits or amends a field record opens for its author only.

It rendered for anyone who may read the record — an officer of its scope, another filer — with
the record's details embedded for the form's script, although saving was refused; now it is
refused as the save would be (409, the same words), and the author still gets the form.
"""

from tests.factories import Api, campaign_with_team, record_body


async def test_the_edit_page_of_a_record_opens_for_its_author_only(api: Api) -> None:
    _, city = await api.user("officer", [api.units["city"]])
    _, district = await api.user("officer", [api.units["d1"]])
    author_id, author = await api.user("researcher")
    person = await api.cadre(city, api.units["d1_bureau"], name="编辑页甲")
    campaign = await campaign_with_team(api, city, [author_id], [api.units["city"]])
    r = await api.client.post("/api/records", headers=author, json=record_body(
        campaign, [person["id"]], title=f"编辑页巡查{api.tag}"))
    assert r.status_code == 201, r.text
    record_id = r.json()["id"]
    html = {"Accept": "text/html"}
    mine = await api.client.get(f"/records/{record_id}/edit", headers={**author, **html})
    assert mine.status_code == 200 and f"编辑页巡查{api.tag}" in mine.text
    for who, headers in (("city officer", city), ("district officer", district)):
        assert (await api.client.get(f"/api/records/{record_id}", headers=headers)).status_code == 200, who
        page = await api.client.get(f"/records/{record_id}/edit", headers={**headers, **html})
        assert page.status_code == 409, (who, page.status_code)
        assert "只有填报人可以修改或补正调研记录" in page.text, who
        assert "<form" not in page.text or f"编辑页巡查{api.tag}" not in page.text, who
