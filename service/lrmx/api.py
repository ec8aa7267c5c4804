"""Routes of LRMX (任免审批表 XML) import and export: officers only, within scope."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse

from schemas.common import Tier
from schemas.formats import ImportOptions, ImportOut, SelectionIn, SourceFileOut
from service.attachments.service import content_disposition
from service.deps import AppSettings, EntityId, OfficerUser, Pool
from service.forms import sources
from service.forms.uploads import UPLOAD_DOC, read_upload
from service.lrmx import exports, service

router = APIRouter(tags=["lrmx"])
FILE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/xml": {}, "application/zip": {}},
          "description": "单个 .lrmx 文件，多人时为 zip"}}


@router.post("/api/lrmx/imports", response_model=ImportOut, status_code=201, openapi_extra=UPLOAD_DOC)
async def preview_import(request: Request, pool: Pool, user: OfficerUser, settings: AppSettings,
                         unit_id: Annotated[int | None, Query(gt=0, le=2**63 - 1)] = None,
                         tier: Tier | None = None) -> ImportOut:
    """Upload a .lrmx file or a zip of many; returns the field-by-field preview (nothing written)."""
    upload = await read_upload(request, settings)
    return await service.preview(pool, user, settings=settings, file_name=upload.name, data=upload.data,
                                 options=ImportOptions(unit_id=unit_id, tier=tier))


@router.get("/api/lrmx/imports/{import_id}", response_model=ImportOut)
async def get_import(import_id: EntityId, pool: Pool, user: OfficerUser) -> ImportOut:
    """One of the caller's own imports: its preview, or its report once applied."""
    return await service.get_import(pool, user, import_id)


@router.post("/api/lrmx/imports/{import_id}/apply", response_model=ImportOut)
async def apply_import(import_id: EntityId, pool: Pool, user: OfficerUser,
                       settings: AppSettings) -> ImportOut:
    """Write a previewed import, all files or none; applying twice returns the first report."""
    return await service.apply(pool, user, settings=settings, import_id=import_id)


@router.get("/api/cadres/{cadre_id}/form.lrmx", response_class=Response, responses=FILE_RESPONSES)
async def cadre_lrmx(cadre_id: EntityId, pool: Pool, user: OfficerUser,
                     settings: AppSettings) -> Response:
    """One cadre's 任免审批表 as a .lrmx file (audited, registered with a serial)."""
    return await exports.export_response(pool, user, settings=settings,
                                         body=SelectionIn(cadre_ids=[cadre_id]))


@router.get("/api/promotions/{promotion_id}/form.lrmx", response_class=Response,
            responses=FILE_RESPONSES)
async def promotion_lrmx(promotion_id: EntityId, pool: Pool, user: OfficerUser,
                         settings: AppSettings) -> Response:
    """The candidate's .lrmx with 拟任/拟免职务 and 任免理由 filled from the promotion record."""
    return await exports.export_response(pool, user, settings=settings,
                                         body=SelectionIn(promotion_id=promotion_id))


@router.post("/api/lrmx/export", response_class=Response, responses=FILE_RESPONSES)
async def export_selection(body: SelectionIn, pool: Pool, user: OfficerUser,
                           settings: AppSettings) -> Response:
    """Several cadres (ids, a saved shortlist version, or a promotion record) as .lrmx, zipped."""
    return await exports.export_response(pool, user, settings=settings, body=body)


@router.get("/api/cadres/{cadre_id}/sources", response_model=list[SourceFileOut])
async def cadre_sources(cadre_id: EntityId, pool: Pool, user: OfficerUser) -> list[SourceFileOut]:
    """The original files the cadre was imported from, with their SHA-256 (provenance)."""
    return await sources.list_sources(pool, user, cadre_id)


@router.get("/api/cadres/{cadre_id}/sources/{source_id}/content", response_class=FileResponse,
            responses={200: {"content": {"application/xml": {}}}})
async def cadre_source_content(cadre_id: EntityId, source_id: EntityId, pool: Pool, user: OfficerUser,
                               settings: AppSettings) -> FileResponse:
    """One original import file, byte for byte (audited)."""
    name, path = await sources.open_source(pool, user, settings=settings, cadre_id=cadre_id,
                                           source_id=source_id)
    return FileResponse(path, media_type="application/xml", headers={
        "Content-Disposition": content_disposition(name), "Cache-Control": "no-store"})
