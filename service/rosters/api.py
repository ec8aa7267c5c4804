"""Routes of Excel rosters (花名册): officers only, within scope, every export and import audited."""

from typing import Any

from fastapi import APIRouter, Request, Response

from schemas.formats import ImportOut, RosterCheckOut, RosterExportIn
from service.deps import AppSettings, EntityId, OfficerUser, Pool
from service.forms.exporting import MEDIA
from service.forms.uploads import UPLOAD_DOC, read_upload
from service.rosters import service

router = APIRouter(prefix="/api/rosters", tags=["rosters"])
XLSX: dict[int | str, dict[str, object]] = {
    200: {"content": {MEDIA["xlsx"]: {}}, "description": "Excel 花名册"}}


@router.get("/columns")
async def columns(user: OfficerUser) -> list[dict[str, Any]]:
    """The columns a roster may have (key, Chinese header, importable, in the default export)."""
    return service.column_catalogue()


@router.post("/export", response_class=Response, responses=XLSX)
async def export_roster(body: RosterExportIn, pool: Pool, user: OfficerUser) -> Response:
    """Cadres in scope (list filters, ids or a shortlist), chosen columns, optionally a sheet per unit."""
    return await service.export_roster(pool, user, body)


@router.get("/template", response_class=Response, responses=XLSX)
async def roster_template(pool: Pool, user: OfficerUser) -> Response:
    """The import template with drop-down lists for enumerations and the officer's unit codes."""
    data = await service.template(pool, user)
    return Response(content=data, media_type=MEDIA["xlsx"], headers={
        "Content-Disposition": "attachment; filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C%E5%AF%BC%E5%85%A5"
                               "%E6%A8%A1%E6%9D%BF.xlsx", "Cache-Control": "no-store"})


@router.post("/imports", response_model=ImportOut, status_code=201, openapi_extra=UPLOAD_DOC)
async def preview_import(request: Request, pool: Pool, user: OfficerUser,
                         settings: AppSettings) -> ImportOut:
    """Upload a filled template; returns the row-by-row, column-by-column preview (nothing written)."""
    upload = await read_upload(request, settings)
    return await service.preview(pool, user, settings=settings, file_name=upload.name, data=upload.data)


@router.get("/imports/{roster_import_id}", response_model=ImportOut)
async def get_import(roster_import_id: EntityId, pool: Pool, user: OfficerUser) -> ImportOut:
    """One of the caller's own roster imports."""
    return await service.get_import(pool, user, roster_import_id)


@router.post("/imports/{roster_import_id}/apply", response_model=ImportOut)
async def apply_import(roster_import_id: EntityId, pool: Pool, user: OfficerUser,
                       settings: AppSettings) -> ImportOut:
    """Write a previewed roster, every row or none."""
    return await service.apply(pool, user, settings=settings, import_id=roster_import_id)


@router.post("/check", response_model=RosterCheckOut, openapi_extra=UPLOAD_DOC)
async def check_roster(request: Request, pool: Pool, user: OfficerUser,
                       settings: AppSettings) -> RosterCheckOut:
    """Compare a roster with the registry: every field that differs, per person (nothing written)."""
    upload = await read_upload(request, settings)
    return await service.cross_check(pool, user, file_name=upload.name, data=upload.data)
