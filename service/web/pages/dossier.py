"""干部档案: a cadre's dossier in tabs, with the export-PDF button for the roles that may export."""

from fastapi import Request, Response

from schemas.clock import today
from service.deps import AppSettings, EntityId, Pool, Reader
from service.quality.service import quality
from service.web import dossier_view
from service.web.page_route import page_router
from service.web.render import render

router = page_router()


@router.get("/cadres/{cadre_id}")
async def dossier_page(cadre_id: EntityId, request: Request, pool: Pool, user: Reader,
                       settings: AppSettings) -> Response:
    """The dossier: approval-form profile, resume, evidence, records, assessments, promotions, files."""
    view = await dossier_view.load(pool, user, cadre_id, today())
    checks = await quality(pool, user, settings=settings, cadre_id=cadre_id)
    return render(request, "dossier.html", {"d": view, "c": view.cadre, "q": checks},
                  title=f"{view.cadre.name} · 干部档案")
