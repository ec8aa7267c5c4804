"""Routes of the 任免审批表 as PDF and Word (officers and leaders; family members for officers only)."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from schemas.approval_form import Layout
from schemas.common import DbDate
from schemas.formats import SelectionIn
from service.deps import AppSettings, EntityId, OfficeReader, Pool
from service.forms import service

router = APIRouter(tags=["approval-forms"])
PDF: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/pdf": {}}, "description": "两页 A4 任免审批表，带水印和导出编号"}}
WORD: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
                      "application/zip": {}}, "description": "Word 任免审批表（多人时为 zip）"}}
Reference = Annotated[date | None, Query(description="计算年龄的日期，默认今天（北京时间）")]
LayoutQuery = Annotated[Layout, Query(description="reform：到龄时间（2025 起）；classic：健康状况")]


class BatchIn(SelectionIn):
    """A selection and the file format of its forms."""

    format: Literal["pdf", "docx"] = "pdf"
    reference_date: DbDate | None = None
    layout: Layout = "reform"


@router.get("/api/cadres/{cadre_id}/approval-form.pdf", response_class=Response, responses=PDF)
async def cadre_form_pdf(cadre_id: EntityId, pool: Pool, settings: AppSettings, user: OfficeReader,
                         reference_date: Reference = None, layout: LayoutQuery = "reform") -> Response:
    """A cadre's standard two-page 任免审批表 as PDF (audited, serial in the watermark)."""
    return await service.form_pdf(pool, user, settings=settings, body=SelectionIn(cadre_ids=[cadre_id]),
                                  reference=reference_date, layout=layout)


@router.get("/api/cadres/{cadre_id}/approval-form.docx", response_class=Response, responses=WORD)
async def cadre_form_docx(cadre_id: EntityId, pool: Pool, settings: AppSettings, user: OfficeReader,
                          reference_date: Reference = None, layout: LayoutQuery = "reform") -> Response:
    """A cadre's 任免审批表 as an editable Word document (audited)."""
    return await service.form_docx(pool, user, settings=settings, body=SelectionIn(cadre_ids=[cadre_id]),
                                   reference=reference_date, layout=layout, as_zip=False)


@router.get("/api/promotions/{promotion_id}/approval-form.pdf", response_class=Response, responses=PDF)
async def promotion_form_pdf(promotion_id: EntityId, pool: Pool, settings: AppSettings, user: OfficeReader,
                             reference_date: Reference = None, layout: LayoutQuery = "reform") -> Response:
    """The candidate's form with 拟任/拟免职务 and 任免理由 from the promotion record."""
    return await service.form_pdf(pool, user, settings=settings, body=SelectionIn(promotion_id=promotion_id),
                                  reference=reference_date, layout=layout)


@router.post("/api/approval-forms/batch", response_class=Response, responses={**PDF, **WORD})
async def batch_forms(body: BatchIn, pool: Pool, settings: AppSettings, user: OfficeReader) -> Response:
    """Forms of many cadres (ids or a saved shortlist version): one PDF, or a zip of Word files."""
    selection = SelectionIn(**body.model_dump(include=set(SelectionIn.model_fields)))
    if body.format == "pdf":
        return await service.form_pdf(pool, user, settings=settings, body=selection,
                                      reference=body.reference_date,
                                      layout=body.layout)
    return await service.form_docx(pool, user, settings=settings, body=selection,
                                   reference=body.reference_date,
                                   layout=body.layout, as_zip=True)
