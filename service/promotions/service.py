"""Promotion records: open, advance stage by stage, amend, cancel, appoint and end probation."""

from datetime import date
from typing import Any

import asyncpg

from schemas.clock import today
from schemas.labels import PROMOTION_STAGE, label
from schemas.posts import rank_promoted_post
from schemas.promotions import (
    AppointmentIn,
    CancelIn,
    DecisionIn,
    InspectionIn,
    NoticeIn,
    ProbationIn,
    PromotionCreate,
    PromotionFilter,
    PromotionOut,
    PromotionPage,
    RecommendationIn,
    StageAmend,
    StageOut,
    StageRecord,
)
from schemas.records import RevisionOut
from service.cadres import repo as cadres_repo
from service.errors import Conflict, NotFound, ValidationFailed
from service.evidence import repo as evidence_repo
from service.idempotency import fingerprint, run_idempotent
from service.leadership import repo as leadership_repo
from service.positions import repo as positions_repo
from service.principal import Principal
from service.promotions import repo, stages
from service.revisions import list_revisions
from service.uow import UnitOfWork, audit_only, audited_revisions, unit_of_work
from service.versioning import BaseVersion, require_version


def _add_year(d: date) -> date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


async def _out(conn: asyncpg.Connection, principal: Principal, promotion_id: int) -> PromotionOut:
    row = await repo.get_visible(conn, principal, promotion_id)
    if row is None:
        raise NotFound("选任记录不存在")
    recorded = [StageOut(**{k: s[k] for k in ("stage", "stage_date", "end_date", "payload", "revision",
                                                "recorded_by", "recorded_at")},
                         label=PROMOTION_STAGE[s["stage"]]) for s in await repo.stages(conn, promotion_id)]
    nxt = stages.next_stage(row["kind"], row["stage"]) if row["status"] == "in_progress" else None
    return PromotionOut(**{k: row[k] for k in PromotionOut.model_fields if k in row.keys()},
                        next_stage=nxt, stages=recorded)


async def _changed(uow: UnitOfWork, out: PromotionOut, action: str, changes: dict[str, Any]) -> None:
    await uow.record_change("promotion", out.id, version=out.version, action=action,
                            snapshot=out.model_dump(mode="json"), changes=changes,
                            details={"version": out.version, "cadre_id": out.cadre_id,
                                     **{k: v for k, v in changes.items() if k in ("stage", "reason")}})


async def _locked(uow: UnitOfWork, promotion_id: int, base: BaseVersion) -> asyncpg.Record:
    return base.locked(await repo.get_visible(uow.conn, uow.principal, promotion_id, lock=True),
                       "选任记录不存在")


async def create_promotion(pool: asyncpg.Pool, principal: Principal, *, body: PromotionCreate,
                           key: str | None) -> PromotionOut:
    """Open a selection record for a cadre in scope, towards a unit in scope."""

    async def work(uow: UnitOfWork) -> PromotionOut:
        cadre = await cadres_repo.get_visible(uow.conn, principal, body.cadre_id)
        if cadre is None or cadre["status"] != "active":
            raise ValidationFailed("干部不存在、不在职或不在您的范围内",
                                   errors=[{"field": "cadre_id", "message": "干部无效"}])
        if not await cadres_repo.unit_manageable(uow.conn, principal, body.target_unit_id, cadre["tier"]):
            raise ValidationFailed("拟任单位不存在或不在您的管理范围内",
                                   errors=[{"field": "target_unit_id", "message": "单位不在管理范围内"}])
        if body.position_id is not None and await positions_repo.get_visible(
                uow.conn, principal, body.position_id) is None:
            raise ValidationFailed("拟任职务不存在", errors=[{"field": "position_id", "message": "无效"}])
        await _check_target(uow.conn, body, cadre)
        if await repo.in_progress(uow.conn, body.cadre_id, body.kind):
            raise Conflict("该干部已有同类正在进行的选任记录")
        promotion_id = await repo.insert(uow.conn, {
            "cadre_id": body.cadre_id, "position_id": body.position_id, "kind": body.kind,
            "target_unit_id": body.target_unit_id, "target_post": body.target_post,
            "target_post_level": body.target_post_level.value if body.target_post_level else None,
            "target_rank": body.target_rank.value if body.target_rank else None,
            "is_elected_post": body.is_elected_post, "created_by": principal.user_id})
        out = await _out(uow.conn, principal, promotion_id)
        await _changed(uow, out, "create", {})
        return out

    out, _ = await run_idempotent(pool, principal, key, fingerprint("promotion.create", body),
                                  PromotionOut, work)
    return out


