"""Routes for research archives (专题调研纪实档案) and the campaign overview."""

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Response

from schemas.archives import ArchiveOut, CampaignOverview, ConclusionIn
from service.archives import service
from service.archives.document import archive_doc
from service.deps import AppSettings, EntityId, Filer, IfMatch, OfficeReader, Pool, Reader
from service.exports.service import issue_pdf, pdf_response
from service.forms.exporting import MEDIA, download
from service.pdf.documents import render_docx, render_pdf

router = APIRouter(prefix="/api/archives", tags=["archives"])
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": _BINARY}}}
_DOCX: dict[int | str, dict[str, Any]] = {200: {"content": {MEDIA["docx"]: _BINARY}}}


@router.get("/{campaign_id}", response_model=CampaignOverview)
async def campaign_overview(campaign_id: EntityId, pool: Pool, user: Reader) -> CampaignOverview:
    """Teams studied, talks and site visits, coverage gaps and status per team."""
    return await service.overview(pool, principal=user, campaign_id=campaign_id)


@router.get("/{campaign_id}/teams/{unit_id}", response_model=ArchiveOut)
async def get_archive(campaign_id: EntityId, unit_id: EntityId, pool: Pool, user: Reader) -> ArchiveOut:
    """The archive of a leadership team: every statement cites its sources."""
    return await service.get_archive(pool, principal=user, campaign_id=campaign_id, unit_id=unit_id)


@router.put("/{campaign_id}/teams/{unit_id}/conclusions", response_model=ArchiveOut)
async def save_conclusion(campaign_id: EntityId, unit_id: EntityId, body: ConclusionIn, pool: Pool,
                          user: Filer, if_match: IfMatch) -> ArchiveOut:
    """Write or revise a member's (cadre_id) or the team's conclusion; versioned and audited."""
    return await service.save_conclusion(pool, principal=user, campaign_id=campaign_id, unit_id=unit_id,
                                         body=body, if_match=if_match)


@router.get("/{campaign_id}/teams/{unit_id}/archive.pdf", responses=_PDF)
async def archive_pdf(campaign_id: EntityId, unit_id: EntityId, pool: Pool, user: OfficeReader,
                      settings: AppSettings) -> Response:
    """The archive as PDF (watermark and serial as the dossier)."""
    a = await service.get_archive(pool, principal=user, campaign_id=campaign_id, unit_id=unit_id)
    doc = archive_doc(a)
    issued = await issue_pdf(pool, user, settings=settings, kind="archive", object_ids=[campaign_id, unit_id],
                             title=doc.title,
                             render=lambda wm, fonts: render_pdf(doc, wm, fonts))
    return pdf_response(issued)


@router.get("/{campaign_id}/teams/{unit_id}/archive.docx", responses=_DOCX)
async def archive_docx(campaign_id: EntityId, unit_id: EntityId, pool: Pool, user: OfficeReader,
                       settings: AppSettings) -> Response:
    """The archive as Word (.docx), with the export's serial in its header."""
    a = await service.get_archive(pool, principal=user, campaign_id=campaign_id, unit_id=unit_id)
    doc = archive_doc(a)
    issued = await issue_pdf(pool, user, settings=settings, kind="archive_docx",
                             object_ids=[campaign_id, unit_id], title=doc.title,
                             render=lambda wm, fonts: render_docx(doc, wm, fonts))
    issued = replace(issued, filename=issued.filename.removesuffix(".pdf") + ".docx")
    return download(issued.pdf, issued.filename, media=MEDIA["docx"], serial=issued.serial)
