"""Rules for achievement evidence: who may file, amend and verify it."""

from typing import Any

import asyncpg

from schemas.common import Role
from schemas.evidence import (
    EvidenceCreate,
    EvidenceFilter,
    EvidenceOut,
    EvidencePage,
    EvidenceUpdate,
    VerificationIn,
)
from schemas.records import RevisionOut
from service.cadres import repo as cadres_repo
from service.campaigns import repo as campaigns_repo
from service.errors import Conflict, NotFound, ValidationFailed
from service.evidence import repo
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.records import repo as records_repo
from service.revisions import diff_snapshots, kept_links, linked_in_changes, links_as_read, list_revisions
from service.uow import UnitOfWork, audit_only, unit_of_work
from service.versioning import require_version


def to_out(row: asyncpg.Record) -> EvidenceOut:
    """Evidence row to API model."""
    return EvidenceOut(**{k: row[k] for k in EvidenceOut.model_fields})


async def as_read(conn: asyncpg.Connection, principal: Principal,
                  items: list[EvidenceOut]) -> list[EvidenceOut]:
    """Evidence as its reader may see it: only the cited field records they may read are listed
    (a record about cadres of another district or tier is not even named by its id)."""
    cited = sorted({r for e in items for r in e.record_ids})
    readable = await repo.visible_record_ids(conn, principal, cited) if cited else set()
    return [e.model_copy(update={"record_ids": [r for r in e.record_ids if r in readable]}) for e in items]


async def _one_as_read(conn: asyncpg.Connection, principal: Principal, item: EvidenceOut) -> EvidenceOut:
    return (await as_read(conn, principal, [item]))[0]


def _content(body: EvidenceCreate | EvidenceUpdate) -> dict[str, Any]:
    return {"domain": body.domain.value, "title": body.title, "description": body.description,
            "period_start": body.period_start, "period_end": body.period_end,
            "metrics": [m.model_dump() for m in body.metrics], "judgement": body.judgement.value,
            "record_ids": body.record_ids, "attachment_ids": body.attachment_ids}


async def _check_links(uow: UnitOfWork, body: EvidenceCreate | EvidenceUpdate) -> None:
    if body.record_ids and await repo.visible_record_count(
            uow.conn, uow.principal, body.record_ids) != len(set(body.record_ids)):
        raise ValidationFailed("关联的调研记录不存在或无权访问",
                               errors=[{"field": "record_ids", "message": "记录无效"}])
    if body.attachment_ids and await records_repo.own_attachments(
            uow.conn, uow.principal.user_id, body.attachment_ids) != len(set(body.attachment_ids)):
        raise ValidationFailed("附件不存在或不是本人上传",
                               errors=[{"field": "attachment_ids", "message": "附件无效"}])


async def _reload(uow: UnitOfWork, evidence_id: int) -> EvidenceOut:
    row = await repo.get_visible(uow.conn, uow.principal, evidence_id)
    assert row is not None
    return to_out(row)


async def record_evidence_change(uow: UnitOfWork, out: EvidenceOut, *, action: str,
                                 changes: dict[str, Any] | None = None,
                                 details: dict[str, Any] | None = None) -> None:
    """Record a change of an evidence item: revision, its and its cadre's search rows, audit."""
    await uow.record_change("evidence", out.id, version=out.version, action=action,
                            snapshot=out.model_dump(mode="json"), changes=changes,
                            reindex=[("evidence", out.id), ("cadre", out.cadre_id)],
                            details={"version": out.version, "cadre_id": out.cadre_id, **(details or {})})


async def create_evidence(pool: asyncpg.Pool, principal: Principal, *, body: EvidenceCreate,
                          key: str | None) -> EvidenceOut:
    """File evidence for a readable cadre; researchers file within an open team of theirs."""

    async def work(uow: UnitOfWork) -> EvidenceOut:
        if await cadres_repo.get_visible(uow.conn, principal, body.cadre_id) is None:
            raise ValidationFailed("干部不存在或不在您的范围内",
                                   errors=[{"field": "cadre_id", "message": "干部无效"}])
        if principal.role is Role.researcher or body.team_id is not None:
            if body.team_id is None or body.campaign_id is None or (
                    await campaigns_repo.team_for_filing(uow.conn, principal.user_id,
                                                         body.campaign_id, body.team_id)) is None:
                raise ValidationFailed("只能在本人所在且正在进行的调研活动和调研组内填报",
                                       errors=[{"field": "team_id", "message": "调研组无效"}])
        elif body.campaign_id is not None and not await campaigns_repo.visible_campaign_ids(
                uow.conn, principal, body.campaign_id):
            raise ValidationFailed("调研活动不存在",
                                   errors=[{"field": "campaign_id", "message": "调研活动不存在"}])
        await _check_links(uow, body)
        evidence_id = await repo.insert(uow.conn, {
            **_content(body), "cadre_id": body.cadre_id, "campaign_id": body.campaign_id,
            "team_id": body.team_id, "created_by": principal.user_id})
        out = await _reload(uow, evidence_id)
        await record_evidence_change(uow, out, action="create")
        return await _one_as_read(uow.conn, principal, out)

    out, _ = await run_idempotent(pool, principal, key, fingerprint("evidence.create", body),
                                  EvidenceOut, work)
    return out


