"""The web pages' routers and the static route, in the order they are mounted."""

from fastapi import APIRouter, FastAPI

from service.web import static
from service.web.pages import (
    admin,
    assessments,
    audit,
    auth,
    dossier,
    filing,
    imports,
    items,
    leadership,
    performance,
    positions,
    promotions,
    scoreboard,
    search,
    shortlists,
    work,
)
from service.web.pages.auth import LOGIN_PATH

# Paths any visitor may open: the sign-in page and the static files.
PUBLIC = (LOGIN_PATH, static.ROUTE_PATH)

router = APIRouter()
for module in (auth, search, dossier, items, filing, positions, shortlists, promotions, assessments,
               scoreboard, performance, work, leadership, audit, admin, imports):
    router.include_router(module.router)


def mount(app: FastAPI) -> None:
    """Add the pages and the static route (a plain route, so no mounted app bypasses Allow)."""
    app.include_router(router)
    app.router.routes.append(static.route)
