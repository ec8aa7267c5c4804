"""Sign-in page, the home redirect and the account page.

Signing in and out is done by the API (`POST`/`DELETE /api/auth/session`, called by
static/js/login.js and app.js); these routes only render pages.
"""

import re
from typing import Annotated
from urllib.parse import unquote, urlsplit

from fastapi import Query, Request, Response
from fastapi.responses import RedirectResponse

from service.config import Settings
from service.deps import AnyUser
from service.web.page_route import page_router
from service.web.render import landing, render

router = page_router()
LOGIN_PATH = "/login"


# A path on this origin: "/" then path characters, never a second "/" or "\\" right after it.
# Anything else (controls, spaces, backslashes anywhere, a scheme, "//host") is refused whole.
_LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*")


def safe_next(target: str | None) -> str:
    """A local path to return to after signing in (never another site, never the sign-in page).

    Browsers drop TAB, CR and LF anywhere in a URL and read "\\" as "/", so "/%09/evil" or
    "/\\evil" would lead off-site: the target is checked after that same normalisation, and
    kept only if it then is, character for character, a plain path on this origin.
    """
    if not target:
        return "/"
    if not _LOCAL_PATH.fullmatch(target):
        return "/"
    # Also refused when decoding once more would make it leave (a redirect target decoded twice).
    normalised = re.sub(r"[\x00-\x20\x7f]", "", unquote(target)).replace("\\", "/")
    if not normalised.startswith("/") or normalised.startswith("//") or urlsplit(normalised).netloc:
        return "/"
    if urlsplit(normalised).path.rstrip("/") == LOGIN_PATH:
        return "/"
    return target


@router.get(LOGIN_PATH)
async def login_page(request: Request,
                     next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    """The sign-in form (public)."""
    return render(request, "login.html", {"next": safe_next(next),
                                          "insecure_origin": insecure_origin(request)}, title="登录")


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def insecure_origin(request: Request) -> str | None:
    """The origin, when a browser would drop the Secure session cookie here (development only).

    Browsers keep Secure cookies over plain HTTP only for localhost; on any other host sign-in
    would silently land back on this page."""
    settings: Settings = request.app.state.settings
    host = request.url.hostname or ""
    if settings.env != "development" or not settings.cookie_secure:
        return None
    if request.url.scheme != "http" or host in _LOCAL_HOSTS:
        return None
    return f"http://{request.url.netloc}"


@router.get("/")
async def home(user: AnyUser) -> Response:
    """Each role starts on its own first page."""
    return RedirectResponse(landing(user), status_code=303)


@router.get("/account")
async def account(request: Request, user: AnyUser) -> Response:
    """Who is signed in, with which role."""
    return render(request, "account.html", title="我的账户")
