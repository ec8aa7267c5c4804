"""Sign-in page, the home redirect and the account page.

Signing in and out is done by the API (`POST`/`DELETE /api/auth/session`, called by
static/js/login.js and app.js); these routes only render pages.
"""

from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import RedirectResponse

from service.deps import AnyUser
from service.web.page_route import page_router
from service.web.render import landing, render

router = page_router()
LOGIN_PATH = "/login"


def safe_next(target: str | None) -> str:
    """A local path to return to after signing in (never another site, never the sign-in page)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if target.startswith(LOGIN_PATH):
        return "/"
    return target


@router.get(LOGIN_PATH)
async def login_page(request: Request,
                     next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    """The sign-in form (public)."""
    return render(request, "login.html", {"next": safe_next(next)}, title="登录")


@router.get("/")
async def home(user: AnyUser) -> Response:
    """Each role starts on its own first page."""
    return RedirectResponse(landing(user), status_code=303)


@router.get("/account")
async def account(request: Request, user: AnyUser) -> Response:
    """Who is signed in, with which role."""
    return render(request, "account.html", title="我的账户")
