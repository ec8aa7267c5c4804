"""FastAPI dependencies, exposed as Annotated aliases."""

import hmac
from typing import Annotated

import asyncpg
from fastapi import Depends, Header, Path, Query, Request

from schemas.common import DbId, Role, Version
from service.access.roles import FILERS, OFFICE, READERS
from service.auth import service as auth_service
from service.config import Settings
from service.errors import Forbidden, RoleRefused, Unauthorized
from service.principal import Principal
from service.versioning import parse_if_match

SESSION_COOKIE = "cadre_session"
CSRF_COOKIE = "cadre_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


async def get_pool(request: Request) -> asyncpg.Pool:
    """The app's database pool (async: no thread-pool hop per request)."""
    pool: asyncpg.Pool = request.app.state.pool
    return pool


async def get_app_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


Pool = Annotated[asyncpg.Pool, Depends(get_pool)]
AppSettings = Annotated[Settings, Depends(get_app_settings)]


def client_ip(request: Request) -> str | None:
    """The peer address of the request."""
    return request.client.host if request.client else None


def request_token(request: Request) -> tuple[str, str]:
    """The bearer token or session cookie of the request, and which it was."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), "bearer"
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie, "cookie"
    raise Unauthorized()


async def current_principal(request: Request, pool: Pool) -> Principal:
    """Authenticate the request; cookie sessions must also carry the CSRF token on writes."""
    return await _authenticate(request, pool, with_scope=False)


async def scoped_principal(request: Request, pool: Pool) -> Principal:
    """As current_principal, with the user's search scope read in the same query."""
    return await _authenticate(request, pool, with_scope=True)


async def _authenticate(request: Request, pool: asyncpg.Pool, *, with_scope: bool) -> Principal:
    token, via = request_token(request)
    principal, csrf_hash = await auth_service.authenticate(pool, token, source_ip=client_ip(request),
                                                           with_scope=with_scope)
    if principal.token_kind != via:
        # A session token only works as the cookie it was issued as, a bearer token only as a header.
        raise Unauthorized()
    if via == "cookie" and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if csrf_hash is None or not hmac.compare_digest(auth_service.hash_token(sent), csrf_hash):
            raise Forbidden("缺少或错误的 CSRF 令牌")
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


class Allow:
    """A route's role rule; the authorization matrix test reads `roles` from every route."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, principal: CurrentUser) -> Principal:
        if principal.role not in self.roles:
            raise RoleRefused()
        return principal


class AllowScoped(Allow):
    """A role rule whose principal carries the search scope (token and scope in one round trip)."""

    async def __call__(self, principal: Annotated[Principal, Depends(scoped_principal)]) -> Principal:
        if principal.role not in self.roles:
            raise RoleRefused()
        return principal


# Every route's role rule is one of these aliases (the role sets are in service/access/roles.py).

AdminUser = Annotated[Principal, Depends(Allow(Role.admin))]
AuditorUser = Annotated[Principal, Depends(Allow(Role.auditor))]
OfficerUser = Annotated[Principal, Depends(Allow(Role.officer))]
Reader = Annotated[Principal, Depends(Allow(*READERS))]
SearchReader = Annotated[Principal, Depends(AllowScoped(*READERS))]
Filer = Annotated[Principal, Depends(Allow(*FILERS))]
AnyUser = Annotated[Principal, Depends(Allow(*Role))]
UnitReader = Annotated[Principal, Depends(Allow(*READERS, Role.admin))]
OfficeReader = Annotated[Principal, Depends(Allow(*OFFICE))]

IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", max_length=200, pattern=r"^[\x21-\x7e]{1,200}$")
]


def if_match_header(if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> int | None:
    """The version named by If-Match, if any."""
    return parse_if_match(if_match)


IfMatch = Annotated[int | None, Depends(if_match_header)]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=100_000)]
# Path and query forms of the bounded id/version types of schemas.common (2^63 answers 422).
EntityId = Annotated[DbId, Path()]
VersionNo = Annotated[Version, Path()]
IdQuery = Annotated[DbId | None, Query()]
