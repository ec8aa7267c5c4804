"""Batch export jobs as their owner sees them: create, follow, download."""

import logging
from pathlib import Path

import anyio
import asyncpg

from schemas.export_jobs import BatchExportIn, ExportJobOut
from service.config import Settings
from service.errors import Conflict, NotFound
from service.exports import repo
from service.exports.batch import unique_ids
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.shortlists.pdf import shortlist_cadre_ids
from service.uow import UnitOfWork, unit_of_work

log = logging.getLogger("cadre.exports")


def zip_path(settings: Settings, job_id: int) -> Path:
    """Where a job's zip lives (data_dir must be shared by all service processes)."""
    return settings.data_dir / "exports" / f"{job_id}.zip"


def zip_name(job_id: int) -> str:
    """The download's file name."""
    return f"干部实绩档案批量导出_{job_id}.zip"


def to_out(row: asyncpg.Record) -> ExportJobOut:
    """Job row to API model."""
    status_url = f"/api/exports/jobs/{row['id']}"
    return ExportJobOut(
        id=row["id"], status=row["status"], total=row["total"], done=row["done"],
        exported=row["exported"], not_found=list(row["not_found"]), error=row["error"],
        zip_sha256=row["zip_sha256"], zip_size=row["zip_size"], created_at=row["created_at"],
        started_at=row["started_at"], finished_at=row["finished_at"], status_url=status_url,
        download_url=f"{status_url}/download" if row["status"] == "done" else None,
    )


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
    """A job's progress, for the user who requested it only."""
    async with pool.acquire() as conn:
        row = await repo.job_of_owner(conn, job_id, principal.user_id)
    if row is None:
        raise NotFound("导出任务不存在")
    return to_out(row)


async def open_download(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                        job_id: int) -> tuple[ExportJobOut, Path]:
    """A finished job's zip for its owner; the download is audited with the zip's SHA-256."""
    async with unit_of_work(pool, principal) as uow:
        row = await repo.job_of_owner(uow.conn, job_id, principal.user_id)
        if row is None:
            raise NotFound("导出任务不存在")
        job = to_out(row)
        if job.status != "done":
            raise Conflict("导出任务尚未完成" if job.status in ("queued", "running") else "导出任务失败",
                           job_status=job.status)
        path = zip_path(settings, job_id)
        if not await anyio.Path(path).is_file():
            # data_dir not shared between service processes, or files removed by hand.
            log.error("export zip missing", extra={"job_id": job_id, "path": str(path)})
            raise RuntimeError(f"zip of export job {job_id} is missing")
        uow.audit("export.batch.download", "export_job", job_id,
                  {"sha256": job.zip_sha256, "size": job.zip_size, "exported": job.exported})
    return job, path
