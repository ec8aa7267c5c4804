"""Login, tokens and user administration."""

import hashlib
import math
import secrets
from datetime import timedelta

import asyncpg

from schemas import clock
from schemas.auth import (
    LoginIn,
    PasswordChange,
    ScopeIn,
    ScopeOut,
    TokenOut,
    UserCreate,
    UserOut,
    UserUpdate,
)
from schemas.common import Role
from service.auth import passwords, repo
from service.config import Settings
from service.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.search.repo import scope_from_row
from service.units import repo as units_repo
from service.uow import UnitOfWork, unit_of_work
from service.versioning import require_version

LOGIN_FAILED = "用户名或密码错误"
LOCKED = "登录失败次数过多，账户已临时锁定，请稍后再试"
WRONG_CURRENT_PASSWORD = "当前密码错误"
SAME_AS_CURRENT = "新密码不能与当前密码相同"
# The PasswordChange fields a refusal is filed under (the names the page's inputs carry).
CURRENT_PASSWORD_FIELD = "current_password"
NEW_PASSWORD_FIELD = "new_password"


def _too_many(detail: str, seconds: float) -> TooManyRequests:
    """A 429 whose Retry-After says how long the refusal lasts: whole seconds, at least 1."""
    return TooManyRequests(detail, headers={"Retry-After": str(max(1, math.ceil(seconds)))})


def hash_token(token: str) -> bytes:
    """Tokens are stored only as their SHA-256."""
    return hashlib.sha256(token.encode()).digest()


async def login(pool: asyncpg.Pool, settings: Settings, *, body: LoginIn, source_ip: str | None,
                kind: str = "bearer") -> tuple[TokenOut, str | None]:
    """Check credentials with lockout; return a new token (and a CSRF token for cookies)."""
    anonymous = Principal(0, body.username, body.username, Role.researcher, source_ip)
    failure: Exception | None = None
    async with unit_of_work(pool, anonymous) as uow:
        user = await repo.lock_user(uow.conn, body.username)
        # Names that are no account are counted and locked exactly like accounts (their own
        # table), and their password is checked against a dummy hash: same work, same answers.
        guard = user if user is not None else await repo.lock_unknown_name(uow.conn, body.username)
        now = clock.now()
        if await _source_throttled(uow.conn, settings, source_ip):
            # Checked before the password, so a throttled address learns nothing from more guesses.
            uow.audit("auth.login.throttled", "user", user["id"] if user else None,
                      {"username": body.username})
            failure = _too_many("登录失败次数过多，请稍后再试", settings.login_lockout_minutes * 60)
        elif guard is not None and guard["locked_until"] is not None and guard["locked_until"] > now:
            uow.audit("auth.login.locked", "user", user["id"] if user else None,
                      {"username": body.username})
            failure = _too_many(LOCKED, (guard["locked_until"] - now).total_seconds())
        elif not (passwords.verify_password(user["password_hash"] if user else None, body.password)
                  and user is not None and user["active"]):
            if user is not None:
                await repo.record_login_failure(uow.conn, user["id"], settings.login_max_failures,
                                                settings.login_lockout_minutes)
            else:
                await repo.record_unknown_name_failure(uow.conn, body.username,
                                                       settings.login_max_failures,
                                                       settings.login_lockout_minutes)
            uow.audit("auth.login.failure", "user", user["id"] if user else None,
                      {"username": body.username})
            failure = Unauthorized(LOGIN_FAILED)
        else:
            await repo.reset_login_failures(uow.conn, user["id"])
            token = secrets.token_urlsafe(32)
            csrf = secrets.token_urlsafe(24) if kind == "cookie" else None
            expires = now + timedelta(minutes=settings.token_ttl_minutes)
            await repo.insert_token(uow.conn, hash_token(token), user["id"], kind,
                                    hash_token(csrf) if csrf else None, expires, source_ip)
            uow.principal = Principal(user["id"], user["username"], user["display_name"],
                                      Role(user["role"]), source_ip)
            uow.audit("auth.login.success", "user", user["id"], {"kind": kind})
    # The failure is raised after commit so the failure count and audit entry are kept.
    if failure is not None:
        raise failure
    return TokenOut(access_token=token, expires_at=expires), csrf


async def _source_throttled(conn: asyncpg.Connection, settings: Settings,
                            source_ip: str | None) -> bool:
    """Whether the address failed too many logins (any usernames) within the lockout window."""
    if source_ip is None or settings.login_ip_max_failures <= 0:
        return False
    return await repo.recent_failures_from(conn, source_ip, settings.login_lockout_minutes) \
        >= settings.login_ip_max_failures


