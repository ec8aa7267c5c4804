"""Routes for login, logout, the current user and user administration."""

from fastapi import APIRouter, Request, Response

from schemas.auth import LoginIn, PasswordChange, TokenOut, UserCreate, UserOut, UserUpdate
from service.auth import service
from service.deps import (
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
from service.versioning import etag

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/auth/login", response_model=TokenOut)
async def login(body: LoginIn, request: Request, pool: Pool, settings: AppSettings) -> TokenOut:
    """Exchange credentials for a bearer token."""
    token, _ = await service.login(pool, settings, body, client_ip(request))
    return token


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
async def change_password(body: PasswordChange, pool: Pool, user: AnyUser) -> Response:
    """Change one's own password (all sessions end)."""
    await service.change_password(pool, user, body)
    return Response(status_code=204)


@router.get("/users", response_model=list[UserOut])
async def list_users(pool: Pool, user: AdminUser) -> list[UserOut]:
    """All accounts (admin)."""
    return await service.list_users(pool)


@router.post("/users", response_model=UserOut, status_code=201)
async def create_user(body: UserCreate, pool: Pool, user: AdminUser,
                      key: IdempotencyKey = None) -> UserOut:
    """Create an account (admin)."""
    return await service.create_user(pool, user, body, key)


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
    return await service.update_user(pool, user, user_id, body, if_match)
