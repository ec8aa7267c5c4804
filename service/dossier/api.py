"""Route of the dossier PDF."""

from fastapi import APIRouter, Response

from service.deps import AppSettings, EntityId, OfficeReader, Pool
from service.dossier import service
from service.exports.service import PDF_RESPONSES, pdf_response

router = APIRouter(prefix="/api/cadres", tags=["exports"])


@router.get("/{cadre_id}/dossier.pdf", response_class=Response, responses=PDF_RESPONSES)
async def dossier_pdf(cadre_id: EntityId, pool: Pool, settings: AppSettings,
                      user: OfficeReader) -> Response:
    """A cadre's dossier as a watermarked PDF (officer, leader; audited with serial and SHA-256)."""
    return pdf_response(await service.export_dossier_or_404(pool, user, settings=settings, cadre_id=cadre_id))