async def authenticate(pool: asyncpg.Pool, token: str, *, source_ip: str | None,
                       with_scope: bool = False) -> tuple[Principal, bytes | None]:
    """Resolve a token to its principal (and CSRF hash for cookie sessions).

    `with_scope` also reads the user's search scope in the same query (one round trip).
    """
    async with pool.acquire() as conn:
        row = await repo.resolve_token(conn, hash_token(token), with_scope)
    if row is None:
        raise Unauthorized()
    principal = Principal(row["id"], row["username"], row["display_name"], Role(row["role"]),
                          source_ip, row["kind"],
                          search_scope=scope_from_row(row) if with_scope else None)
    return principal, row["csrf_hash"]


async def logout(pool: asyncpg.Pool, principal: Principal, token: str) -> None:
    """Revoke the token used for this request."""
    async with unit_of_work(pool, principal) as uow:
        await repo.revoke_token(uow.conn, hash_token(token))
        uow.audit("auth.logout", "user", principal.user_id)


async def _user_out(conn: asyncpg.Connection, row: asyncpg.Record) -> UserOut:
    scopes = [ScopeOut(**dict(s)) for s in await repo.list_scopes(conn, row["id"])]
    return UserOut(id=row["id"], username=row["username"], display_name=row["display_name"],
                   role=Role(row["role"]), active=row["active"], version=row["version"],
                   scopes=scopes, team_ids=await repo.list_team_ids(conn, row["id"]))


async def get_user(pool: asyncpg.Pool, user_id: int) -> UserOut:
    """One account."""
    async with pool.acquire() as conn:
        row = await repo.get_user(conn, user_id)
        if row is None:
            raise NotFound()
        return await _user_out(conn, row)


async def list_users(pool: asyncpg.Pool) -> list[UserOut]:
    """All accounts."""
    async with pool.acquire() as conn:
        return [await _user_out(conn, r) for r in await repo.list_users(conn)]


async def create_user(pool: asyncpg.Pool, principal: Principal, *, body: UserCreate,
                      key: str | None) -> UserOut:
    """Create an account with its scopes (admin)."""
    passwords.check_policy(body.password, body.username)
    password_hash = passwords.hash_password(body.password)

    async def work(uow: UnitOfWork) -> UserOut:
        row = await repo.insert_user(uow.conn, body.username, body.display_name, password_hash,
                                     body.role.value)
        if row is None:
            raise Conflict("用户名已存在")
        await _set_scopes(uow.conn, row["id"], body)
        out = await _user_out(uow.conn, row)
        uow.audit("user.create", "user", row["id"], {"role": body.role.value, "version": row["version"],
                                                     "scopes": [s.model_dump() for s in body.scopes]})
        return out

    request_hash = fingerprint("user.create", body.model_dump(mode="json", exclude={"password"}))
    out, _ = await run_idempotent(pool, principal, key, request_hash, UserOut, work)
    return out


async def _set_scopes(conn: asyncpg.Connection, user_id: int, body: UserCreate | UserUpdate) -> None:
    if body.scopes is None:
        return
    unit_ids = [s.unit_id for s in body.scopes]
    if await units_repo.count_existing(conn, unit_ids) != len(set(unit_ids)):
        raise ValidationFailed("授权范围中的单位不存在")
    await repo.replace_scopes(conn, user_id, [(s.unit_id, s.tier.value if s.tier else None)
                                              for s in body.scopes])


OWN_ACCOUNT = "不能更改本人账号的角色、授权范围或启用状态，请由另一名管理员办理"


async def _refuse_own_grant(conn: asyncpg.Connection, principal: Principal, current: asyncpg.Record,
                            body: UserUpdate) -> None:
    """An admin may not grant themselves a role or a scope (nor deactivate themselves): another
    admin must. Values sent unchanged (a form that sends every field) are no change."""
    if current["id"] != principal.user_id:
        return
    changed: list[str] = []
    if body.role is not None and body.role.value != current["role"]:
        changed.append("role")
    if body.scopes is not None:
        now = {(s["unit_id"], s["tier"]) for s in await repo.list_scopes(conn, current["id"])}
        if {(s.unit_id, s.tier.value if s.tier else None) for s in body.scopes} != now:
            changed.append("scopes")
    if body.active is not None and body.active != current["active"]:
        changed.append("active")
    if changed:
        raise Forbidden(OWN_ACCOUNT, errors=[{"field": f, "message": OWN_ACCOUNT} for f in changed])


