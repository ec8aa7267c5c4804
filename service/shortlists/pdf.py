"""A saved shortlist version as the document the PDF engine prints, and its export.

Reads go through the shortlists and positions modules' scoped loaders, so a reader exports exactly
what they may read; the export adds serial, watermark, SHA-256, exports row and audit entry.
"""

from functools import partial

import asyncpg

from schemas.export import (
    EvidenceContribution,
    LabelValue,
    Position,
    RuleOutcome,
    ShortlistCandidate,
    ShortlistDoc,
    Weight,
)
from schemas.labels import label
from schemas.positions import Rules, Weights
from schemas.shortlists import Candidate, MarkedOut
from service.config import Settings
from service.dossier.assemble import evidence_ref
from service.dossier.masking import mask_free_text
from service.errors import NotFound
from service.exports.service import IssuedPdf, issue_pdf
from service.pdf import render_shortlist
from service.positions import service as positions
from service.principal import Principal
from service.shortlists.service import load_saved, readable_result


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
    # The rules in words (年龄：…；学历：…), not their keys (post_level_fit).
    failed = f"（不符合：{m.detail}）" if m.detail else "（不再符合资格条件）" if m.failed else ""
    return ShortlistCandidate(name=m.name, unit="", post="", excluded=True,
                              reason=f"{what}：{m.reason}{failed}")


async def load_shortlist_doc(conn: asyncpg.Connection, principal: Principal, *, position_id: int,
                             version: int) -> ShortlistDoc | None:
    """A saved shortlist version as printed; None if the reader has no such version."""
    try:
        position = await positions.load(conn, principal, position_id=position_id)
        row = await load_saved(conn, principal, position_id=position_id, version=version)
    except NotFound:
        return None
    result = await readable_result(conn, principal, row)
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


async def shortlist_cadre_ids(conn: asyncpg.Connection, principal: Principal, *, position_id: int,
                              version: int) -> list[int] | None:
    """The ranked candidates of a saved shortlist version; None if the reader has no such version."""
    try:
        row = await load_saved(conn, principal, position_id=position_id, version=version)
    except NotFound:
        return None
    result = await readable_result(conn, principal, row)
    return [c.cadre_id for c in sorted(result.candidates, key=lambda c: c.pos)]


async def export_shortlist(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                           shortlist_id: int, doc: ShortlistDoc) -> IssuedPdf:
    """A saved shortlist version as a watermarked PDF, registered and audited (`export.shortlist`)."""
    title = f"{doc.title}_{doc.position.unit}{doc.position.post}_第{doc.version}版"
    return await issue_pdf(pool, principal, settings=settings, kind="shortlist", object_ids=[shortlist_id],
                           title=title,
                           render=partial(render_shortlist, doc),
                           details={"version": doc.version, "inputs_hash": doc.inputs_hash,
                                    "candidates": len(doc.candidates)})


async def export_shortlist_or_404(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                                  position_id: int, version: int) -> IssuedPdf:
    """`export_shortlist` for a route: a version the reader has not got is 404."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        doc = await load_shortlist_doc(conn, principal, position_id=position_id, version=version)
    if doc is None:
        raise NotFound("该版本的候选人名单不存在")
    return await export_shortlist(pool, principal, settings=settings, shortlist_id=position_id, doc=doc)
