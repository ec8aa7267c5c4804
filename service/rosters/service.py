"""Rosters for officers within scope: export, template, import (preview, then all or nothing), cross-check."""

import hashlib
import json
from functools import partial
from typing import Any

import anyio.to_thread
import asyncpg
from fastapi import Response

from schemas import clock
from schemas.formats import (
    FieldIssue,
    FileReport,
    FileStatus,
    ImportOut,
    RosterCheckOut,
    RosterExportIn,
    SelectionIn,
)
from service.attachments.store import BlobStore
from service.cadres import repo as cadres_repo
from service.config import Settings
from service.errors import Conflict, NotFound, ValidationFailed
from service.forms.blobs import read_blob, save_blob
from service.forms.exporting import MEDIA, download, register
from service.lrmx import repo as imports_repo
from service.lrmx import staged
from service.lrmx.exports import selection_ids
from service.lrmx.service import CHANGED_SINCE_PREVIEW, to_out
from service.principal import Principal
from service.rosters import repo
from service.rosters.columns import BY_KEY, COLUMNS, DEFAULT_EXPORT
from service.rosters.rows import RowPlan, plan_row
from service.rosters.sheets import ReadSheet, export_book, read_book, template_book
from service.uow import unit_of_work


async def export_roster(pool: asyncpg.Pool, principal: Principal, body: RosterExportIn) -> Response:
    """The roster of the cadres in scope matching the filters (or ids / shortlist), chosen columns."""
    unknown = [c for c in body.columns if c not in BY_KEY]
    if unknown:
        raise ValidationFailed("未知的列：" + "、".join(unknown),
                               errors=[{"field": "columns", "message": "可选列：" + "、".join(BY_KEY)}])
    columns = [BY_KEY[c] for c in (body.columns or DEFAULT_EXPORT)]
    today = clock.today()
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        ids = body.cadre_ids
        if body.shortlist_id is not None:
            ids = await selection_ids(conn, principal, SelectionIn(shortlist_id=body.shortlist_id,
                                                                   version=body.version))
        rows = await repo.roster_rows(conn, principal, unit_id=body.unit_id, name=body.name,
                                      tier=body.tier.value if body.tier else None, status=body.status,
                                      cadre_ids=ids)
    if not rows:
        raise ValidationFailed("没有符合条件的干部", errors=[{"field": "filters", "message": "结果为空"}])
    book = partial(export_book, columns, rows, on=today, per_unit=body.per_unit)
    data = await anyio.to_thread.run_sync(book)
    serial = await register(pool, principal, kind="roster", object_ids=[r["id"] for r in rows], data=data,
                            exported_at=clock.now(),
                            details={"rows": len(rows), "columns": [c.key for c in columns],
                                     "filters": body.model_dump(mode="json", exclude={"cadre_ids"})})
    return download(data, f"干部花名册_{len(rows)}人_{serial}.xlsx", media=MEDIA["xlsx"], serial=serial)


async def template(pool: asyncpg.Pool, principal: Principal) -> bytes:
    """The import template with drop-down lists (units: those the officer manages)."""
    async with pool.acquire() as conn:
        codes = await repo.managed_unit_codes(conn, principal)
    return await anyio.to_thread.run_sync(template_book, codes)


async def _plan(conn: asyncpg.Connection, principal: Principal, sheet: ReadSheet,
                check_only: bool = False) -> list[RowPlan]:
    units = await repo.units_by_code(conn, principal)
    ids = [str(r.values.get("national_id") or "").strip().upper() for r in sheet.rows]
    known = await imports_repo.cadres_by_national_id(conn, principal, [i for i in ids if i])
    visible = [cid for cid, ok in known.values() if ok]
    current = {r["id"]: r for r in await repo.roster_rows(
        conn, principal, unit_id=None, name=None, tier=None, status=None, cadre_ids=visible)}
    today = clock.today()
    plans: list[RowPlan] = []
    seen: dict[str, int] = {}
    for sheet_row in sheet.rows:
        plan = plan_row(sheet_row, sheet.columns, units=units, known=known, current_rows=current, on=today,
                        check_only=check_only)
        if plan.national_id and plan.national_id in seen:
            plan.errors.append(plan_error(plan, sheet.columns,
                                          f"与第 {seen[plan.national_id]} 行身份证号相同"))
        seen.setdefault(plan.national_id, plan.row)
        plans.append(plan)
    if not check_only:
        await _check_placements(conn, principal, plans, sheet.columns)
    return plans


