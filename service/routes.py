"""Every router of the app, in one list."""

from fastapi import FastAPI

from service import health
from service.attachments import api as attachments_api
from service.auth import api as auth_api
from service.cadres import api as cadres_api
from service.campaigns import api as campaigns_api
from service.evidence import api as evidence_api
from service.records import api as records_api
from service.search import api as search_api
from service.units import api as units_api

PUBLIC_PATHS = {"/healthz", "/api/auth/login", "/api/docs", "/api/openapi.json",
                "/api/docs/oauth2-redirect"}


def include_routers(app: FastAPI) -> None:
    """Mount all routers."""
    for router in (health.router, auth_api.router, units_api.router, cadres_api.router,
                   campaigns_api.router, records_api.router, evidence_api.router,
                   attachments_api.router, search_api.router):
        app.include_router(router)
