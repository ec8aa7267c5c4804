"""LRMX import (preview, then apply all or nothing) and export, for officers within scope."""

from collections.abc import Callable
from datetime import date

import asyncpg

from schemas import clock
from schemas.formats import FileReport, ImportOptions, ImportOut, ImportSummary
from schemas.posts import unit_post
from service.attachments import repo as attachments_repo
from service.attachments.store import BlobStore
from service.cadres import repo as cadres_repo
from service.config import Settings
from service.errors import Conflict, NotFound, ValidationFailed
from service.forms import repo as forms_repo
from service.forms.blobs import read_blob, save_blob
from service.forms.display import display
from service.forms.load import load_form
from service.forms.write import form_row, photo_changed, store_photo, write_details
from service.lrmx import repo, staged
from service.lrmx.archive import ArchiveError, Member, members
from service.lrmx.mapping import to_lrmx
from service.lrmx.plan import Planned, plan, plan_hash
from service.lrmx.writer import write
from service.principal import Principal
from service.uow import UnitOfWork, unit_of_work

SOURCE_TYPE = "application/xml"
CHANGED_SINCE_PREVIEW = "自预览以来数据或您的管理范围已有变化，请重新上传并预览后再导入"


def _summary(files: list[FileReport]) -> ImportSummary:
    count = {s: sum(1 for f in files if f.status == s) for s in ("create", "update", "unchanged", "error")}
    return ImportSummary(files=len(files), **count)


def to_out(row: asyncpg.Record, files: list[FileReport] | None = None) -> ImportOut:
    """A staged import row as the API shows it (the result once applied, else the preview)."""
    stored = row["result"] if row["status"] == "applied" and row["result"] else row["report"]
    reports = files if files is not None else [FileReport(**f) for f in stored["files"]]
    return ImportOut(id=row["id"], kind=row["kind"], file_name=row["file_name"], sha256=row["sha256"],
                     status=row["status"], created_at=row["created_at"], applied_at=row["applied_at"],
                     summary=_summary(reports), files=reports,
                     apply_url=f"{staged.status_path(row['kind'], row['id'])}/apply")


def _members(data: bytes, name: str) -> list[Member]:
    try:
        return members(data, name)
    except ArchiveError as exc:
        raise ValidationFailed(str(exc), errors=[{"field": "file", "message": str(exc)}]) from exc


async def preview(pool: asyncpg.Pool, principal: Principal, *, settings: Settings, file_name: str,
                  data: bytes, options: ImportOptions,
                  progress: Callable[[int], None] | None = None) -> ImportOut:
    """Check an upload and stage it with its field-by-field preview; nothing else is written."""
    files = _members(data, file_name)
    if progress is not None:
        progress(len(files))
    store = BlobStore(settings.attachments_dir)
    sha = await save_blob(store, data)
    async with unit_of_work(pool, principal) as uow:
        planned = await plan(uow.conn, principal, store=store, members=files, options=options,
                             progress=None if progress is None else lambda: progress(0))
        reports = [p.report for p in planned]
        import_id = await repo.insert_import(
            uow.conn, "lrmx", principal.user_id, file_name, sha, len(data),
            options.model_dump(mode="json"), plan_hash(planned),
            {"files": [r.model_dump(mode="json") for r in reports]})
        uow.audit("lrmx.import.preview", "format_import", import_id,
                  {"sha256": sha, "files": len(files), **_summary(reports).model_dump()})
        row = await repo.get_import(uow.conn, import_id, principal.user_id, "lrmx")
    assert row is not None
    return to_out(row, reports)


async def get_import(pool: asyncpg.Pool, principal: Principal, import_id: int) -> ImportOut:
    """One of the caller's own staged imports, while their scope covers its cadres."""
    return to_out(await staged.owned(pool, principal, import_id=import_id, kind="lrmx", applying=False))


async def _keep_source(uow: UnitOfWork, store: BlobStore, import_id: int, cadre_id: int, p: Planned) -> str:
    """Keep the original file as an attachment linked to the cadre (provenance); its SHA-256."""
    sha = await save_blob(store, p.member.data)
    source = await attachments_repo.insert(uow.conn, sha, len(p.member.data), SOURCE_TYPE,
                                           p.member.name.rsplit("/", 1)[-1][:255] or "导入.lrmx",
                                           uow.principal.user_id)
    await forms_repo.insert_source(uow.conn, cadre_id, import_id, source["id"], p.member.name[:255], sha)
    return sha


