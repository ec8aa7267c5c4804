"""Routes for 考察材料 drafts (inspection material)."""

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from schemas.archives import DraftCreate, DraftOut, DraftUpdate
from schemas.records import RevisionOut
from service.deps import AppSettings, EntityId, IdempotencyKey, IfMatch, OfficeReader, OfficerUser, Pool
from service.exports.service import issue_pdf, pdf_response
from service.forms.exporting import MEDIA, download
from service.inspection import service
from service.pdf.documents import render_docx, render_pdf

router = APIRouter(prefix="/api/inspection-drafts", tags=["inspection"])
OptId = Annotated[int | None, Query(gt=0, le=2**63 - 1)]
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": _BINARY}}}
_DOCX: dict[int | str, dict[str, Any]] = {200: {"content": {MEDIA["docx"]: _BINARY}}}


@router.post("", response_model=DraftOut, status_code=201)
async def create_draft(body: DraftCreate, pool: Pool, user: OfficerUser,
                       key: IdempotencyKey = None) -> DraftOut:
    """Compile a draft from a promotion record at inspection, or from a cadre's dossier (officer)."""
    return await service.create(pool, principal=user, body=body, key=key)


@router.get("", response_model=list[DraftOut])
async def list_drafts(pool: Pool, user: OfficeReader, cadre_id: OptId = None,
                      promotion_id: OptId = None) -> list[DraftOut]:
    """Drafts of a cadre or attached to a promotion record."""
    return await service.listing(pool, principal=user, cadre_id=cadre_id, promotion_id=promotion_id)


@router.get("/{draft_id}", response_model=DraftOut)
async def get_draft(draft_id: EntityId, pool: Pool, user: OfficeReader) -> DraftOut:
    """One draft with its sections and citations."""
    return await service.get(pool, principal=user, draft_id=draft_id)


@router.put("/{draft_id}", response_model=DraftOut)
async def update_draft(draft_id: EntityId, body: DraftUpdate, pool: Pool, user: OfficerUser,
                       if_match: IfMatch) -> DraftOut:
    """Save edited sections as a new version (officer)."""
    return await service.update(pool, principal=user, draft_id=draft_id, body=body, if_match=if_match)


@router.get("/{draft_id}/revisions", response_model=list[RevisionOut])
async def draft_revisions(draft_id: EntityId, pool: Pool, user: OfficeReader) -> list[RevisionOut]:
    """Who changed the draft when."""
    return await service.revisions(pool, principal=user, draft_id=draft_id)


@router.get("/{draft_id}/draft.pdf", responses=_PDF)
async def draft_pdf(draft_id: EntityId, pool: Pool, user: OfficeReader, settings: AppSettings) -> Response:
    """The draft as PDF (watermark and serial as the dossier)."""
    d = await service.get(pool, principal=user, draft_id=draft_id)
    doc = service.written(d, user)
    issued = await issue_pdf(pool, user, settings=settings, kind="inspection",
                             object_ids=[draft_id, d.cadre_id], title=d.title,
                             render=lambda wm, fonts: render_pdf(doc, wm, fonts))
    return pdf_response(issued)


@router.get("/{draft_id}/draft.docx", responses=_DOCX)
async def draft_docx(draft_id: EntityId, pool: Pool, user: OfficeReader, settings: AppSettings) -> Response:
    """The draft as Word (.docx) for the writer to finish."""
    d = await service.get(pool, principal=user, draft_id=draft_id)
    doc = service.written(d, user)
    issued = await issue_pdf(pool, user, settings=settings, kind="inspection_docx",
                             object_ids=[draft_id, d.cadre_id], title=d.title,
                             render=lambda wm, fonts: render_docx(doc, wm, fonts))
    issued = replace(issued, filename=issued.filename.removesuffix(".pdf") + ".docx")
    return download(issued.pdf, issued.filename, media=MEDIA["docx"], serial=issued.serial)
