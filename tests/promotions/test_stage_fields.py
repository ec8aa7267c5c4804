"""A refused stage names the field that is wrong: each count under its own field, each candidate of
a democratic recommendation under its row (payload.votes.<i>), so the page can mark that input."""

from typing import Any

from tests.factories import Api
from tests.positions.helpers import cadre, office
from tests.promotions.helpers import DECISION, INSPECTION, MOTION, NOTICE, advance, recommendation, stage


async def _running(api: Api) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    o = await office(api)
    who = await cadre(o)
    r = await api.client.post("/api/promotions", headers=o.officer, json={
        "cadre_id": who["id"], "kind": "post_promotion", "target_unit_id": api.units["d1_bureau"],
        "target_post": "局长", "target_post_level": "section_main"})
    assert r.status_code == 201, r.text
    return o, who, await advance(api.client, o.officer, r.json(), MOTION)


def _fields(r: Any) -> list[tuple[str, str]]:
    assert r.status_code == 422, r.text
    return [(e["field"], e["message"]) for e in r.json()["errors"]]


async def test_each_candidate_row_is_named_in_the_refusal(api: Api) -> None:
    o, who, rec = await _running(api)
    peer = await cadre(o)
    body = recommendation(who["id"])
    too_many = await stage(api.client, o.officer, rec, {**body, "votes": [
        {"cadre_id": peer["id"], "votes": 12}, {"cadre_id": who["id"], "votes": 40}]})
    assert _fields(too_many) == [("payload.votes.1.votes", "不能多于收回票数（39）")]
    assert too_many.json()["detail"] == "候选人得票不能多于收回票数"
    twice = await stage(api.client, o.officer, rec, {**body, "votes": [
        {"cadre_id": who["id"], "votes": 20}, {"cadre_id": peer["id"], "votes": 3},
        {"cadre_id": who["id"], "votes": 2}]})
    assert _fields(twice) == [("payload.votes.2.cadre_id", "该候选人已在前面列出")]
    without = await stage(api.client, o.officer, rec,
                          {**body, "votes": [{"cadre_id": peer["id"], "votes": 3}]})
    assert _fields(without) == [("payload.votes", "缺少本人得票")]
    # Another readable cadre of the officer's scope is a valid candidate.
    done = await advance(api.client, o.officer, rec, {**body, "votes": [
        {"cadre_id": who["id"], "votes": 31}, {"cadre_id": peer["id"], "votes": 5}]})
    assert done["stages"][-1]["payload"]["votes"] == [{"cadre_id": who["id"], "votes": 31},
                                                      {"cadre_id": peer["id"], "votes": 5}]


async def test_counts_that_do_not_add_up_are_refused_under_their_own_field(api: Api) -> None:
    o, who, rec = await _running(api)
    body = recommendation(who["id"])
    issued = await stage(api.client, o.officer, rec, {**body, "ballots_issued": 41})
    assert ("payload.recommendation.ballots_issued", "发出票数不能多于参加推荐人数") in _fields(issued)
    returned = await stage(api.client, o.officer, rec, {**body, "ballots_returned": 41})
    assert ("payload.recommendation.ballots_returned", "收回票数不能多于发出票数") in _fields(returned)
    rec = await advance(api.client, o.officer, rec, body, INSPECTION)
    present = await stage(api.client, o.officer, rec, {**DECISION, "present": 10})
    assert ("payload.decision.present", "到会人数不能多于应到会成员数") in _fields(present)
    rec = await advance(api.client, o.officer, rec, DECISION)
    backwards = await stage(api.client, o.officer, rec, {**NOTICE, "end": "2024-09-26"})
    assert _fields(backwards) == [("payload.notice.end", "公示结束日期不能早于开始日期")]


async def test_one_refusal_lists_the_count_errors_and_every_candidate_row_error(api: Api) -> None:
    # Before, a body the schema refused (a count, a row without a candidate) was answered with the
    # schema's errors only, and the rows' errors (the service's rules) came after resubmitting.
    o, who, rec = await _running(api)
    peer = await cadre(o)
    body = {**recommendation(who["id"]), "ballots_returned": 38, "ballots_issued": 41, "votes": [
        {"cadre_id": who["id"], "votes": 39}, {"cadre_id": None, "votes": 3},
        {"cadre_id": peer["id"], "votes": 2}, {"cadre_id": who["id"], "votes": 1},
        {"cadre_id": 2**62, "votes": -1}]}
    r = await stage(api.client, o.officer, rec, body)
    assert r.headers["content-type"].startswith("application/problem+json")
    assert sorted(_fields(r)) == sorted([
        ("payload.recommendation.ballots_issued", "发出票数不能多于参加推荐人数"),
        ("payload.recommendation.votes.1.cadre_id", "必填项缺失"),
        ("payload.recommendation.votes.4.votes", "不能小于 0"),
        ("payload.votes.0.votes", "不能多于收回票数（38）"),
        ("payload.votes.3.cadre_id", "该候选人已在前面列出"),
        ("payload.votes.4.cadre_id", "候选人不存在或不在您的查看范围内")])
    # Nothing was written: the record is where it was, at the same version.
    again = await api.client.get(f"/api/promotions/{rec['id']}", headers=o.officer)
    assert (again.json()["version"], again.json()["stage"]) == (rec["version"], "motion")
    # A record the caller may not read adds nothing to the schema's answer (no probing by votes).
    other = await office(api, "d2")
    hidden = await stage(api.client, other.officer, rec, body)
    assert hidden.status_code == 422
    assert all(f.startswith("payload.recommendation.") for f, _ in _fields(hidden))