async def get_evidence(pool: asyncpg.Pool, principal: Principal, evidence_id: int) -> EvidenceOut:
    """One readable evidence item (the read is audited)."""
    async with unit_of_work(pool, principal) as uow:
        row = await repo.get_visible(uow.conn, principal, evidence_id)
        if row is None:
            raise NotFound("实绩不存在")
        uow.audit("evidence.read", "evidence", evidence_id)
        return await _one_as_read(uow.conn, principal, to_out(row))


async def list_evidence(pool: asyncpg.Pool, principal: Principal, *, filters: EvidenceFilter,
                        limit: int, offset: int) -> EvidencePage:
    """Readable evidence with simple filters."""
    async with pool.acquire() as conn:
        rows, total = await repo.search(conn, principal, filters=filters, limit=limit, offset=offset)
        items = await as_read(conn, principal, [to_out(r) for r in rows])
    # One entry per list call, naming every item it returned (full texts of personal data).
    await audit_only(pool, principal, "evidence.list", "evidence", None,
                     {"ids": [e.id for e in items], "total": total, "cadre_id": filters.cadre_id})
    return EvidencePage(items=items, total=total, limit=limit, offset=offset)


async def update_evidence(pool: asyncpg.Pool, principal: Principal, *, evidence_id: int,
                          body: EvidenceUpdate, if_match: int | None) -> EvidenceOut:
    """Amend evidence (its filer or an officer); verified evidence needs a reason and is re-verified."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        row = await repo.get_visible(uow.conn, principal, evidence_id, lock=True)
        if row is None:
            raise NotFound("实绩不存在")
        if row["created_by"] != principal.user_id and principal.role is not Role.officer:
            raise Conflict("只有填报人或干部工作人员可以补正实绩")
        base.check(row["version"])
        if row["verification"] != "claimed" and not body.reason:
            raise ValidationFailed("补正已核实或有异议的实绩须说明理由",
                                   errors=[{"field": "reason", "message": "必填"}])
        await _check_links(uow, body)
        before = to_out(row)
        # Cited records the amending reader may not read were not shown to them: they stay cited.
        shown = await _one_as_read(uow.conn, principal, before)
        content = _content(body)
        content["record_ids"] = kept_links(before.record_ids, shown.record_ids, body.record_ids)
        await repo.update_content(uow.conn, evidence_id, base.version, content)
        out = await _reload(uow, evidence_id)
        changes = diff_snapshots(before.model_dump(mode="json"), out.model_dump(mode="json"))
        if body.reason:
            changes["reason"] = body.reason
        await record_evidence_change(uow, out, action="amend", changes=changes)
        return await _one_as_read(uow.conn, principal, out)


async def verify_evidence(pool: asyncpg.Pool, principal: Principal, *, evidence_id: int,
                          body: VerificationIn, if_match: int | None) -> EvidenceOut:
    """Verify or dispute evidence; nobody verifies what they filed themselves."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        row = await repo.get_visible(uow.conn, principal, evidence_id, lock=True)
        if row is None:
            raise NotFound("实绩不存在")
        if row["created_by"] == principal.user_id:
            raise Conflict("不能核实本人填报的实绩")
        if body.verification == "disputed" and not body.note:
            raise ValidationFailed("标记有异议须填写说明", errors=[{"field": "note", "message": "必填"}])
        base.applied(await repo.set_verification(uow.conn, evidence_id, base.version, body.verification,
                                                 principal.user_id, body.note))
        out = await _reload(uow, evidence_id)
        await record_evidence_change(uow, out, action=body.verification, changes={
            "verification": [row["verification"], body.verification], "note": body.note})
        return await _one_as_read(uow.conn, principal, out)


async def evidence_revisions(pool: asyncpg.Pool, principal: Principal,
                             evidence_id: int) -> list[RevisionOut]:
    """The revision history of readable evidence."""
    async with pool.acquire() as conn:
        if await repo.get_visible(conn, principal, evidence_id) is None:
            raise NotFound("实绩不存在")
        revisions = await list_revisions(conn, "evidence", evidence_id)
        # Earlier citations too: a record cited once and dropped since is named only to its readers.
        cited = sorted(linked_in_changes(revisions, "record_ids"))
        readable = await repo.visible_record_ids(conn, principal, cited) if cited else set()
        out = [RevisionOut(**{**dict(r), "changes": links_as_read(r["changes"], "record_ids", readable)})
               for r in revisions]
    # Revisions hold full earlier texts: a read of personal data like any other.
    await audit_only(pool, principal, "evidence.revisions.read", "evidence", evidence_id,
                     {"versions": [r.version for r in out]})
    return out
