"""Probe: ID numbers typed into an attachment's file name do not reach non-officers through the
download's Content-Disposition header (the JSON answers are masked by service/id_masking.py, but
headers are not bodies)."""

from urllib.parse import unquote

from schemas.national_id import contains_national_id
from tests.factories import Api, campaign_with_team, record_body
from tests.security.test_id_numbers_in_free_text import FULL_WIDTH, HYPHENED, PLAIN, SPACED
from tests.security.world import png


async def test_a_downloaded_file_name_holds_no_whole_id_number_for_other_roles(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    researcher_id, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [researcher_id], [api.units["d1"]])
    for typed in (PLAIN, FULL_WIDTH, SPACED, HYPHENED):
        up = await api.client.post("/api/attachments", headers=researcher,
                                   files={"file": (f"身份证{typed}复印件.png", png(), "image/png")})
        assert up.status_code == 201, up.text
        attachment = up.json()["id"]
        rec = await api.client.post("/api/records", headers=researcher, json=record_body(
            campaign, [cadre["id"]], attachment_ids=[attachment]))
        assert rec.status_code == 201, rec.text
        for who, headers in (("leader", leader), ("researcher", researcher)):
            meta = await api.client.get(f"/api/attachments/{attachment}", headers=headers)
            assert meta.status_code == 200 and not contains_national_id(meta.text), (who, typed)
            r = await api.client.get(f"/api/attachments/{attachment}/content", headers=headers)
            assert r.status_code == 200, (who, r.text)
            disposition = unquote(r.headers["content-disposition"])
            assert "身份证" in disposition, (who, disposition)
            assert not contains_national_id(disposition), (who, typed, disposition)
        r = await api.client.get(f"/api/attachments/{attachment}/content", headers=officer)
        assert r.status_code == 200
        assert contains_national_id(unquote(r.headers["content-disposition"])), typed


async def test_an_export_file_name_holds_no_whole_id_number_for_a_leader(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    await api.cadre(officer, api.units["d1_bureau"])
    r = await api.client.post("/api/positions", headers=officer, json={
        "unit_id": api.units["d1_bureau"], "title": f"局长（原任{SPACED}）", "post_level": "section_main",
        "tier": "district_managed", "category": "urban_construction", "reference_date": "2025-06-30"})
    assert r.status_code == 201, r.text
    url = f"/api/positions/{r.json()['id']}/shortlist/versions"
    assert (await api.client.post(url, headers=officer, json={"top_n": 5})).status_code == 201
    for who, headers, whole in (("leader", leader, False), ("officer", officer, True)):
        pdf = await api.client.get(f"{url}/1/shortlist.pdf", headers=headers)
        assert pdf.status_code == 200, (who, pdf.text)
        disposition = unquote(pdf.headers["content-disposition"])
        assert contains_national_id(disposition) is whole, (who, disposition)


async def test_validation_errors_echo_no_whole_id_number_to_a_researcher(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    researcher_id, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [researcher_id], [api.units["d1"]])
    for typed in (PLAIN, FULL_WIDTH, SPACED, HYPHENED):
        body = record_body(campaign, [cadre["id"]])
        for bad in ({typed: "多余字段"}, {"kind": typed}, {"occurred_on": typed},
                    {"details": {**body["details"], typed: 1}}):
            r = await api.client.post("/api/records", headers=researcher, json={**body, **bad})
            assert r.status_code == 422, (bad, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            assert not contains_national_id(r.text), (typed, r.text)
