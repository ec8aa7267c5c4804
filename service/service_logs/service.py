"""Rules for leaders' service logs: scope, versions, voiding instead of deleting, totals."""

from typing import Any

import asyncpg

from schemas.records import RevisionOut
from schemas.service_logs import (
    GroupBy,
    ServiceLogContent,
    ServiceLogCreate,
    ServiceLogFilter,
    ServiceLogOut,
    ServiceLogPage,
    ServiceLogUpdate,
    ServiceTotals,
    ServiceTotalsOut,
    VoidIn,
)
from service.cadres import repo as cadres_repo
from service.errors import Conflict, NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.revisions import diff_snapshots, list_revisions
from service.service_logs import from_records, repo
from service.units import repo as units_repo
from service.uow import UnitOfWork, audit_only, audited_revisions, unit_of_work
from service.versioning import BaseVersion, require_version

ENTITY = "service_log"


def to_out(row: asyncpg.Record) -> ServiceLogOut:
    """Log row to API model."""
    return ServiceLogOut(**{k: row[k] for k in ServiceLogOut.model_fields})


def _content(body: ServiceLogContent) -> dict[str, Any]:
    return body.model_dump(include={"served_on", "place", "items_handled", "problems_solved",
                                    "rectification_proposals", "processes_improved", "notes", "record_id"})


async def _check_record(uow: UnitOfWork, record_id: int | None) -> None:
    if record_id is not None and not await repo.record_visible(uow.conn, uow.principal, record_id):
        raise ValidationFailed("关联的调研记录不存在或无权访问",
                               errors=[{"field": "record_id", "message": "记录无效"}])


async def _changed(uow: UnitOfWork, out: ServiceLogOut, action: str,
                   changes: dict[str, Any] | None = None) -> None:
    # The cadre's search text carries their service totals.
    await uow.record_change(ENTITY, out.id, version=out.version, action=action,
                            snapshot=out.model_dump(mode="json"), changes=changes,
                            reindex=[("cadre", out.cadre_id)],
                            details={"version": out.version, "cadre_id": out.cadre_id})


async def create_log(pool: asyncpg.Pool, principal: Principal, *, body: ServiceLogCreate,
                     key: str | None) -> ServiceLogOut:
    """Log a session or visit of a leader in the officer's scope."""

    async def work(uow: UnitOfWork) -> ServiceLogOut:
        cadre = await cadres_repo.get_visible(uow.conn, principal, body.cadre_id)
        if cadre is None:
            raise ValidationFailed("干部不存在或不在您的范围内",
                                   errors=[{"field": "cadre_id", "message": "干部无效"}])
        # A named unit must lie in the officer's scope (another district's unit answers as a missing
        # one): the log counts in that unit's totals.
        if body.unit_id is not None and not await units_repo.writable(uow.conn, principal, body.unit_id):
            raise ValidationFailed("单位不存在或不在您的管理范围内",
                                   errors=[{"field": "unit_id", "message": "单位无效"}])
        unit_id = body.unit_id or cadre["unit_id"]
        await _check_record(uow, body.record_id)
        await from_records.refuse_second_place(uow, body.record_id)
        log_id = await repo.insert(uow.conn, {**_content(body), "kind": body.kind.value,
                                              "cadre_id": body.cadre_id, "unit_id": unit_id},
                                   principal.user_id)
        row = await repo.get_visible(uow.conn, principal, log_id)
        assert row is not None
        out = to_out(row)
        await _changed(uow, out, "create")
        return out

    out, _ = await run_idempotent(pool, principal, key, fingerprint("service_log.create", body),
                                  ServiceLogOut, work)
    return out


async def get_log(pool: asyncpg.Pool, principal: Principal, log_id: int) -> ServiceLogOut:
    """One readable log (the read is audited)."""
    async with unit_of_work(pool, principal) as uow:
        row = await repo.get_visible(uow.conn, principal, log_id)
        if row is None:
            raise NotFound("服务记录不存在")
        uow.audit("service_log.read", ENTITY, log_id)
        return to_out(row)