async def _check_target(conn: asyncpg.Connection, body: PromotionCreate, cadre: asyncpg.Record) -> None:
    """A promotion goes up the ladder; a lateral transfer stays at the same post level."""
    level_now = await repo.ordinal(conn, "post_levels", cadre["post_level"])
    level_to = await repo.ordinal(conn, "post_levels",
                                  body.target_post_level.value if body.target_post_level else None)
    if body.kind == "post_promotion" and level_now is not None and level_to is not None \
            and level_to <= level_now:
        raise ValidationFailed("提拔的职务层次须高于现任职务层次",
                               errors=[{"field": "target_post_level", "message": "须高于现任"}])
    if body.kind == "rank_promotion":
        rank_now = await repo.ordinal(conn, "ranks", cadre["rank"])
        rank_to = await repo.ordinal(conn, "ranks", body.target_rank.value if body.target_rank else None)
        if rank_now is not None and rank_to is not None and rank_to <= rank_now:
            raise ValidationFailed("晋升的职级须高于现任职级",
                                   errors=[{"field": "target_rank", "message": "须高于现任"}])
    if body.kind == "lateral_transfer" and level_to is not None and level_to != level_now:
        raise ValidationFailed("平级调动的职务层次须与现任相同",
                               errors=[{"field": "target_post_level", "message": "须与现任相同"}])


async def _validate(uow: UnitOfWork, row: asyncpg.Record, payload: Any,
                    recorded: dict[str, asyncpg.Record]) -> dict[str, Any]:
    """Per-stage checks; returns facts worth keeping with the stage (e.g. working days)."""
    start, end = stages.stage_dates(payload)
    stages.check_dates(payload.stage, start, end=end, recorded=recorded, kind=row["kind"], today=today())
    extra: dict[str, Any] = {}
    if isinstance(payload, RecommendationIn):
        await stages.check_recommendation(uow.conn, uow.principal, r=payload, cadre_id=row["cadre_id"])
    elif isinstance(payload, InspectionIn):
        visible = (await evidence_repo.visible_record_count(uow.conn, uow.principal, payload.record_ids)
                   if payload.record_ids else 0)
        await stages.check_inspection(uow.conn, row["cadre_id"], evidence_ids=payload.evidence_ids,
                                      visible_records=visible,
                                      record_ids=payload.record_ids)
    elif isinstance(payload, DecisionIn):
        stages.check_decision(payload)
        extra["passed"] = True
    elif isinstance(payload, NoticeIn):
        extra["working_days"] = await stages.check_notice(uow.conn, payload)
    return extra


async def record_stage(pool: asyncpg.Pool, principal: Principal, *, promotion_id: int, body: StageRecord,
                       if_match: int | None) -> PromotionOut:
    """Record the next stage; appointment also changes the cadre in the same transaction."""
    base = require_version(body.version, if_match)
    payload = body.payload
    async with unit_of_work(pool, principal) as uow:
        row = await _locked(uow, promotion_id, base)
        if row["status"] != "in_progress":
            raise Conflict(f"选任记录状态为「{label(row['status'], 'promotion_status')}」，不能再记录阶段")
        stages.check_order(row["kind"], row["stage"], payload.stage)
        recorded = {s["stage"]: s for s in await repo.stages(uow.conn, promotion_id)}
        extra = await _validate(uow, row, payload, recorded)
        start, end = stages.stage_dates(payload)
        data = {**payload.model_dump(mode="json"), **extra}
        await repo.insert_stage(uow.conn, promotion_id, payload.stage, start, end, data, principal.user_id)
        fields: dict[str, Any] = {"stage": payload.stage}
        if isinstance(payload, AppointmentIn):
            fields.update(await _appoint(uow, row, payload))
        await repo.update(uow.conn, promotion_id, fields)
        out = await _out(uow.conn, principal, promotion_id)
        await _changed(uow, out, "stage", {"stage": payload.stage, "payload": data})
        return out



