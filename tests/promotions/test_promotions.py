"""Promotion records: stage order, dates, required fields, majority and quorum, notice length,
appointment changing the cadre, probation, amendments, cancellation, scope and statistics."""

from typing import Any

from tests.factories import Api
from tests.positions.helpers import Office, cadre, evidence, office
from tests.promotions.helpers import (
    APPOINTMENT,
    DECISION,
    INSPECTION,
    MOTION,
    NOTICE,
    advance,
    recommendation,
    stage,
)


async def _record(o: Office, who: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"cadre_id": who["id"], "kind": "post_promotion",
                            "target_unit_id": o.api.units["d1_bureau"], "target_post": "局长",
                            "target_post_level": "section_main"}
    body.update(overrides)
    r = await o.api.client.post("/api/promotions", headers=o.officer, json=body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def test_full_post_promotion_changes_the_cadre_and_starts_probation(api: Api) -> None:
    o = await office(api)
    who = await cadre(o)
    rec = await _record(o, who)
    assert rec["stage"] == "none" and rec["next_stage"] == "motion"
    rec = await advance(api.client, o.officer, rec, MOTION, recommendation(who["id"]), INSPECTION,
                        DECISION, NOTICE)
    assert rec["stages"][-1]["payload"]["working_days"] == 5
    rec = await advance(api.client, o.officer, rec, APPOINTMENT)
    assert rec["status"] == "on_probation" and rec["appointed_on"] == "2024-10-15"
    assert rec["probation_end"] == "2025-10-15" and rec["post_level_after"] == "section_main"
    now = (await api.client.get(f"/api/cadres/{who['id']}", headers=o.officer)).json()
    assert (now["post"], now["post_level"], now["post_level_since"]) == ("局长", "section_main", "2024-10-15")
    assert now["version"] == who["version"] + 1
    assert now["career"][-1]["post"] == "局长" and now["career"][-1]["end_date"] is None
    assert now["career"][-2]["end_date"] == "2024-10-14"
    revs = (await api.client.get(f"/api/cadres/{who['id']}/revisions", headers=o.officer)).json()
    assert revs[-1]["action"] == "appointment" and revs[-1]["changes"]["document_no"] == "鼓组〔2024〕88号"
    assert await api.pool.fetchval("SELECT count(*) FROM outbox WHERE entity_type = 'cadre' "
                                   "AND entity_id = $1", who["id"]) >= 2
    early = await api.client.post(f"/api/promotions/{rec['id']}/probation", headers=o.officer, json={
        "version": rec["version"], "outcome": "confirmed", "date": "2025-06-01", "reason": "考核合格"})
    assert early.status_code == 409 and "试用期未满" in early.json()["detail"]
    done = await api.client.post(f"/api/promotions/{rec['id']}/probation", headers=o.officer, json={
        "version": rec["version"], "outcome": "confirmed", "date": "2025-10-16", "reason": "考核合格"})
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    late = await stage(api.client, o.officer, done.json(), APPOINTMENT)
    assert late.status_code == 409


async def test_stages_cannot_be_skipped_repeated_or_backdated(api: Api) -> None:
    o = await office(api)
    who = await cadre(o)
    rec = await _record(o, who)
    skip = await stage(api.client, o.officer, rec, INSPECTION)
    assert skip.status_code == 409 and "不能跳过「动议」" in skip.json()["detail"]
    rec = await advance(api.client, o.officer, rec, MOTION)
    again = await stage(api.client, o.officer, rec, MOTION)
    assert again.status_code == 409 and "已记录" in again.json()["detail"]
    back = await stage(api.client, o.officer, rec, {**recommendation(who["id"]), "date": "2024-08-01"})
    assert back.status_code == 409 and "不能早于「动议」" in back.json()["detail"]
    stale = await api.client.post(f"/api/promotions/{rec['id']}/stages", headers=o.officer,
                                  json={"version": rec["version"] - 1, "payload": recommendation(who["id"])})
    assert stale.status_code == 409
    missing = await stage(api.client, o.officer, rec, {"stage": "recommendation", "date": "2024-09-01",
                                                       "participants": 10})
    assert missing.status_code == 422
    fields = {e["field"] for e in missing.json()["errors"]}
    assert {"payload.recommendation.ballots_issued", "payload.recommendation.votes"} <= fields
    nobody = await stage(api.client, o.officer, rec, {**recommendation(who["id"]),
                                                      "votes": [{"cadre_id": 999999999, "votes": 3}]})
    assert nobody.status_code == 422
    rec = await advance(api.client, o.officer, rec, recommendation(who["id"]), INSPECTION, DECISION)
    early = await stage(api.client, o.officer, rec, APPOINTMENT)
    assert early.status_code == 409 and "「任前公示」" in early.json()["detail"]


async def test_decision_needs_two_thirds_present_and_more_than_half_of_all_members(api: Api) -> None:
    o = await office(api)
    who = await cadre(o)
    rec = await advance(api.client, o.officer, await _record(o, who), MOTION, recommendation(who["id"]),
                        INSPECTION)
    quorum = await stage(api.client, o.officer, rec, {**DECISION, "present": 5, "in_favour": 5, "against": 0})
    assert quorum.status_code == 409 and "三分之二" in quorum.json()["detail"]
    # 6 of 9 is exactly two thirds: a valid meeting; 4 in favour is not more than half of 9.
    short = await stage(api.client, o.officer, rec, {**DECISION, "present": 6, "in_favour": 4, "against": 2})
    assert short.status_code == 409 and "同意票未超过应到会成员半数" in short.json()["detail"]
    assert "至少需5票" in short.json()["detail"]
    bad = await stage(api.client, o.officer, rec, {**DECISION, "present": 6, "in_favour": 5, "against": 2})
    assert bad.status_code == 422
    ok = await stage(api.client, o.officer, rec, {**DECISION, "present": 6, "in_favour": 5, "against": 1})
    assert ok.status_code == 200, ok.text


async def test_notice_needs_five_working_days_across_the_holiday(api: Api) -> None:
    o = await office(api)
    who = await cadre(o)
    rec = await advance(api.client, o.officer, await _record(o, who), MOTION, recommendation(who["id"]),
                        INSPECTION, DECISION)
    short = await stage(api.client, o.officer, rec, {**NOTICE, "end": "2024-10-02"})
    assert short.status_code == 409 and short.json()["detail"] == "公示期不足5个工作日（实际3个）"
    eight = await stage(api.client, o.officer, rec, {**NOTICE, "end": "2024-10-08"})
    assert eight.json()["detail"] == "公示期不足5个工作日（实际4个）"
    rec = await advance(api.client, o.officer, rec, NOTICE)
    inside = await stage(api.client, o.officer, rec, {**APPOINTMENT, "date": "2024-10-09"})
    assert inside.status_code == 409 and "公示期满" in inside.json()["detail"]


async def test_amend_and_cancel_keep_the_full_history(api: Api) -> None:
    o = await office(api)
    who = await cadre(o)
    rec = await advance(api.client, o.officer, await _record(o, who), MOTION, recommendation(who["id"]))
    amend_url = f"/api/promotions/{rec['id']}/stages/recommendation/amend"
    fixed = {**recommendation(who["id"]), "votes": [{"cadre_id": who["id"], "votes": 33}]}
    r = await api.client.post(amend_url, headers=o.officer,
                              json={"version": rec["version"], "reason": "计票更正", "payload": fixed})
    assert r.status_code == 200, r.text
    rec = r.json()
    assert rec["stages"][1]["revision"] == 2 and rec["stages"][1]["payload"]["votes"][0]["votes"] == 33
    backdated = await api.client.post(amend_url, headers=o.officer, json={
        "version": rec["version"], "reason": "x", "payload": {**fixed, "date": "2024-08-01"}})
    assert backdated.status_code == 409
    cancel = await api.client.post(f"/api/promotions/{rec['id']}/cancel", headers=o.officer,
                                   json={"version": rec["version"], "reason": "岗位调整，暂缓选任"})
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    assert cancel.json()["next_stage"] is None and len(cancel.json()["stages"]) == 2
    closed = await stage(api.client, o.officer, cancel.json(), INSPECTION)
    assert closed.status_code == 409
    revs = (await api.client.get(f"/api/promotions/{rec['id']}/revisions", headers=o.officer)).json()
    assert [r["action"] for r in revs] == ["create", "stage", "stage", "amend", "cancel"]
    assert revs[3]["changes"]["reason"] == "计票更正"
    assert revs[3]["changes"]["before"]["votes"][0]["votes"] == 31
    assert revs[4]["changes"]["reason"] == "岗位调整，暂缓选任"


async def test_rank_promotion_and_lateral_transfer(api: Api) -> None:
    o = await office(api)
    who = await cadre(o)
    rank = await _record(o, who, kind="rank_promotion", target_post="副局长", target_post_level=None,
                         target_rank="principal_clerk_1")
    rank = await advance(api.client, o.officer, rank, MOTION, recommendation(who["id"]), INSPECTION,
                         DECISION, NOTICE, APPOINTMENT)
    assert rank["status"] == "appointed" and rank["probation_end"] is None
    now = (await api.client.get(f"/api/cadres/{who['id']}", headers=o.officer)).json()
    assert (now["rank"], now["rank_since"], now["post_level"]) == ("principal_clerk_1", "2024-10-15",
                                                                    "section_deputy")
    lateral = await _record(o, who, kind="lateral_transfer", target_unit_id=api.units["d1"],
                            target_post="区政府办副主任", target_post_level="section_deputy")
    no_vote = await stage(api.client, o.officer, await advance(api.client, o.officer, lateral, {
        **MOTION, "date": "2025-01-06"}), recommendation(who["id"]))
    assert no_vote.status_code == 409 and "不经过「民主推荐」" in no_vote.json()["detail"]
    up = await api.client.post("/api/promotions", headers=o.officer, json={
        "cadre_id": who["id"], "kind": "post_promotion", "target_unit_id": api.units["d1_bureau"],
        "target_post": "科员", "target_post_level": "section_deputy"})
    assert up.status_code == 422 and up.json()["errors"][0]["field"] == "target_post_level"


async def test_scope_and_roles(api: Api) -> None:
    o = await office(api)
    who = await cadre(o)
    rec = await _record(o, who)
    _, other = await api.user("officer", [api.units["d2"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    _, researcher = await api.user("researcher")
    assert (await api.client.get(f"/api/promotions/{rec['id']}", headers=other)).status_code == 404
    assert (await api.client.get(f"/api/promotions/{rec['id']}", headers=leader)).status_code == 200
    assert (await api.client.get(f"/api/promotions/{rec['id']}", headers=researcher)).status_code == 403
    assert (await stage(api.client, leader, rec, MOTION)).status_code == 403
    assert (await stage(api.client, other, rec, MOTION)).status_code == 404
    outside = await api.client.post("/api/promotions", headers=o.officer, json={
        "cadre_id": who["id"], "kind": "lateral_transfer", "target_unit_id": api.units["d2_bureau"],
        "target_post": "副局长"})
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "target_unit_id"
    twice = await api.client.post("/api/promotions", headers=o.officer, json={
        "cadre_id": who["id"], "kind": "post_promotion", "target_unit_id": api.units["d1_bureau"],
        "target_post": "局长", "target_post_level": "section_main"})
    assert twice.status_code == 409


async def test_statistics_by_kind_unit_period_tier_and_evidence_domain(api: Api) -> None:
    o = await office(api)
    urban, other = await cadre(o), await cadre(o)
    await evidence(o, urban["id"], period_start="2023-01-01", period_end="2023-12-31")
    await evidence(o, urban["id"], domain="party_building", title="after the appointment")
    cited = await evidence(o, other["id"], domain="livelihood", title="民生实事", verify=False)
    for who, inspection in ((urban, INSPECTION), (other, {**INSPECTION, "evidence_ids": [cited["id"]]})):
        await advance(api.client, o.officer, await _record(o, who), MOTION, recommendation(who["id"]),
                      inspection, DECISION, NOTICE, APPOINTMENT)
    rank = await _record(o, urban, kind="rank_promotion", target_post="局长", target_post_level=None,
                         target_rank="principal_clerk_1")
    await advance(api.client, o.officer, rank, MOTION)  # not appointed: not counted

    async def rows(**params: Any) -> dict[str, int]:
        r = await api.client.get("/api/promotions/stats", headers=o.officer,
                                 params={"unit_id": api.units["d1"], **params})
        assert r.status_code == 200, r.text
        return {row["key"]: row["count"] for row in r.json()["rows"]}

    assert await rows(group_by="kind") == {"post_promotion": 2}
    assert await rows(group_by="period", period="quarter") == {"2024-Q4": 2}
    assert await rows(group_by="tier") == {"district_managed": 2}
    assert await rows(group_by="unit") == {str(api.units["d1_bureau"]): 2}
    assert await rows(group_by="domain") == {"urban_renewal": 1, "livelihood": 1}
    section = await rows(group_by="domain", post_level=["section_main", "section_deputy"],
                         date_from="2024-01-01", date_to="2024-12-31")
    assert section["urban_renewal"] == 1
    assert await rows(group_by="kind", post_level=["division_main"]) == {}
    _, other_officer = await api.user("officer", [api.units["d2"]])
    r = await api.client.get("/api/promotions/stats", headers=other_officer, params={"group_by": "kind"})
    assert r.json()["total"] == 0


async def test_a_head_appointed_to_another_unit_no_longer_heads_the_old_one(api: Api) -> None:
    o = await office(api, unit="city")
    head = await cadre(o, unit="d2_bureau", is_unit_head=True)
    rec = await _record(o, head)
    rec = await advance(api.client, o.officer, rec, MOTION, recommendation(head["id"]), INSPECTION,
                        DECISION, NOTICE, APPOINTMENT)
    now = (await api.client.get(f"/api/cadres/{head['id']}", headers=o.officer)).json()
    assert now["unit_id"] == api.units["d1_bureau"] and now["is_unit_head"] is False
    assert now["career"][-1]["post"] == "局长" and now["career"][-2]["end_date"] == "2024-10-14"


async def test_a_rank_promotion_leaves_one_current_rank_on_the_post_and_the_resume(api: Api) -> None:
    o = await office(api)
    clerk = await cadre(o, post="三级主任科员", post_level=None, rank="principal_clerk_3")
    rec = await _record(o, clerk, kind="rank_promotion", target_post="三级主任科员",
                        target_post_level=None, target_rank="principal_clerk_2")
    await advance(api.client, o.officer, rec, MOTION, recommendation(clerk["id"]), INSPECTION,
                  DECISION, NOTICE, APPOINTMENT)
    now = (await api.client.get(f"/api/cadres/{clerk['id']}", headers=o.officer)).json()
    assert (now["post"], now["rank"]) == ("二级主任科员", "principal_clerk_2")
    current = [line for line in now["career"] if line["end_date"] is None]
    assert [line["post"] for line in current] == ["二级主任科员"]
    assert "三级主任科员" not in current[0]["post"]
    # A leadership post keeps its title (an old rank written into it by an earlier promotion is
    # dropped); the resume line names the new rank once, in brackets.
    head = await cadre(o, post="局长（二级主任科员）", post_level="section_main", rank="principal_clerk_2")
    rec = await _record(o, head, kind="rank_promotion", target_post="局长", target_post_level=None,
                        target_rank="principal_clerk_1")
    await advance(api.client, o.officer, rec, MOTION, recommendation(head["id"]), INSPECTION,
                  DECISION, NOTICE, APPOINTMENT)
    now = (await api.client.get(f"/api/cadres/{head['id']}", headers=o.officer)).json()
    assert (now["post"], now["rank"]) == ("局长", "principal_clerk_1")
    assert [line["post"] for line in now["career"] if line["end_date"] is None] == ["局长（一级主任科员）"]
