"""Routes for login, logout, the current user and user administration."""

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from schemas.auth import (
    LoginIn,
    PasswordChange,
    ScopeIn,
    SessionOut,
    TokenOut,
    UserCreate,
    UserOut,
    UserUpdate,
)
from service.auth import service
from service.config import Settings
from service.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AdminUser,
    AnyUser,
    AppSettings,
    EntityId,
    IdempotencyKey,
    IfMatch,
    Pool,
    client_ip,
    request_token,
)
from service.errors import Forbidden, UnsupportedMediaType
from service.versioning import etag

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/auth/login", response_model=TokenOut)
async def login(body: LoginIn, request: Request, pool: Pool, settings: AppSettings) -> TokenOut:
    """Exchange credentials for a bearer token."""
    token, _ = await service.login(pool, settings, body=body, source_ip=client_ip(request))
    return token


_LOGIN_SCHEMA = {"$ref": "#/components/schemas/LoginIn"}
_SESSION_DOC: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": _LOGIN_SCHEMA},
    "application/x-www-form-urlencoded": {"schema": _LOGIN_SCHEMA}}}}


async def _credentials(request: Request) -> LoginIn:
    """Credentials from a JSON body or an HTML form."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data: Any
    try:
        if media == "application/x-www-form-urlencoded":
            form = await request.form()
            data = {k: v for k, v in form.items() if isinstance(v, str)}
        elif media == "application/json" or media.endswith("+json"):
            data = await request.json()
        else:
            raise UnsupportedMediaType("登录请提交 JSON 或表单")
        return LoginIn.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]) from None
    except ValueError:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",),
                                       "msg": "JSON 格式错误"}]) from None


def _same_site_origin(request: Request, settings: Settings) -> None:
    """Refuse a login form posted from another site (login CSRF); browsers send Origin on POST."""
    origin = request.headers.get("origin")
    if origin is None or origin in settings.cors_origins:
        return
    try:
        netloc: str | None = urlsplit(origin).netloc
    except ValueError:  # no URL at all, e.g. an unclosed IPv6 bracket ("http://[::1")
        netloc = None
    if netloc != request.headers.get("host", ""):
        raise Forbidden("不接受来自其他站点的登录请求")


def _set_session_cookies(response: Response, settings: Settings, token: str, csrf: str) -> None:
    max_age = settings.token_ttl_minutes * 60
    # The session cookie is out of reach of scripts; the CSRF cookie is read by the page's script
    # and echoed in the X-CSRF-Token header, which another site cannot do.
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, path="/", secure=settings.cookie_secure,
                        httponly=True, samesite="strict")
    response.set_cookie(CSRF_COOKIE, csrf, max_age=max_age, path="/", secure=settings.cookie_secure,
                        httponly=False, samesite="strict")


@router.post("/auth/session", response_model=SessionOut, openapi_extra=_SESSION_DOC)
async def open_session(request: Request, response: Response, pool: Pool,
                       settings: AppSettings) -> SessionOut:
    """Log in for the browser: an HttpOnly session cookie plus a CSRF token for unsafe requests."""
    _same_site_origin(request, settings)
    body = await _credentials(request)
    token, csrf = await service.login(pool, settings, body=body, source_ip=client_ip(request), kind="cookie")
    assert csrf is not None
    principal, _ = await service.authenticate(pool, token.access_token, source_ip=client_ip(request))
    _set_session_cookies(response, settings, token.access_token, csrf)
    return SessionOut(csrf_token=csrf, expires_at=token.expires_at, username=principal.username,
                      role=principal.role)


@router.delete("/auth/session", status_code=204)
async def close_session(request: Request, pool: Pool, user: AnyUser,
                        settings: AppSettings) -> Response:
    """Log out of the browser session (the cookie's token is revoked, the cookies cleared)."""
    token, _ = request_token(request)
    await service.logout(pool, user, token)
    response = Response(status_code=204)
    for name, http_only in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", secure=settings.cookie_secure, httponly=http_only,
                               samesite="strict")
    return response


@router.post("/auth/logout", status_code=204)
async def logout(request: Request, pool: Pool, user: AnyUser) -> Response:
    """Revoke the token used for this request."""
    token, _ = request_token(request)
    await service.logout(pool, user, token)
    return Response(status_code=204)


@router.get("/auth/me", response_model=UserOut)
async def me(pool: Pool, user: AnyUser) -> UserOut:
    """The current user."""
    return await service.get_user(pool, user.user_id)


@router.post("/auth/password", status_code=204)
async def change_password(body: PasswordChange, pool: Pool, user: AnyUser,
                          settings: AppSettings) -> Response:
    """Change one's own password (all sessions end); wrong current passwords count toward lockout."""
    await service.change_password(pool, user, settings=settings, body=body)
    return Response(status_code=204)


@router.get("/users", response_model=list[UserOut])
async def list_users(pool: Pool, user: AdminUser) -> list[UserOut]:
    """All accounts (admin)."""
    return await service.list_users(pool)


@router.post("/users", response_model=UserOut, status_code=201)
async def create_user(body: UserCreate, pool: Pool, user: AdminUser,
                      key: IdempotencyKey = None) -> UserOut:
    """Create an account (admin)."""
    return await service.create_user(pool, user, body=body, key=key)


@router.get("/users/{user_id}", response_model=UserOut)
async def get_user(user_id: EntityId, pool: Pool, user: AdminUser, response: Response) -> UserOut:
    """One account (admin)."""
    out = await service.get_user(pool, user_id)
    response.headers["ETag"] = etag(out.version)
    return out


@router.patch("/users/{user_id}", response_model=UserOut)
async def update_user(user_id: EntityId, body: UserUpdate, pool: Pool, user: AdminUser,
                      if_match: IfMatch) -> UserOut:
    """Change an account's role, name, activity or scopes (admin)."""
    return await service.update_user(pool, user, user_id=user_id, body=body, if_match=if_match)


@router.post("/users/{user_id}/scopes", response_model=UserOut)
async def add_scope(user_id: EntityId, body: ScopeIn, pool: Pool, user: AdminUser) -> UserOut:
    """Add one scope to an account; its other scopes stay (admin)."""
    return await service.change_scope(pool, user, user_id=user_id, body=body, add=True)


@router.post("/users/{user_id}/scopes/remove", response_model=UserOut)
async def remove_scope(user_id: EntityId, body: ScopeIn, pool: Pool, user: AdminUser) -> UserOut:
    """Remove one scope (unit and tier as granted) from an account; its other scopes stay (admin)."""
    return await service.change_scope(pool, user, user_id=user_id, body=body, add=False)