async def refused_vote_rows(pool: asyncpg.Pool, principal: Principal, *, promotion_id: int,
                            payload: Any) -> list[dict[str, str]]:
    """The candidate-row errors of a recommendation stage whose body the schema refused, so that one
    answer reports both kinds; read only (nothing is written for a refused body). A record the
    caller may not read adds nothing: its answer stays the schema's, as for any other body."""
    async with pool.acquire() as conn:
        row = await repo.get_visible(conn, principal, promotion_id)
        if row is None:
            return []
        return await stages.unparsed_vote_problems(conn, principal, payload=payload, cadre_id=row["cadre_id"])


async def _appoint(uow: UnitOfWork, row: asyncpg.Record, payload: AppointmentIn) -> dict[str, Any]:
    """Change the cadre's post or rank and resume; queue its search documents."""
    cadre = await cadres_repo.lock_visible(uow.conn, uow.principal, row["cadre_id"])
    if cadre is None or cadre["status"] != "active":
        raise Conflict("干部已不在职或不在您的范围内，不能任职")
    on = payload.date
    before = {k: cadre[k] for k in ("unit_id", "post", "post_level", "post_level_since", "rank",
                                    "rank_since", "is_unit_head")}
    fields: dict[str, Any] = {}
    if row["kind"] == "rank_promotion":
        fields = {"rank": row["target_rank"], "rank_since": on}
        post, career_post = rank_promoted_post(cadre["post"], row["target_rank"])
        if post != cadre["post"]:
            fields["post"] = post
        career = {"unit_id": cadre["unit_id"], "post": career_post, "post_level": cadre["post_level"]}
    else:
        level = row["target_post_level"] or cadre["post_level"]
        fields = {"unit_id": row["target_unit_id"], "post": row["target_post"], "post_level": level}
        if level != cadre["post_level"]:
            fields["post_level_since"] = on
        if row["target_rank"]:
            fields.update(rank=row["target_rank"], rank_since=on)
        if row["target_unit_id"] != cadre["unit_id"]:
            # The head flag describes the current post: a cadre moving away no longer heads the old
            # unit (the past headship is kept on the old resume line, frozen below).
            fields["is_unit_head"] = False
        career = {"unit_id": row["target_unit_id"], "post": row["target_post"], "post_level": level}
    # The headship the registry derives from today's post must outlive the move (time-aware rule).
    await leadership_repo.freeze_current_headship(uow.conn, row["cadre_id"])
    version = await repo.apply_appointment(uow.conn, row["cadre_id"], on, fields, career)
    snapshot = await repo.cadre_snapshot(uow.conn, row["cadre_id"])
    changes = {k: [str(before[k]) if before[k] is not None else None, str(v)] for k, v in fields.items()
               if before.get(k) != v}
    reindex = [("cadre", row["cadre_id"])]
    if fields.get("unit_id", cadre["unit_id"]) != cadre["unit_id"]:
        # Evidence and records carry the cadre's unit in their scope keys.
        evidence_ids, record_ids = await repo.linked_documents(uow.conn, row["cadre_id"])
        reindex += [("evidence", e) for e in evidence_ids] + [("record", r) for r in record_ids]
    await uow.record_change("cadre", row["cadre_id"], version=version, action="appointment",
                            snapshot=snapshot,
                            changes={**changes, "promotion_id": row["id"],
                                     "document_no": payload.document_no},
                            reindex=reindex, details={"version": version, "promotion_id": row["id"]})
    probation = row["kind"] == "post_promotion" and not row["is_elected_post"]
    return {"status": "on_probation" if probation else "appointed", "appointed_on": on,
            "probation_end": _add_year(on) if probation else None, "tier": cadre["tier"],
            "post_level_after": fields.get("post_level", cadre["post_level"]),
            "before_state": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in before.items()}}


