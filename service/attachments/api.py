"""Routes for attachments."""


from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from schemas.attachments import AttachmentOut
from service.attachments import service
from service.deps import AppSettings, EntityId, Filer, IdempotencyKey, Pool, Reader

router = APIRouter(prefix="/api/attachments", tags=["attachments"])

# Bounded so an oversized id is a 422, not a bigint overflow in the driver.

_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}}}}},
    }
}


@router.post("", response_model=AttachmentOut, status_code=201, openapi_extra=_UPLOAD_DOC)
async def upload_attachment(request: Request, pool: Pool, user: Filer, settings: AppSettings,
                            key: IdempotencyKey = None) -> AttachmentOut:
    """Upload one file (multipart field `file`); its type is judged by content (officer, researcher)."""
    return await service.upload(pool, user, settings=settings,
                                content_type=request.headers.get("content-type"),
                                chunks=request.stream(), key=key)


@router.get("/{attachment_id}", response_model=AttachmentOut)
async def get_attachment(attachment_id: EntityId, pool: Pool, user: Reader) -> AttachmentOut:
    """An attachment's metadata, if the caller uploaded it or may read what it is attached to."""
    return await service.get_attachment(pool, user, attachment_id)


@router.get("/{attachment_id}/content", response_class=FileResponse)
async def download_attachment(attachment_id: EntityId, pool: Pool, user: Reader,
                              settings: AppSettings) -> FileResponse:
    """The file itself, as a download (audited)."""
    item, path = await service.open_download(pool, user, settings=settings, attachment_id=attachment_id)
    return FileResponse(path, media_type=item.content_type, headers={
        "Content-Disposition": service.content_disposition(item.original_name),
        "X-Content-Type-Options": "nosniff",
    })
