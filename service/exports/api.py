"""Routes of batch exports: queue a job, follow its progress, download the zip."""

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse

from schemas.export_jobs import BatchExportIn, ExportJobOut
from service.attachments.service import content_disposition
from service.deps import AppSettings, EntityId, IdempotencyKey, OfficeReader, Pool
from service.exports import jobs

router = APIRouter(prefix="/api/exports", tags=["exports"])


@router.post("/batch", response_model=ExportJobOut, status_code=202)
async def create_batch(body: BatchExportIn, pool: Pool, user: OfficeReader, response: Response,
                       key: IdempotencyKey = None) -> ExportJobOut:
    """Queue a zip of many dossiers (officer, leader); poll the job's status URL for progress."""
    out = await jobs.create_job(pool, user, body=body, key=key)
    response.headers["Location"] = out.status_url
    return out


@router.get("/jobs/{job_id}", response_model=ExportJobOut)
async def job_status(job_id: EntityId, pool: Pool, user: OfficeReader) -> ExportJobOut:
    """Progress and outcome of one of the caller's own export jobs."""
    return await jobs.get_job(pool, user, job_id)


@router.get("/jobs/{job_id}/download", response_class=FileResponse,
            responses={200: {"content": {"application/zip": {}}}})
async def job_download(job_id: EntityId, pool: Pool, settings: AppSettings,
                       user: OfficeReader) -> FileResponse:
    """The finished zip of one of the caller's own export jobs (audited)."""
    job, path = await jobs.open_download(pool, user, settings=settings, job_id=job_id)
    return FileResponse(path, media_type="application/zip", headers={
        "Content-Disposition": content_disposition(jobs.zip_name(job.id)),
        "Cache-Control": "no-store",
        "X-Content-SHA256": job.zip_sha256 or "",
    })
