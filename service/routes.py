"""Every router of the app, in one list."""

from fastapi import FastAPI

from service.archives import api as archives_api
from service.assessments import api as assessments_api
from service.attachments import api as attachments_api
from service.audit import api as audit_api
from service.auth import api as auth_api
from service.cadres import api as cadres_api
from service.campaigns import api as campaigns_api
from service.contests import api as contests_api
from service.dossier import api as dossier_api
from service.evidence import api as evidence_api
from service.exports import api as exports_api
from service.family import api as family_api
from service.forms import api as forms_api
from service.health import api as health_api
from service.inspection import api as inspection_api
from service.leadership import api as leadership_api
from service.lrmx import api as lrmx_api
from service.performance import api as performance_api
from service.positions import api as positions_api
from service.promotions import api as promotions_api
from service.quality import api as quality_api
from service.records import api as records_api
from service.rosters import api as rosters_api
from service.search import api as search_api
from service.secondments import api as secondments_api
from service.service_logs import api as service_logs_api
from service.shortlists import api as shortlists_api
from service.units import api as units_api
from service.web import routes as web_routes

PUBLIC_PATHS = {"/healthz", "/readyz", "/api/auth/login", "/api/auth/session", "/api/docs",
                "/api/openapi.json", "/api/docs/oauth2-redirect", *web_routes.PUBLIC}


def include_routers(app: FastAPI) -> None:
    """Mount all routers."""
    # The router checks the included routers in order, each route by route (~100-190 us per
    # request to reach the search router ninth), so the busiest come first after the three
    # health routes: search, filing and the dossier read. Their path segments (/api/search,
    # /api/records, /api/evidence) belong to no other router, and the cadres router keeps its
    # place before every other /api/cadres one.
    for router in (health_api.router, search_api.router, records_api.router, evidence_api.router,
                   cadres_api.router, auth_api.router, units_api.router, campaigns_api.router,
                   attachments_api.router, audit_api.router, family_api.router,
                   assessments_api.router, contests_api.router, secondments_api.router,
                   service_logs_api.router, performance_api.router):
        app.include_router(router)
    app.include_router(dossier_api.router)
    app.include_router(exports_api.router)
    app.include_router(positions_api.router)
    app.include_router(shortlists_api.router)
    app.include_router(promotions_api.router)
    app.include_router(promotions_api.stage_router)
    app.include_router(lrmx_api.router)
    app.include_router(forms_api.router)
    app.include_router(rosters_api.router)
    app.include_router(quality_api.router)
    app.include_router(leadership_api.router)
    app.include_router(archives_api.router)
    app.include_router(inspection_api.router)
    web_routes.mount(app)
