"""Probe: the candidates of a democratic recommendation are held to the recording officer's scope.

A district-1 officer must not store a vote for a district-2 cadre (or for an id that names no
cadre) on a district-1 record — neither learn from the answer which ids exist there, nor make the
record show them later. A city officer may name cadres of both districts; a district-1 reader of
that record then sees the district-2 candidate only as "（范围外干部）", in the API, the page and
the PDF.
"""

from typing import Any

from tests.dossier.helpers import pdf_text
from tests.factories import Api
from tests.promotions.helpers import MOTION, advance, recommendation, stage

MISSING = 9_000_000_000_000


async def _world(api: Api) -> dict[str, Any]:
    _, city = await api.user("officer", [api.units["city"]])
    _, officer1 = await api.user("officer", [api.units["d1"]])
    _, leader1 = await api.user("leader", [api.units["d1"]])
    mine = await api.cadre(city, api.units["d1_bureau"], name="鼓楼甲", post_level="section_deputy")
    theirs = await api.cadre(city, api.units["d2_bureau"], name="临江乙")
    return {"city": city, "officer1": officer1, "leader1": leader1, "mine": mine, "theirs": theirs}


async def _record(api: Api, officer: dict[str, str], cadre_id: int) -> dict[str, Any]:
    r = await api.client.post("/api/promotions", headers=officer, json={
        "cadre_id": cadre_id, "kind": "post_promotion", "target_unit_id": api.units["d1_bureau"],
        "target_post": "局长", "target_post_level": "section_main"})
    assert r.status_code == 201, r.text
    return await advance(api.client, officer, r.json(), MOTION)


def _with(cadre_id: int, other: int) -> dict[str, Any]:
    body = recommendation(cadre_id)
    return {**body, "votes": [*body["votes"], {"cadre_id": other, "votes": 7}]}


async def test_a_vote_for_a_cadre_outside_scope_is_refused_like_one_for_no_cadre(api: Api) -> None:
    w = await _world(api)
    rec = await _record(api, w["officer1"], w["mine"]["id"])
    outside = await stage(api.client, w["officer1"], rec, _with(w["mine"]["id"], w["theirs"]["id"]))
    missing = await stage(api.client, w["officer1"], rec, _with(w["mine"]["id"], MISSING))
    assert outside.status_code == missing.status_code == 422, outside.text
    assert outside.headers["content-type"].startswith("application/problem+json")
    assert outside.json()["detail"] == missing.json()["detail"]
    assert outside.json()["errors"] == missing.json()["errors"] == [
        {"field": "payload.votes.1.cadre_id", "message": "候选人不存在或不在您的查看范围内"}]
    assert "临江乙" not in outside.text
    # Nothing was written: the record is where it was, with no recommendation and no new revision.
    after = (await api.client.get(f"/api/promotions/{rec['id']}", headers=w["officer1"])).json()
    assert (after["stage"], after["version"], len(after["stages"])) == ("motion", rec["version"], 1)
    revisions = await api.client.get(f"/api/promotions/{rec['id']}/revisions", headers=w["officer1"])
    assert [r["action"] for r in revisions.json()] == ["create", "stage"]
    # A correction of a recorded stage is held to the same rule.
    rec = await advance(api.client, w["officer1"], rec, recommendation(w["mine"]["id"]))
    amend = await api.client.post(
        f"/api/promotions/{rec['id']}/stages/recommendation/amend", headers=w["officer1"],
        json={"version": rec["version"], "reason": "补录候选人",
              "payload": _with(w["mine"]["id"], w["theirs"]["id"])})
    assert amend.status_code == 422, amend.text
    assert amend.json()["errors"][0]["field"] == "payload.votes.1.cadre_id"


async def test_a_reader_sees_a_candidate_outside_their_scope_without_a_name(api: Api) -> None:
    w = await _world(api)
    # The city officer may read both cadres and names both in one recommendation.
    rec = await _record(api, w["city"], w["mine"]["id"])
    rec = await advance(api.client, w["city"], rec, _with(w["mine"]["id"], w["theirs"]["id"]))
    for reader in ("officer1", "leader1"):
        headers = w[reader]
        api_read = await api.client.get(f"/api/promotions/{rec['id']}", headers=headers)
        assert api_read.status_code == 200 and "临江乙" not in api_read.text, reader
        page = await api.client.get(f"/promotions/{rec['id']}", headers={**headers, "Accept": "text/html"})
        assert page.status_code == 200, (reader, page.text[:300])
        assert "鼓楼甲 31 票；（范围外干部） 7 票" in page.text, reader
        assert "临江乙" not in page.text, reader
        pdf = await api.client.get(f"/api/promotions/{rec['id']}/record.pdf", headers=headers)
        assert pdf.status_code == 200, pdf.text
        text = pdf_text(pdf.content)
        assert "鼓楼甲" in text and "临江乙" not in text, reader
    # The officer who recorded it reads both names.
    page = await api.client.get(f"/promotions/{rec['id']}", headers={**w["city"], "Accept": "text/html"})
    assert "鼓楼甲 31 票；临江乙 7 票" in page.text
