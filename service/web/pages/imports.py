"""导入: LRMX files (one or a zip) and Excel rosters, with a field-by-field preview before writing,
the report after, and the roster cross-check. Officers only; the writes go through the JSON API."""

from fastapi import Request, Response

from schemas import labels
from service.deps import OfficerUser, Pool
from service.lrmx import repo as lrmx_repo
from service.web.page_route import page_router
from service.web.render import render

router = page_router()


@router.get("/imports")
async def imports_page(request: Request, pool: Pool, user: OfficerUser) -> Response:
    """Upload forms for LRMX and rosters; the preview and report appear on the page."""
    async with pool.acquire() as conn:
        units = await lrmx_repo.scope_units(conn, user)
    return render(request, "imports.html", {
        "units": sorted(units, key=lambda u: u[1]), "tiers": list(labels.TIER.items())},
        title="导入任免审批表与花名册")
