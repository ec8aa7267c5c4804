"""Positions with saved shortlist versions, and promotion records in every stage (50+ appointed)."""

from datetime import date, timedelta
from typing import Any

from schemas.cadres import CadreUpdate
from schemas.common import EducationLevel, PostLevel, Tier
from schemas.positions import AppraisalRule, Category, EducationRule, PositionCreate, PostLevelRule, Rules
from schemas.promotions import (
    AppointmentIn,
    CancelIn,
    DecisionIn,
    InspectionIn,
    MotionIn,
    NoticeIn,
    ProbationIn,
    PromotionCreate,
    RecommendationIn,
    StageRecord,
    Vote,
)
from schemas.shortlists import MarkIn, SaveShortlist
from service.cadres import service as cadres
from service.demo.story import Story, story_sql
from service.demo.story.selection_people import Pick, picks
from service.positions import service as positions
from service.promotions import repo as promotions_repo
from service.promotions import service as promotions
from service.shortlists import versions as shortlists

TEAM = ["市委组织部干部一科 王立新", "市委组织部干部监督科 陈思嘉", "市纪委监委第三监督检查室 刘晓明"]
STAGES_BEFORE = {"motion": 0, "recommendation": 1, "inspection": 2, "decision": 3, "notice": 4}


async def _positions(story: Story) -> int:
    """Three positions; the first gets a pin between its two saved versions."""
    units = {r["name"]: r["id"] for r in await story.rows(
        "SELECT id, name FROM units WHERE kind IN ('department', 'street') ORDER BY id")}
    wanted: list[tuple[str, str, PostLevel, Tier, Category, Rules]] = [
        ("住建局", "局长", PostLevel.section_main, Tier.district_managed, "urban_construction",
         Rules(min_post_level=PostLevelRule(post_level=PostLevel.section_deputy, years=2),
               min_education=EducationRule(level=EducationLevel.bachelor), appraisal=AppraisalRule())),
        ("江州市商务局", "副局长", PostLevel.division_deputy, Tier.city_managed, "economy",
         Rules(min_post_level=PostLevelRule(post_level=PostLevel.section_main, years=3),
               appraisal=AppraisalRule())),
        ("街道", "党工委书记", PostLevel.section_main, Tier.district_managed, "general",
         Rules(min_post_level=PostLevelRule(post_level=PostLevel.section_deputy, years=2))),
    ]
    made = 0
    for ending, title, level, tier, category, rules in wanted:
        unit = next(((n, i) for n, i in units.items() if n.endswith(ending)), None)
        if unit is None:
            continue
        pos = await positions.create_position(story.pool, story.officer, body=PositionCreate(
            unit_id=unit[1], title=title, post_level=level, tier=tier, category=category,
            reference_date=story.today, rules=rules), key=None)
        first = await shortlists.save(story.pool, story.officer, position_id=pos.id,
                                      body=SaveShortlist(top_n=20, note="初步名单，提交部务会研究"),
                                      key=None)
        made += 1
        if made == 1 and len(first.result.candidates) >= 3:
            third = first.result.candidates[2]
            await shortlists.add_mark(story.pool, story.officer, position_id=pos.id, body=MarkIn(
                cadre_id=third.cadre_id, action="pin",
                reason="城市更新攻坚中表现突出，部务会研究同意列入重点考察"), key=None)
            await shortlists.save(story.pool, story.officer, position_id=pos.id,
                                  body=SaveShortlist(top_n=20, note="部务会研究后调整"), key=None)
    return made


async def _notice_end(story: Story, start: date) -> date:
    """The first end date giving the notice at least 5 working days."""
    end = start + timedelta(days=4)
    while (await promotions_repo.working_days(story.conn, start, end))[0] < 5:
        end += timedelta(days=1)
    return end


def _payloads(p: Pick, motion: date, notice: tuple[date, date] | None,
              appointed: date | None, n: int) -> list[Any]:
    """Stage payloads in order, dated from the motion on."""
    out: list[Any] = [
        MotionIn(stage="motion", date=motion, proposed_by="市委组织部" if p.city else "区委组织部",
                 reason=p.reason),
    ]
    if p.kind != "lateral_transfer":
        out.append(RecommendationIn(stage="recommendation", date=motion + timedelta(days=5),
                                    participants=62, ballots_issued=62, ballots_returned=60,
                                    votes=[Vote(cadre_id=p.cadre_id, votes=41 + n % 15)]))
    out.append(InspectionIn(stage="inspection", date=motion + timedelta(days=10), team=TEAM[:2 + n % 2],
                            interviewed=18 + n % 20,
                            report=f"{p.name}同志政治素质好，{p.reason}，群众公认度较高。不足：创新思路还需拓宽。"))
    out.append(DecisionIn(stage="decision", date=motion + timedelta(days=20), members_total=11,
                          present=10 - n % 2, in_favour=9 - n % 2, against=0, abstain=1))
    if notice is not None:
        out.append(NoticeIn(stage="notice", start=notice[0], end=notice[1], channel="江州日报、江州组工网",
                            objections="公示期间未收到反映"))
    if appointed is not None:
        out.append(AppointmentIn(stage="appointment", date=appointed,
                                 document_no=f"江组干〔{appointed.year}〕{30 + n}号"))
    return out


