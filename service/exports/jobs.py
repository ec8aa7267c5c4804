"""Batch export jobs as their owner sees them: create, follow, download."""

import logging
from pathlib import Path
from typing import Any

import anyio
import asyncpg

from schemas.common import Role
from schemas.export_jobs import BatchExportIn, ExportJobOut
from service.access.roles import OFFICE
from service.cadres import repo as cadres_repo
from service.cadres.service import SENSITIVE_ROLES
from service.config import Settings
from service.errors import Conflict, Forbidden, NotFound
from service.exports import repo
from service.exports.batch import unique_ids
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.shortlists.pdf import shortlist_cadre_ids
from service.uow import UnitOfWork, audit_only, unit_of_work

log = logging.getLogger("cadre.exports")


def zip_path(settings: Settings, job_id: int) -> Path:
    """Where a job's zip lives (data_dir must be shared by all service processes)."""
    return settings.data_dir / "exports" / f"{job_id}.zip"


def zip_name(job_id: int) -> str:
    """The download's file name."""
    return f"干部实绩档案批量导出_{job_id}.zip"


def to_out(row: asyncpg.Record, refused: str | None = None) -> ExportJobOut:
    """Job row to API model; `refused`: why its owner may no longer download the zip (no link then)."""
    status_url = f"/api/exports/jobs/{row['id']}"
    return ExportJobOut(
        id=row["id"], status=row["status"], total=row["total"], done=row["done"],
        exported=row["exported"], not_found=list(row["not_found"]), error=row["error"],
        zip_sha256=row["zip_sha256"], zip_size=row["zip_size"], created_at=row["created_at"],
        started_at=row["started_at"], finished_at=row["finished_at"], status_url=status_url,
        download_url=f"{status_url}/download" if row["status"] == "done" and refused is None else None,
        download_refused=refused,
    )


def refusal(reason: str) -> str:
    """The words of a refused download (the download's 403 and the job's status say the same)."""
    return f"{reason}，不能再下载此导出文件；如仍需要，请以现在的账号重新导出"


async def create_job(pool: asyncpg.Pool, principal: Principal, *, body: BatchExportIn,
                     key: str | None) -> ExportJobOut:
    """Queue a batch export of dossiers; scope is applied per cadre when the job runs."""

    async def work(uow: UnitOfWork) -> ExportJobOut:
        source: dict[str, int] = {}
        if body.shortlist_id is not None and body.version is not None:
            ids = await shortlist_cadre_ids(uow.conn, principal, position_id=body.shortlist_id,
                                                    version=body.version)
            if not ids:
                raise NotFound("候选人名单不存在或没有候选人")
            source = {"shortlist_id": body.shortlist_id, "version": body.version}
        else:
            ids = unique_ids(body.cadre_ids or [])
        row = await repo.insert_job(uow.conn, principal.user_id, ids, source, principal.source_ip)
        uow.audit("export.batch.create", "export_job", row["id"], {"total": row["total"], **source})
        return to_out(row)

    out, _ = await run_idempotent(pool, principal, key, fingerprint("export.batch", body),
                                  ExportJobOut, work)
    return out


async def get_job(pool: asyncpg.Pool, principal: Principal, job_id: int) -> ExportJobOut:
    """A job's progress, for the user who requested it only; a finished job offers its download only
    while the download would be handed out (the owner's current role and scope, as open_download)."""
    async with pool.acquire() as conn:
        row = await repo.job_of_owner(conn, job_id, principal.user_id)
        if row is None:
            raise NotFound("导出任务不存在")
        refused = await _no_longer_covered(conn, principal, row) if row["status"] == "done" else None
    return to_out(row, None if refused is None else refusal(refused["reason"]))


async def _no_longer_covered(conn: asyncpg.Connection, principal: Principal,
                             row: asyncpg.Record) -> dict[str, Any] | None:
    """Why the owner may no longer have a finished zip (audit details), or None if they may.

    The zip was built with the owner's role and scope of that time: an officer's holds whole ID
    numbers. It is handed out only while the owner's current role may see what it holds and their
    current scope covers every cadre in it. Zips from before `built_as` count as an officer's.
    """
    built = Role(row["built_as"] or Role.officer)
    details: dict[str, Any] = {"role": principal.role.value, "built_as": built.value,
                               "sha256": row["zip_sha256"]}
    if principal.role not in OFFICE or (built in SENSITIVE_ROLES and principal.role not in SENSITIVE_ROLES):
        return {**details, "reason": "导出后账号角色已变更，压缩包内容超出现角色的查阅权限"}
    skipped = set(row["not_found"])
    exported = [c for c in row["cadre_ids"] if c not in skipped]
    visible = await cadres_repo.visible_ids(conn, principal, exported)
    outside = [c for c in exported if c not in visible]
    if outside:
        return {**details, "reason": "导出后查阅范围已变更，压缩包中有干部已不在范围内", "cadre_ids": outside}
    return None


async def open_download(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                        job_id: int) -> tuple[ExportJobOut, Path]:
    """A finished job's zip for its owner while their current role and scope still cover what it
    holds (else 403, audited as a refused access); the download is audited with the zip's SHA-256."""
    async with unit_of_work(pool, principal) as uow:
        row = await repo.job_of_owner(uow.conn, job_id, principal.user_id)
        if row is None:
            raise NotFound("导出任务不存在")
        job = to_out(row)
        if job.status != "done":
            raise Conflict("导出任务尚未完成" if job.status in ("queued", "running") else "导出任务失败",
                           job_status=job.status)
        refused = await _no_longer_covered(uow.conn, principal, row)
        if refused is None:
            path = zip_path(settings, job_id)
            if not await anyio.Path(path).is_file():
                # data_dir not shared between service processes, or files removed by hand.
                log.error("export zip missing", extra={"job_id": job_id, "path": str(path)})
                raise RuntimeError(f"zip of export job {job_id} is missing")
            uow.audit("export.batch.download", "export_job", job_id,
                      {"sha256": job.zip_sha256, "size": job.zip_size, "exported": job.exported})
    if refused is not None:
        # Outside the transaction above, which wrote nothing: the refusal is on record on its own.
        await audit_only(pool, principal, "access.refused", "export_job", job_id,
                         {"method": "GET", "path": job.download_url, **refused})
        raise Forbidden(refusal(refused["reason"]))
    return job, path