async def list_logs(pool: asyncpg.Pool, principal: Principal, *, filters: ServiceLogFilter, limit: int,
                    offset: int) -> ServiceLogPage:
    """Readable logs with filters, newest first."""
    async with pool.acquire() as conn:
        rows, total = await repo.search(conn, principal, filters=filters, limit=limit, offset=offset)
    items = [to_out(r) for r in rows]
    # Each log names the cadre served: a read of personal data, audited.
    await audit_only(pool, principal, "service_log.list", ENTITY, None,
                     {"ids": [i.id for i in items], "total": total})
    return ServiceLogPage(items=items, total=total, limit=limit, offset=offset)


async def _locked(uow: UnitOfWork, log_id: int, base: BaseVersion) -> asyncpg.Record:
    row = await repo.get_visible(uow.conn, uow.principal, log_id, lock=True)
    if row is None:
        raise NotFound("服务记录不存在")
    if row["voided_at"] is not None:
        raise Conflict("服务记录已作废")
    if row["record_id"] is not None and await repo.record_window_service(uow.conn, row["record_id"]):
        raise Conflict("该服务记录由窗口服务调研记录自动生成，请补正调研记录")
    base.check(row["version"])
    return row


async def update_log(pool: asyncpg.Pool, principal: Principal, *, log_id: int, body: ServiceLogUpdate,
                     if_match: int | None) -> ServiceLogOut:
    """Replace a log's content, refusing a stale version; the revision keeps the old values."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        row = await _locked(uow, log_id, base)
        await _check_record(uow, body.record_id)
        await from_records.refuse_second_place(uow, body.record_id)
        before = to_out(row).model_dump(mode="json")
        await repo.update(uow.conn, log_id, base.version, _content(body))
        fresh = await repo.get_visible(uow.conn, principal, log_id)
        assert fresh is not None
        out = to_out(fresh)
        await _changed(uow, out, "update", diff_snapshots(before, out.model_dump(mode="json")))
        return out


async def void_log(pool: asyncpg.Pool, principal: Principal, *, log_id: int, body: VoidIn,
                   if_match: int | None) -> ServiceLogOut:
    """Void a mistaken log: kept with the reason, excluded from totals."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        await _locked(uow, log_id, base)
        await repo.void(uow.conn, log_id, base.version, body.reason, principal.user_id)
        fresh = await repo.get_visible(uow.conn, principal, log_id)
        assert fresh is not None
        out = to_out(fresh)
        await _changed(uow, out, "void", {"reason": body.reason})
        return out


async def totals(pool: asyncpg.Pool, principal: Principal, *, group_by: str,
                 filters: ServiceLogFilter) -> ServiceTotalsOut:
    """Sessions, items, problems, proposals and processes per leader or unit over any period."""
    date_from, date_to = filters.date_from, filters.date_to
    if date_from and date_to and date_to < date_from:
        raise ValidationFailed("结束日期不能早于开始日期",
                               errors=[{"field": "date_to", "message": "日期有误"}])
    async with pool.acquire() as conn:
        overall, rows = await repo.totals(conn, principal, group_by=group_by, filters=filters)
    # Totals per leader name each cadre with what they did: a read of personal data, audited.
    await audit_only(pool, principal, "service_log.totals", ENTITY, None,
                     {"group_by": group_by, "ids": [r["id"] for r in rows]})
    return ServiceTotalsOut(group_by=GroupBy(group_by), date_from=date_from, date_to=date_to,
                            kind=filters.kind,
                            overall=ServiceTotals(**dict(overall)),
                            rows=[ServiceTotals(**dict(r)) for r in rows])


async def log_revisions(pool: asyncpg.Pool, principal: Principal, log_id: int) -> list[RevisionOut]:
    """The revision history of a readable log."""
    async with pool.acquire() as conn:
        if await repo.get_visible(conn, principal, log_id) is None:
            raise NotFound("服务记录不存在")
        out = [RevisionOut(**dict(r)) for r in await list_revisions(conn, ENTITY, log_id)]
    await audited_revisions(pool, principal, ENTITY, log_id, out)
    return out