async def _run(story: Story, p: Pick, payloads: list[Any]) -> Any:
    out = await promotions.create_promotion(story.pool, story.officer, body=PromotionCreate.model_validate({
        "cadre_id": p.cadre_id, "kind": p.kind, "target_unit_id": p.target_unit_id,
        "target_post": p.target_post, "target_post_level": p.target_level,
        "target_rank": p.target_rank}), key=None)
    for payload in payloads:
        out = await promotions.record_stage(story.pool, story.officer, promotion_id=out.id,
                                            body=StageRecord(version=out.version,
                                                             payload=payload), if_match=None)
    return out


async def _to_city_managed(story: Story, cadre_id: int) -> None:
    """A cadre promoted to a division-level post becomes city-managed (the officer edits the tier)."""
    detail = await cadres.get_cadre(story.pool, story.officer, cadre_id)
    fields = {k: getattr(detail, k) for k in CadreUpdate.model_fields if hasattr(detail, k)}
    await cadres.update_cadre(story.pool, story.officer, cadre_id=cadre_id, body=CadreUpdate.model_validate(
        {**fields, "tier": "city_managed", "version": detail.version}), if_match=None)


async def _appointed(story: Story, chosen: list[Pick]) -> tuple[int, int]:
    """Appointments spread over the last ~20 months; probations that ended are confirmed."""
    confirmed = 0
    for n, p in enumerate(chosen):
        # Never before the cadre's current resume line began (the appointment closes that line).
        appointed = max(story.today - timedelta(days=20 + 11 * (len(chosen) - n)),
                        p.since + timedelta(days=50))
        motion = appointed - timedelta(days=45)
        start = motion + timedelta(days=24)
        end = await _notice_end(story, start)
        appointed = max(appointed, end + timedelta(days=3))
        out = await _run(story, p, _payloads(p, motion, (start, end), appointed, n))
        if p.city:
            await _to_city_managed(story, p.cadre_id)
        if out.status == "on_probation" and out.probation_end and out.probation_end <= story.today:
            await promotions.end_probation(story.pool, story.officer, promotion_id=out.id, body=ProbationIn(
                version=out.version, outcome="confirmed", date=out.probation_end,
                reason="试用期满考核合格，正式任职"), if_match=None)
            confirmed += 1
    return len(chosen), confirmed


async def _in_progress(story: Story, chosen: list[Pick]) -> int:
    """One record stopped at each stage, the notice window open today, and one cancelled."""
    made = 0
    for n, (p, stage) in enumerate(zip(chosen, [*STAGES_BEFORE, "cancelled"], strict=False)):
        last = STAGES_BEFORE.get(stage, 2)
        notice_start = story.today - timedelta(days=2)
        while (await promotions_repo.working_days(story.conn, notice_start, story.today))[0] < 2:
            notice_start -= timedelta(days=1)
        motion = notice_start - timedelta(days=24)
        notice = (notice_start, await _notice_end(story, notice_start)) if stage == "notice" else None
        payloads = _payloads(p, motion, notice, None, n)[:last + 1]
        out = await _run(story, p, payloads)
        if stage == "cancelled":
            reason = "考察中发现个人有关事项报告不实，经部务会研究终止选任程序"
            await promotions.cancel(story.pool, story.officer, promotion_id=out.id,
                                    body=CancelIn(version=out.version, reason=reason), if_match=None)
        made += 1
    return made


async def _calendar(story: Story) -> None:
    """Notices are counted in working days; a year the official calendar does not list yet gets a
    demo row (weekends only, no holidays), labelled as such, so the demo runs on any day."""
    for year in (story.today.year - 1, story.today.year):
        await story_sql.add_calendar_year(story.conn, year, "演示数据：节假日安排未录入，仅按周末计算")


async def tell(story: Story) -> dict[str, int]:
    """Positions and shortlists first (they read today's cadres), then the promotion records."""
    await _calendar(story)
    made = await _positions(story)
    groups = await picks(story)
    appointed, confirmed = await _appointed(story, groups.appointed)
    running = await _in_progress(story, groups.running)
    return {"positions": made, "appointed": appointed, "probation_confirmed": confirmed,
            "section_promotions": groups.section, "rank_promotions": groups.rank,
            "promotions_in_progress": running}
