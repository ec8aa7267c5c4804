"""Rules for arena contests: events, presentations, scores, and evidence credited to the presenter."""

from datetime import date
from typing import Any

import asyncpg

from schemas.contests import (
    ContestCreate,
    ContestFilter,
    ContestOut,
    ContestPage,
    EvidenceBatch,
    PresentationCreate,
    PresentationEvidenceIn,
    PresentationOut,
    PresentationUpdate,
)
from schemas.evidence import EvidenceOut
from schemas.records import RevisionOut
from service.cadres import repo as cadres_repo
from service.contests import repo
from service.errors import Conflict, NotFound, ValidationFailed
from service.evidence import repo as evidence_repo
from service.evidence.service import record_evidence_change
from service.evidence.service import to_out as evidence_out
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.revisions import diff_snapshots, list_revisions
from service.units import repo as units_repo
from service.uow import UnitOfWork, audited_revisions, unit_of_work
from service.versioning import require_version

ENTITY = "contest_presentation"


def to_contest(row: asyncpg.Record, presentations: list[PresentationOut] | None = None) -> ContestOut:
    """Contest row to API model."""
    return ContestOut(**{k: row[k] for k in ContestOut.model_fields if k != "presentations"},
                      presentations=presentations or [])


def to_presentation(row: asyncpg.Record) -> PresentationOut:
    """Presentation row to API model."""
    return PresentationOut(**{k: row[k] for k in PresentationOut.model_fields})


async def create_contest(pool: asyncpg.Pool, principal: Principal, *, body: ContestCreate,
                         key: str | None) -> ContestOut:
    """Create a contest organized by a unit in the officer's scope."""

    async def work(uow: UnitOfWork) -> ContestOut:
        if not await units_repo.writable(uow.conn, principal, body.organizer_unit_id):
            raise ValidationFailed("组织单位不存在或不在您的管理范围内",
                                   errors=[{"field": "organizer_unit_id", "message": "不在管理范围内"}])
        data = body.model_dump(mode="python") | {"level": body.level.value}
        cid = await repo.insert_contest(uow.conn, data, principal.user_id)
        row = await repo.get_visible(uow.conn, principal, cid)
        assert row is not None
        out = to_contest(row)
        await uow.record_change("contest", cid, version=1, action="create",
                                snapshot=out.model_dump(mode="json"), details={"level": body.level.value})
        return out

    out, _ = await run_idempotent(pool, principal, key, fingerprint("contest.create", body), ContestOut, work)
    return out


async def list_contests(pool: asyncpg.Pool, principal: Principal, *, filters: ContestFilter, limit: int,
                        offset: int) -> ContestPage:
    """Readable contests, latest first."""
    async with pool.acquire() as conn:
        rows, total = await repo.search(conn, principal, filters=filters, limit=limit, offset=offset)
    return ContestPage(items=[to_contest(r) for r in rows], total=total, limit=limit, offset=offset)


async def get_contest(pool: asyncpg.Pool, principal: Principal, contest_id: int) -> ContestOut:
    """A contest with the presentations of cadres the caller may read (the read is audited)."""
    async with unit_of_work(pool, principal) as uow:
        row = await repo.get_visible(uow.conn, principal, contest_id)
        if row is None:
            raise NotFound("擂台比武活动不存在")
        rows = await repo.presentations(uow.conn, principal, contest_id=contest_id)
        items = [to_presentation(p) for p in rows]
        # Each presentation names its cadre with their shortcomings and scores: recorded by id.
        uow.audit("contest.read", "contest", contest_id,
                  {"presentations": len(items), "ids": [p.id for p in items],
                   "cadre_ids": [p.cadre_id for p in items]})
        return to_contest(row, items)


def _content(body: PresentationCreate | PresentationUpdate) -> dict[str, Any]:
    return {"speaking_order": body.speaking_order, "achievements": body.achievements,
            "shortcomings": body.shortcomings, "goals": body.goals, "measures": body.measures,
            "record_id": body.record_id, "scores": [s.model_dump() for s in body.scores]}


async def _check_record(uow: UnitOfWork, record_id: int | None) -> None:
    if record_id is not None and not await repo.arena_record_visible(uow.conn, uow.principal, record_id):
        raise ValidationFailed("关联的调研记录不存在、无权访问或不是擂台比武记录",
                               errors=[{"field": "record_id", "message": "记录无效"}])


async def _one(uow: UnitOfWork, pid: int) -> PresentationOut:
    rows = await repo.presentations(uow.conn, uow.principal, presentation_id=pid)
    assert rows
    return to_presentation(rows[0])


async def _credit(uow: UnitOfWork, out: PresentationOut, items: list[PresentationEvidenceIn]) -> None:
    """Create evidence items for the presenter, exactly as filing evidence does (revision, outbox, audit)."""
    for item in items:
        text = out.shortcomings if item.judgement.value == "negative" else out.achievements
        evidence_id = await evidence_repo.insert(uow.conn, {
            "cadre_id": out.cadre_id, "domain": item.domain.value, "title": item.title,
            "description": item.description or text, "period_start": item.period_start or out.held_on,
            "period_end": item.period_end or item.period_start or out.held_on,
            "metrics": [m.model_dump() for m in item.metrics], "judgement": item.judgement.value,
            "campaign_id": None, "team_id": None, "created_by": uow.principal.user_id,
            "record_ids": [out.record_id] if out.record_id else [], "attachment_ids": []})
        await repo.link_evidence(uow.conn, out.id, evidence_id)
        row = await evidence_repo.get_visible(uow.conn, uow.principal, evidence_id)
        assert row is not None
        ev: EvidenceOut = evidence_out(row)
        await record_evidence_change(
            uow, ev, action="create", details={"presentation_id": out.id},
            changes={"source": {"presentation_id": out.id, "contest_id": out.contest_id}})