async def _check_placements(conn: asyncpg.Connection, principal: Principal, plans: list[RowPlan],
                            letters: dict[str, str]) -> None:
    """A created or moved cadre must land in a unit and tier the officer manages (the unit code is
    checked per row against units managed in some tier; the pair is checked here)."""
    placed = [p for p in plans if p.profile and not p.errors]
    units = sorted({p.profile["unit_id"] for p in placed})
    allowed = await repo.manageable_placements(conn, principal, units) if units else set()
    for p in placed:
        if (p.profile["unit_id"], p.profile["tier"]) not in allowed:
            p.errors.append(FieldIssue(field=BY_KEY["tier"].header, row=p.row, column=letters.get("tier"),
                                       message="该单位的此管理类别不在您的管理范围内"))


def plan_error(plan: RowPlan, letters: dict[str, str], message: str) -> FieldIssue:
    """An error under the ID-number column of a row."""
    return FieldIssue(field="身份证号", message=message, row=plan.row, column=letters.get("national_id"))


def _report(plan: RowPlan) -> FileReport:
    name = str((plan.current or {}).get("name") or plan.profile.get("name") or "")
    status: FileStatus = ("error" if plan.errors else "create" if plan.cadre_id is None
              else "update" if plan.changes else "unchanged")
    return FileReport(name=f"第 {plan.row} 行", status=status, cadre_id=plan.cadre_id, cadre_name=name,
                      changes=plan.changes, errors=plan.errors)


def _compared(plan: RowPlan) -> FileReport:
    """A cross-checked row: same, different (changes and rule breaks listed), missing, or unreadable."""
    report = _report(plan)
    unreadable = plan.current is None and plan.errors
    if not unreadable and plan.current is not None and (plan.changes or plan.errors):
        report.status = "update"
    elif plan.current is None and not unreadable:
        report.status = "create"
    return report


def _sheet_problems(sheet: ReadSheet) -> list[FileReport]:
    return [FileReport(name="表头", status="error", errors=[FieldIssue(field="表头", message=m, row=1,
                                                                        column=c or None)])
            for c, m in sheet.problems]


def _hash(reports: list[FileReport]) -> str:
    body = [r.model_dump(mode="json", include={"name", "status", "cadre_id", "changes"}) for r in reports]
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


async def preview(pool: asyncpg.Pool, principal: Principal, *, settings: Settings, file_name: str,
                  data: bytes) -> ImportOut:
    """Check a roster row by row and stage it with its preview; nothing else is written."""
    sheet = await anyio.to_thread.run_sync(read_book, data)
    store = BlobStore(settings.attachments_dir)
    sha = await save_blob(store, data)
    async with unit_of_work(pool, principal) as uow:
        reports = _sheet_problems(sheet) + [_report(p) for p in await _plan(uow.conn, principal, sheet)]
        import_id = await imports_repo.insert_import(
            uow.conn, "roster", principal.user_id, file_name, sha, len(data), {}, _hash(reports),
            {"files": [r.model_dump(mode="json") for r in reports]})
        uow.audit("roster.import.preview", "format_import", import_id, {"sha256": sha, "rows": len(reports)})
        row = await imports_repo.get_import(uow.conn, import_id, principal.user_id, "roster")
    assert row is not None
    return to_out(row, reports)


async def get_import(pool: asyncpg.Pool, principal: Principal, import_id: int) -> ImportOut:
    """One of the caller's own roster imports, while their scope covers its cadres."""
    return to_out(await staged.owned(pool, principal, import_id=import_id, kind="roster", applying=False))


