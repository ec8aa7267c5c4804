"""The web pages' routers and the static route, in the order they are mounted."""

from fastapi import APIRouter, FastAPI

from service.web import (
    pages_audit,
    pages_auth,
    pages_dossier,
    pages_filing,
    pages_items,
    pages_promotions,
    pages_scoreboard,
    pages_search,
    pages_shortlists,
    static,
)
from service.web.pages_auth import LOGIN_PATH

# Paths any visitor may open: the sign-in page and the static files.
PUBLIC = (LOGIN_PATH, static.ROUTE_PATH)

router = APIRouter()
for module in (pages_auth, pages_search, pages_dossier, pages_items, pages_filing, pages_shortlists,
               pages_promotions, pages_scoreboard, pages_audit):
    router.include_router(module.router)


def mount(app: FastAPI) -> None:
    """Add the pages and the static route (a plain route, so no mounted app bypasses Allow)."""
    app.include_router(router)
    app.router.routes.append(static.route)