async def update_user(pool: asyncpg.Pool, principal: Principal, *, user_id: int, body: UserUpdate,
                      if_match: int | None) -> UserOut:
    """Change role, name, activity or scopes; deactivation revokes every token."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        current = await repo.get_user(uow.conn, user_id)
        if current is None:
            raise NotFound()
        await _refuse_own_grant(uow.conn, principal, current, body)
        row = await repo.update_user(
            uow.conn, user_id, base.version, body.display_name or current["display_name"],
            (body.role or current["role"]), current["active"] if body.active is None else body.active,
        )
        if row is None:
            raise base.stale()
        await _set_scopes(uow.conn, user_id, body)
        if not row["active"] or row["role"] != current["role"]:
            await repo.revoke_user_tokens(uow.conn, user_id)
        uow.audit("user.update", "user", user_id, {
            **body.model_dump(mode="json", exclude_none=True), "version": row["version"],
            "previous": {"role": current["role"], "active": current["active"]}})
        return await _user_out(uow.conn, row)


async def change_password(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                          body: PasswordChange) -> None:
    """Change one's own password; every existing token stops working.

    A wrong current password counts toward the account's lockout exactly like a failed login, and
    a locked account is refused here as at sign-in (429 with Retry-After), so a stolen session
    cannot be used to guess the password endlessly; the session itself stays valid.
    """
    failure: DomainError | None = None
    async with unit_of_work(pool, principal) as uow:
        row = await repo.lock_user_by_id(uow.conn, principal.user_id)
        if row is None:
            raise Unauthorized()
        now = clock.now()
        if row["locked_until"] is not None and row["locked_until"] > now:
            # Checked before the password, so a locked account learns nothing from more guesses.
            uow.audit("user.password_change.locked", "user", principal.user_id)
            failure = _too_many(LOCKED, (row["locked_until"] - now).total_seconds())
        elif not passwords.verify_password(row["password_hash"], body.current_password):
            await repo.record_login_failure(uow.conn, principal.user_id, settings.login_max_failures,
                                            settings.login_lockout_minutes)
            uow.audit("user.password_change.failure", "user", principal.user_id)
            failure = ValidationFailed(WRONG_CURRENT_PASSWORD, errors=[
                {"field": CURRENT_PASSWORD_FIELD, "message": WRONG_CURRENT_PASSWORD}])
        else:
            problems = passwords.policy_problems(body.new_password, principal.username)
            if body.new_password == body.current_password:
                problems.insert(0, SAME_AS_CURRENT)
            passwords.refuse(problems, field=NEW_PASSWORD_FIELD)
            await repo.set_password(uow.conn, principal.user_id,
                                    passwords.hash_password(body.new_password))
            await repo.reset_login_failures(uow.conn, principal.user_id)
            await repo.revoke_user_tokens(uow.conn, principal.user_id)
            uow.audit("user.password_change", "user", principal.user_id)
    # Raised after commit so the failure count and audit entry are kept.
    if failure is not None:
        raise failure


async def change_scope(pool: asyncpg.Pool, principal: Principal, *, user_id: int, body: ScopeIn,
                       add: bool) -> UserOut:
    """Add or remove one scope of an account, leaving its other scopes as they are (admin)."""
    tier = body.tier.value if body.tier else None
    if user_id == principal.user_id:
        raise Forbidden(OWN_ACCOUNT, errors=[{"field": "unit_id", "message": OWN_ACCOUNT}])
    async with unit_of_work(pool, principal) as uow:
        row = await repo.get_user(uow.conn, user_id)
        if row is None:
            raise NotFound()
        if not await repo.unit_exists(uow.conn, body.unit_id):
            raise ValidationFailed("单位不存在", errors=[{"field": "unit_id", "message": "单位不存在"}])
        if add:
            if not await repo.add_scope(uow.conn, user_id, body.unit_id, tier):
                raise Conflict("该用户已有此授权范围")
        elif not await repo.remove_scope(uow.conn, user_id, body.unit_id, tier):
            raise Conflict("该用户没有此授权范围（单位和管理层级须与现有授权一致）")
        uow.audit("user.scope_add" if add else "user.scope_remove", "user", user_id,
                  {"unit_id": body.unit_id, "tier": tier})
        return await _user_out(uow.conn, row)