async def amend_stage(pool: asyncpg.Pool, principal: Principal, *, promotion_id: int, stage: str,
                      body: StageAmend, if_match: int | None) -> PromotionOut:
    """Correct a recorded stage with a reason; the revision keeps what it said before."""
    base = require_version(body.version, if_match)
    payload = body.payload
    if payload.stage != stage:
        raise ValidationFailed("修正内容的阶段与路径不一致", errors=[{"field": "payload.stage",
                                                                 "message": "阶段不一致"}])
    async with unit_of_work(pool, principal) as uow:
        row = await _locked(uow, promotion_id, base)
        recorded = {s["stage"]: s for s in await repo.stages(uow.conn, promotion_id)}
        if stage not in recorded:
            raise Conflict(f"「{PROMOTION_STAGE[stage]}」阶段尚未记录，不能修正")
        if row["status"] == "cancelled":
            raise Conflict("选任记录已取消，不能修正")
        old = recorded[stage]
        if isinstance(payload, AppointmentIn):
            if payload.date != old["stage_date"]:
                raise Conflict("任职已生效，任职日期不能修正（只能更正文号）")
        elif row["status"] != "in_progress":
            raise Conflict("已任职的选任记录只能更正任职文号")
        extra = {} if isinstance(payload, AppointmentIn) else await _validate(uow, row, payload, recorded)
        start, end = stages.stage_dates(payload)
        data = {**payload.model_dump(mode="json"), **extra}
        await repo.replace_stage(uow.conn, promotion_id, stage, start, end, data, principal.user_id)
        await repo.update(uow.conn, promotion_id, {})
        out = await _out(uow.conn, principal, promotion_id)
        await _changed(uow, out, "amend", {"stage": stage, "reason": body.reason,
                                           "before": old["payload"], "after": data})
        return out


async def cancel(pool: asyncpg.Pool, principal: Principal, *, promotion_id: int, body: CancelIn,
                 if_match: int | None) -> PromotionOut:
    """Cancel a selection before appointment; its stages stay on record."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        row = await _locked(uow, promotion_id, base)
        if row["status"] != "in_progress":
            raise Conflict(f"选任记录状态为「{label(row['status'], 'promotion_status')}」，不能取消")
        await repo.update(uow.conn, promotion_id, {"status": "cancelled", "cancel_reason": body.reason})
        out = await _out(uow.conn, principal, promotion_id)
        await _changed(uow, out, "cancel", {"reason": body.reason, "stage": row["stage"]})
        return out


async def end_probation(pool: asyncpg.Pool, principal: Principal, *, promotion_id: int, body: ProbationIn,
                        if_match: int | None) -> PromotionOut:
    """Confirm (on or after the end of probation) or remove; removal records the outcome only."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        row = await _locked(uow, promotion_id, base)
        if row["status"] != "on_probation":
            raise Conflict("该选任记录不在试用期")
        if body.date > today():
            raise Conflict("日期不能晚于今天")
        if body.outcome == "confirmed" and body.date < row["probation_end"]:
            raise Conflict(f"试用期未满（至{row['probation_end'].isoformat()}），不能办理正式任职")
        if body.date < row["appointed_on"]:
            raise Conflict("日期不能早于任职日期")
        await repo.update(uow.conn, promotion_id, {"status": body.outcome, "probation_outcome_on": body.date,
                                                   "probation_note": body.reason})
        out = await _out(uow.conn, principal, promotion_id)
        await _changed(uow, out, f"probation_{body.outcome}", {"reason": body.reason,
                                                               "date": body.date.isoformat()})
        return out


async def get_promotion(pool: asyncpg.Pool, principal: Principal, promotion_id: int) -> PromotionOut:
    """One record with its stages (audited read)."""
    async with unit_of_work(pool, principal) as uow:
        out = await _out(uow.conn, principal, promotion_id)
        uow.audit("promotion.read", "promotion", promotion_id)
        return out


async def list_promotions(pool: asyncpg.Pool, principal: Principal, *, filters: PromotionFilter, limit: int,
                          offset: int) -> PromotionPage:
    """Visible records."""
    async with pool.acquire() as conn:
        rows, total = await repo.search(conn, principal, filters=filters, limit=limit, offset=offset)
        items = [await _out(conn, principal, r["id"]) for r in rows]
    # The list names cadres and their proposed posts: a read of personal data, audited.
    await audit_only(pool, principal, "promotion.list", "promotion", None,
                     {"ids": [p.id for p in items], "total": total})
    return PromotionPage(items=items, total=total, limit=limit, offset=offset)


async def promotion_revisions(pool: asyncpg.Pool, principal: Principal,
                              promotion_id: int) -> list[RevisionOut]:
    """The full history of a record."""
    async with pool.acquire() as conn:
        await _out(conn, principal, promotion_id)
        out = [RevisionOut(**dict(r)) for r in await list_revisions(conn, "promotion", promotion_id)]
    await audited_revisions(pool, principal, "promotion", promotion_id, out)
    return out
