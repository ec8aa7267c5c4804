"""Saved shortlists and promotion records (issue 5) as the documents the PDF engine prints.

Reads go through the shortlists and promotions modules' own scoped loaders, so a reader
exports exactly what those modules let them read.
"""

from typing import Any

import asyncpg

from schemas.export import (
    EvidenceContribution,
    LabelValue,
    Position,
    PromotionDoc,
    PromotionStage,
    RuleOutcome,
    ShortlistCandidate,
    ShortlistDoc,
    Weight,
)
from schemas.labels import label, promotion_state
from schemas.positions import Rules, Weights
from schemas.shortlists import Candidate, MarkedOut, ShortlistResult
from service.dossier.assemble import evidence_ref
from service.dossier.masking import mask_free_text
from service.errors import NotFound
from service.exports.documents import notice_period, votes
from service.positions import service as positions
from service.principal import Principal
from service.promotions import repo as promotions_repo
from service.shortlists.service import load_saved


def _years(years: float) -> str:
    return f"，满 {years:g} 年" if years else ""


def rule_lines(rules: Rules) -> list[LabelValue]:
    """A position's eligibility rules as printed (a rule that is not set is not listed)."""
    out: list[LabelValue] = []
    if rules.min_rank:
        out.append(LabelValue(label="职级", value=f"{label(rules.min_rank.rank)}及以上"
                              + _years(rules.min_rank.years)))
    if rules.min_post_level:
        out.append(LabelValue(label="职务层次", value=f"{label(rules.min_post_level.post_level)}及以上"
                              + _years(rules.min_post_level.years)))
    if rules.min_rank and rules.min_post_level:
        out.append(LabelValue(label="说明", value="职级、职务层次满足其一即可"))
    if rules.max_age:
        on = f"（以 {rules.max_age.on:%Y.%m.%d} 计）" if rules.max_age.on else ""
        out.append(LabelValue(label="年龄", value=f"不超过 {rules.max_age.max_age} 周岁{on}"))
    if rules.min_education:
        track = "全日制" if rules.min_education.fulltime_only else "全日制或在职"
        out.append(LabelValue(label="学历", value=f"{track}{label(rules.min_education.level)}及以上"))
    if rules.tiers:
        out.append(LabelValue(label="管理类别", value="、".join(label(t) for t in rules.tiers)))
    if rules.grassroots_years is not None:
        out.append(LabelValue(label="基层工作经历", value=f"不少于 {rules.grassroots_years:g} 年"))
    for d in rules.domains:
        within = f"（近 {d.within_years} 年）" if d.within_years else ""
        out.append(LabelValue(label=f"{label(d.domain)}实绩",
                              value=f"已核实的正面实绩不少于 {d.min_verified} 项{within}"))
    if rules.appraisal:
        out.append(LabelValue(label="年度考核", value=f"近 {rules.appraisal.years} 年均为"
                              f"{label(rules.appraisal.min_grade)}及以上"))
    if rules.no_open_penalty:
        out.append(LabelValue(label="处分", value="不在处分影响期内"))
    return out


def weight_lines(weights: Weights) -> list[Weight]:
    """Score weights and parameters as printed."""
    return [Weight(label="实绩", weight=weights.evidence), Weight(label="年度考核", weight=weights.appraisal),
            Weight(label="所在单位排名", weight=weights.unit_rank),
            Weight(label="擂台比武", weight=weights.contest),
            Weight(label="实绩时效半衰期（年）", weight=weights.half_life_years),
            Weight(label="实绩统计年限（年）", weight=weights.window_years),
            Weight(label="年度考核统计年限（年）", weight=weights.appraisal_years)]


def _candidate(c: Candidate) -> ShortlistCandidate:
    p = c.parts
    reason = (f"得分构成：实绩 {p.evidence:.2f}，年度考核 {p.appraisal:.2f}，所在单位排名 "
              f"{p.unit_rank:.2f}，擂台比武 {p.contest:.2f}")
    if c.mark == "seed":
        reason += "；经检索加入比较"
    if c.mark_reason:
        reason += f"；{c.mark_reason}"
    return ShortlistCandidate(
        rank=c.pos, name=c.name, unit=c.unit_name, post=c.post, score=c.score, pinned=c.mark == "pin",
        reason=reason,
        rule_outcomes=[RuleOutcome(label=o.label, passed=o.passed, detail=o.detail or None)
                       for o in c.rules],
        evidence=[EvidenceContribution(evidence_id=evidence_ref(e.evidence_id), title=e.title,
                                       contribution=round(e.points, 2)) for e in c.evidence])


def _marked(m: MarkedOut, what: str) -> ShortlistCandidate:
    failed = f"（不符合：{'、'.join(m.failed)}）" if m.failed else ""
    return ShortlistCandidate(name=m.name, unit="", post="", excluded=True,
                              reason=f"{what}：{m.reason}{failed}")