def _check_periods(items: list[PresentationEvidenceIn], held_on: date) -> None:
    for n, item in enumerate(items):
        start = item.period_start or held_on
        if (item.period_end or item.period_start or held_on) < start:
            raise ValidationFailed("实绩结束日期不能早于开始日期",
                                   errors=[{"field": f"evidence.{n}.period_end", "message": "日期有误"}])


async def add_presentation(pool: asyncpg.Pool, principal: Principal, *, contest_id: int,
                           body: PresentationCreate, key: str | None) -> PresentationOut:
    """Record a readable cadre's presentation; any evidence items are created in the same transaction."""

    async def work(uow: UnitOfWork) -> PresentationOut:
        contest = await repo.get_visible(uow.conn, principal, contest_id)
        if contest is None:
            raise NotFound("擂台比武活动不存在")
        cadre = await cadres_repo.get_visible(uow.conn, principal, body.cadre_id)
        if cadre is None:
            raise ValidationFailed("干部不存在或不在您的范围内",
                                   errors=[{"field": "cadre_id", "message": "干部无效"}])
        if await repo.presenting(uow.conn, contest_id, body.cadre_id):
            raise Conflict("该干部已在本次擂台比武中登记发言")
        await _check_record(uow, body.record_id)
        _check_periods(body.evidence, contest["held_on"])
        # A named unit must lie in the officer's scope (another district's unit answers as a missing
        # one): the log counts in that unit's totals.
        if body.unit_id is not None and not await units_repo.writable(uow.conn, principal, body.unit_id):
            raise ValidationFailed("单位不存在或不在您的管理范围内",
                                   errors=[{"field": "unit_id", "message": "单位无效"}])
        unit_id = body.unit_id or cadre["unit_id"]
        pid = await repo.insert_presentation(uow.conn, contest_id, body.cadre_id, unit_id, _content(body),
                                             principal.user_id)
        out = await _one(uow, pid)
        await _credit(uow, out, body.evidence)
        await uow.record_change(ENTITY, pid, version=1, action="create",
                                snapshot=out.model_dump(mode="json"), reindex=[("cadre", out.cadre_id)],
                                audit="contest.present",
                                details={"contest_id": contest_id, "cadre_id": out.cadre_id,
                                         "evidence": len(body.evidence)})
        return await _one(uow, pid)

    out, _ = await run_idempotent(pool, principal, key, fingerprint(f"contest.{contest_id}.present", body),
                                  PresentationOut, work)
    return out


async def _locked_presentation(uow: UnitOfWork, contest_id: int, pid: int) -> PresentationOut:
    rows = await repo.presentations(uow.conn, uow.principal, presentation_id=pid, lock=True)
    if not rows or rows[0]["contest_id"] != contest_id:
        raise NotFound("发言记录不存在")
    return to_presentation(rows[0])


async def update_presentation(pool: asyncpg.Pool, principal: Principal, *, contest_id: int, pid: int,
                              body: PresentationUpdate, if_match: int | None) -> PresentationOut:
    """Replace a presentation's content and scores, refusing a stale version; the revision keeps the old."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        before = await _locked_presentation(uow, contest_id, pid)
        base.check(before.version)
        await _check_record(uow, body.record_id)
        base.applied(await repo.update_presentation(uow.conn, pid, base.version, _content(body)))
        out = await _one(uow, pid)
        old, new = before.model_dump(mode="json"), out.model_dump(mode="json")
        # A presentation's rank and average follow from everyone's scores: not changes of this one.
        changes = diff_snapshots(old, new, derived=("rank", "average_score"))
        await uow.record_change(ENTITY, pid, version=out.version, action="update", snapshot=new,
                                changes=changes, reindex=[("cadre", out.cadre_id)],
                                audit="contest.update_presentation",
                                details={"version": out.version, "fields": sorted(changes)})
        return out


async def add_evidence(pool: asyncpg.Pool, principal: Principal, *, contest_id: int, pid: int,
                       body: EvidenceBatch, key: str | None) -> PresentationOut:
    """Credit further evidence items (positive or negative) from a presentation to its cadre."""

    async def work(uow: UnitOfWork) -> PresentationOut:
        out = await _locked_presentation(uow, contest_id, pid)
        _check_periods(body.evidence, out.held_on)
        await _credit(uow, out, body.evidence)
        return await _one(uow, pid)

    out, _ = await run_idempotent(pool, principal, key, fingerprint(f"contest.presentation.{pid}.evidence",
                                                                    body), PresentationOut, work)
    return out


async def presentation_revisions(pool: asyncpg.Pool, principal: Principal, *, contest_id: int,
                                 pid: int) -> list[RevisionOut]:
    """The revision history of a readable presentation."""
    async with pool.acquire() as conn:
        rows = await repo.presentations(conn, principal, presentation_id=pid)
        if not rows or rows[0]["contest_id"] != contest_id:
            raise NotFound("发言记录不存在")
        out = [RevisionOut(**dict(r)) for r in await list_revisions(conn, ENTITY, pid)]
    await audited_revisions(pool, principal, ENTITY, pid, out)
    return out