async def _write_one(uow: UnitOfWork, store: BlobStore, import_id: int, p: Planned) -> None:
    assert p.after is not None and p.place is not None
    profile = dict(p.profile)
    if photo_changed(p.before, p.after):
        assert p.after.photo is not None
        profile["photo_attachment_id"] = await store_photo(uow, store, photo=p.after.photo, name=p.after.name)
    if p.report.cadre_id is None:
        cadre_id = await cadres_repo.insert(uow.conn, profile, uow.principal.user_id)
        version = 1
    else:
        cadre_id = p.report.cadre_id
        current = await cadres_repo.lock_visible(uow.conn, uow.principal, cadre_id)
        if current is None:
            raise NotFound("干部不存在")
        if not await cadres_repo.update(uow.conn, cadre_id, current["version"], profile):
            raise Conflict("干部数据已被他人修改，请重新预览")
        version = current["version"] + 1
    await forms_repo.upsert_form(uow.conn, cadre_id, form_row(p.after, p.place))
    await write_details(uow, cadre_id, before=p.before, after=p.after)
    sha = await _keep_source(uow, store, import_id, cadre_id, p)
    snapshot = {k: v for k, v in display(p.after).items() if k != "身份证号"}
    changes = {c.field: ("已变更" if c.field == "身份证号" else {"before": c.before, "after": c.after})
               for c in p.report.changes}
    await uow.record_change("cadre", cadre_id, version=version, action="lrmx_import",
                            snapshot={"form": snapshot, "source_sha256": sha, "import_id": import_id},
                            changes=changes, reindex=[("cadre", cadre_id)], audit="cadre.import",
                            details={"version": version, "import_id": import_id, "source_sha256": sha,
                                     "fields": sorted(c.field for c in p.report.changes)})
    p.report.cadre_id = cadre_id


async def apply(pool: asyncpg.Pool, principal: Principal, *, settings: Settings, import_id: int,
                progress: Callable[[int], None] | None = None) -> ImportOut:
    """Write a previewed import in one transaction: every file or none (safe to retry). The plan is
    made again with the caller's current scope; a cadre of the preview that left it refuses all."""
    await staged.owned(pool, principal, import_id=import_id, kind="lrmx", applying=True)
    store = BlobStore(settings.attachments_dir)
    async with unit_of_work(pool, principal) as uow:
        row = await repo.get_import(uow.conn, import_id, principal.user_id, "lrmx", lock=True)
        if row is None:
            raise NotFound("导入记录不存在")
        if row["status"] == "applied":
            return to_out(row)
        files = _members(await read_blob(store, row["sha256"]), row["file_name"])
        planned = await plan(uow.conn, principal, store=store, members=files,
                             options=ImportOptions(**row["options"]))
        if plan_hash(planned) != row["preview_hash"]:
            raise Conflict(CHANGED_SINCE_PREVIEW)
        failed = [p.report for p in planned if p.report.status == "error"]
        if failed:
            raise ValidationFailed(
                f"{len(failed)} 个文件有错误，未导入任何数据",
                errors=[{"field": f"{r.name}：{e.field}", "message": e.message}
                        for r in failed for e in r.errors][:500])
        if progress is not None:
            progress(len(planned))
        for p in planned:
            if p.report.status in ("create", "update"):
                await _write_one(uow, store, import_id, p)
            elif p.report.status == "unchanged" and p.report.cadre_id is not None:
                # Nothing to change, but the file was confirmed as this cadre's form: keep it.
                sha = await _keep_source(uow, store, import_id, p.report.cadre_id, p)
                uow.audit("cadre.import.source", "cadre", p.report.cadre_id,
                          {"import_id": import_id, "source_sha256": sha})
            if progress is not None:
                progress(0)
        reports = [p.report for p in planned]
        await repo.mark_applied(uow.conn, import_id, {"files": [r.model_dump(mode="json") for r in reports]})
        uow.audit("lrmx.import.apply", "format_import", import_id, _summary(reports).model_dump())
        applied = await repo.get_import(uow.conn, import_id, principal.user_id, "lrmx")
    assert applied is not None
    return to_out(applied, reports)


async def promotion_fields(conn: asyncpg.Connection, principal: Principal,
                           promotion_id: int) -> tuple[int, dict[str, str]]:
    """The cadre of a readable promotion record and the 拟任/拟免/任免理由 it fills in."""
    row = await repo.promotion_for_form(conn, principal, promotion_id)
    if row is None:
        raise NotFound("选任记录不存在")
    cadre = await cadres_repo.get_visible(conn, principal, row["cadre_id"])
    if cadre is None:
        raise NotFound("选任记录不存在")
    removed = "" if row["kind"] == "rank_promotion" else unit_post(cadre["unit_name"], cadre["post"])
    return row["cadre_id"], {"proposed_post": row["target_unit"] + row["target_post"],
                             "removed_post": removed, "reason": row["reason"] or ""}


async def lrmx_files(conn: asyncpg.Connection, principal: Principal, *, settings: Settings,
                     cadre_ids: list[int], reference: date | None = None,
                     overrides: dict[str, str] | None = None,
                     progress: Callable[[], None] | None = None) -> tuple[list[tuple[str, bytes]], list[int]]:
    """The .lrmx file of each readable cadre (named 姓名.lrmx) and the ids not found."""
    store = BlobStore(settings.attachments_dir)
    today = clock.today()
    files, missing = [], []
    for cadre_id in cadre_ids:
        if progress is not None:
            progress()
        form = await load_form(conn, principal, store=store, cadre_id=cadre_id)
        if form is None:
            missing.append(cadre_id)
            continue
        for key, value in (overrides or {}).items():
            setattr(form, key, value)
        doc = to_lrmx(form, reference=reference or today, filled_on=today, filled_by=principal.display_name)
        files.append((f"{form.name}.lrmx", write(doc)))
    return files, missing

