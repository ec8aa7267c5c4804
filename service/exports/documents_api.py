"""Routes of the shortlist and promotion-record PDFs."""

from fastapi import APIRouter, Response

from service.deps import AppSettings, EntityId, OfficeReader, Pool, VersionNo
from service.errors import NotFound
from service.exports import documents, selection_docs
from service.exports.service import pdf_response

router = APIRouter(tags=["exports"])
PDF: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/pdf": {}}, "description": "带水印和导出编号的 PDF"}}


@router.get("/api/positions/{position_id}/shortlist/versions/{version}/shortlist.pdf",
            response_class=Response, responses=PDF)
async def shortlist_pdf(position_id: EntityId, version: VersionNo, pool: Pool, settings: AppSettings,
                        user: OfficeReader) -> Response:
    """A saved shortlist version as a watermarked PDF (officer, leader; audited)."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        doc = await selection_docs.load_shortlist_doc(conn, user, position_id, version)
    if doc is None:
        raise NotFound("该版本的候选人名单不存在")
    return pdf_response(await documents.export_shortlist(pool, user, settings, position_id, doc))


@router.get("/api/promotions/{promotion_id}/record.pdf", response_class=Response,
            responses=PDF)
async def promotion_pdf(promotion_id: EntityId, pool: Pool, settings: AppSettings,
                        user: OfficeReader) -> Response:
    """A promotion record with its stage timeline as a watermarked PDF (officer, leader; audited)."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        doc = await selection_docs.load_promotion_doc(conn, user, promotion_id)
    if doc is None:
        raise NotFound("选任记录不存在")
    return pdf_response(await documents.export_promotion(pool, user, settings, promotion_id, doc))