async def apply(pool: asyncpg.Pool, principal: Principal, *, settings: Settings, import_id: int) -> ImportOut:
    """Write a previewed roster in one transaction: every row or none (applying twice is harmless).
    The rows are planned again with the caller's current scope; a cadre of the preview that left it
    refuses all."""
    await staged.owned(pool, principal, import_id=import_id, kind="roster", applying=True)
    store = BlobStore(settings.attachments_dir)
    async with unit_of_work(pool, principal) as uow:
        row = await imports_repo.get_import(uow.conn, import_id, principal.user_id, "roster", lock=True)
        if row is None:
            raise NotFound("导入记录不存在")
        if row["status"] == "applied":
            return to_out(row)
        sheet = await anyio.to_thread.run_sync(read_book, await read_blob(store, row["sha256"]))
        plans = await _plan(uow.conn, principal, sheet)
        reports = _sheet_problems(sheet) + [_report(p) for p in plans]
        if _hash(reports) != row["preview_hash"]:
            raise Conflict(CHANGED_SINCE_PREVIEW)
        errors = [e for r in reports for e in r.errors]
        if errors:
            raise ValidationFailed(f"花名册有 {len(errors)} 处错误，未导入任何数据", errors=[
                {"field": f"第{e.row}行 {e.column or ''}列 {e.field}", "message": e.message}
                for e in errors][:500])
        for plan, report in zip(plans, reports[len(reports) - len(plans):], strict=True):
            if report.status not in ("create", "update"):
                continue
            if plan.cadre_id is None:
                cadre_id = await cadres_repo.insert(uow.conn, plan.profile, principal.user_id)
                version = 1
            else:
                cadre_id = plan.cadre_id
                current = await cadres_repo.lock_visible(uow.conn, principal, cadre_id)
                if current is None or not await cadres_repo.update(uow.conn, cadre_id, current["version"],
                                                                     plan.profile):
                    raise Conflict("干部数据已被他人修改，请重新预览")
                version = current["version"] + 1
            report.cadre_id = cadre_id
            snapshot = {k: str(v) if v is not None else None for k, v in plan.profile.items()
                        if k != "national_id"}
            await uow.record_change(
                "cadre", cadre_id, version=version, action="roster_import", snapshot=snapshot,
                changes={c.field: {"before": c.before, "after": c.after} for c in plan.changes
                         if c.field != "身份证号"},
                reindex=[("cadre", cadre_id)], audit="cadre.import",
                details={"version": version, "import_id": import_id,
                         "fields": sorted(c.field for c in plan.changes)})
        await imports_repo.mark_applied(uow.conn, import_id,
                                        {"files": [r.model_dump(mode="json") for r in reports]})
        uow.audit("roster.import.apply", "format_import", import_id, {"rows": len(plans)})
        applied = await imports_repo.get_import(uow.conn, import_id, principal.user_id, "roster")
    assert applied is not None
    return to_out(applied, reports)


async def cross_check(pool: asyncpg.Pool, principal: Principal, *, file_name: str,
                      data: bytes) -> RosterCheckOut:
    """Compare a roster with the registry, person by person, field by field (nothing is written)."""
    sheet = await anyio.to_thread.run_sync(read_book, data)
    async with unit_of_work(pool, principal) as uow:
        reports = _sheet_problems(sheet) + [_compared(p) for p in await _plan(uow.conn, principal, sheet,
                                                                              check_only=True)]
        out = RosterCheckOut(
            file_name=file_name, rows=reports,
            same=sum(r.status == "unchanged" for r in reports),
            different=sum(r.status == "update" for r in reports),
            missing=sum(r.status == "create" for r in reports),
            errors=sum(r.status == "error" for r in reports))
        uow.audit("roster.check", None, None, {"sha256": hashlib.sha256(data).hexdigest(),
                                                "rows": len(reports), "different": out.different,
                                                "missing": out.missing})
    return out


def column_catalogue() -> list[dict[str, Any]]:
    """The columns a roster export may choose, with their Chinese headers."""
    return [{"key": c.key, "header": c.header, "importable": c.importable,
             "default": c.key in DEFAULT_EXPORT} for c in COLUMNS]
