"""A promotion record as the document the PDF engine prints (stage timeline, votes, notice period),
and its export; reads go through the promotions module's scoped loader."""

from datetime import date
from functools import partial
from typing import Any

import asyncpg

from schemas.export import LabelValue, PromotionDoc, PromotionStage
from schemas.labels import label, promotion_state
from schemas.posts import unit_post
from service.config import Settings
from service.dossier.masking import mask_free_text
from service.errors import NotFound
from service.exports.service import IssuedPdf, issue_pdf
from service.pdf import render_promotion
from service.pdf.formatting import fmt_span
from service.principal import Principal
from service.promotions import repo as promotions_repo


def notice_period(start: date, end: date | None, working_days: int | None) -> LabelValue:
    """The public-notice line of a promotion timeline: `2025.02.17—2025.02.21，5 个工作日`."""
    span = fmt_span(start, end)
    return LabelValue(label="公示期", value=span if working_days is None
                      else f"{span}，{working_days} 个工作日")


def votes(label: str, for_: int, total: int) -> LabelValue:
    """A vote line: `71 票（82.6%）` of `total` voters."""
    share = f"（{for_ / total:.1%}）" if total else ""
    return LabelValue(label=label, value=f"{for_} 票{share}")


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
        target_post=unit_post(row["target_unit_name"], row["target_post"]),
        status=promotion_state(row["status"], row["stage"]), stages=stages))


async def export_promotion(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                           promotion_id: int, doc: PromotionDoc) -> IssuedPdf:
    """A promotion record with its stage timeline as a watermarked PDF (`export.promotion`)."""
    return await issue_pdf(pool, principal, settings=settings, kind="promotion", object_ids=[promotion_id],
                           title=f"{doc.title}_{doc.cadre_name}", render=partial(render_promotion, doc),
                           details={"status": doc.status, "stages": len(doc.stages)})


async def export_promotion_or_404(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                                  promotion_id: int) -> IssuedPdf:
    """`export_promotion` for a route: a record out of scope is 404 like a missing one."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        doc = await load_promotion_doc(conn, principal, promotion_id)
    if doc is None:
        raise NotFound("选任记录不存在")
    return await export_promotion(pool, principal, settings=settings, promotion_id=promotion_id, doc=doc)