async def load_shortlist_doc(conn: asyncpg.Connection, principal: Principal, position_id: int,
                             version: int) -> ShortlistDoc | None:
    """A saved shortlist version as printed; None if the reader has no such version."""
    try:
        position = await positions.load(conn, principal, position_id)
        row = await load_saved(conn, principal, position_id, version)
    except NotFound:
        return None
    result = ShortlistResult.model_validate(row["result"])
    candidates = [_candidate(c) for c in sorted(result.candidates, key=lambda c: c.pos)]
    candidates += [_marked(m, "排除") for m in result.excluded]
    candidates += [_marked(m, "置顶但不符合资格") for m in result.ineligible_marked]
    return mask_free_text(principal, ShortlistDoc(
        position=Position(unit=position.unit_name, post=position.title,
                          post_level=label(position.post_level) or None),
        rules=[LabelValue(label="资格审查基准日", value=f"{result.reference_date:%Y.%m.%d}"),
               *rule_lines(result.rules),
               LabelValue(label="符合资格人数",
                          value=f"{result.eligible_total} 人，列出前 {result.top_n} 名")],
        weights=weight_lines(result.weights), version=version, inputs_hash=result.inputs_hash,
        candidates=candidates))


async def shortlist_cadre_ids(conn: asyncpg.Connection, principal: Principal, position_id: int,
                              version: int) -> list[int] | None:
    """The ranked candidates of a saved shortlist version; None if the reader has no such version."""
    try:
        row = await load_saved(conn, principal, position_id, version)
    except NotFound:
        return None
    result = ShortlistResult.model_validate(row["result"])
    return [c.cadre_id for c in sorted(result.candidates, key=lambda c: c.pos)]


def _stage_details(cadre_id: int, stage: str, p: dict[str, Any]) -> list[LabelValue]:
    def line(lbl: str, key: str, suffix: str = "") -> list[LabelValue]:
        value = p.get(key)
        return [] if value in (None, "", []) else [LabelValue(label=lbl, value=f"{value}{suffix}")]

    if stage == "motion":
        return line("提议", "proposed_by") + line("动议理由", "reason")
    if stage == "recommendation":
        mine = [v for v in p.get("votes") or [] if v.get("cadre_id") == cadre_id]
        got = [votes("本人得票", int(mine[0]["votes"]), int(p["ballots_returned"]))] if mine else []
        return (line("参加推荐", "participants", " 人") + line("发出票", "ballots_issued", " 张")
                + line("收回票", "ballots_returned", " 张") + got)
    if stage == "inspection":
        team = [LabelValue(label="考察组", value="、".join(p.get("team") or []))] if p.get("team") else []
        return team + line("个别谈话", "interviewed", " 人") + line("考察材料", "report")
    if stage == "decision":
        members, in_favour = int(p["members_total"]), int(p["in_favour"])
        passed = "同意票超过应到会成员半数" if in_favour * 2 > members else "同意票未超过应到会成员半数"
        return (line("应到会成员", "members_total", " 人") + line("实到会", "present", " 人")
                + [votes("同意", in_favour, members)] + line("不同意", "against", " 票")
                + line("弃权", "abstain", " 票") + [LabelValue(label="表决结果", value=passed)])
    if stage == "appointment":
        return line("任免文号", "document_no")
    return []


async def load_promotion_doc(conn: asyncpg.Connection, principal: Principal,
                             promotion_id: int) -> PromotionDoc | None:
    """A promotion record with its stage timeline, votes and notice period; None if not readable."""
    row = await promotions_repo.get_visible(conn, principal, promotion_id)
    if row is None:
        return None
    stages = []
    for s in await promotions_repo.stages(conn, promotion_id):
        payload = dict(s["payload"])
        details = _stage_details(row["cadre_id"], s["stage"], payload)
        if s["stage"] == "notice":
            end = s["end_date"] or s["stage_date"]
            days, missing = await promotions_repo.working_days(conn, s["stage_date"], end)
            details = [notice_period(s["stage_date"], s["end_date"], None if missing else days),
                       LabelValue(label="公示渠道", value=str(payload.get("channel") or "—")),
                       LabelValue(label="反映问题", value=str(payload.get("objections") or "无"))]
        stages.append(PromotionStage(label=label(s["stage"], "promotion_stage"),
                                     start_date=s["stage_date"], end_date=s["end_date"], details=details))
    return mask_free_text(principal, PromotionDoc(
        cadre_name=row["cadre_name"], kind=label(row["kind"], "promotion_kind"),
        target_post=row["target_unit_name"] + row["target_post"],
        status=promotion_state(row["status"], row["stage"]), stages=stages))
