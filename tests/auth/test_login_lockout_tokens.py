"""Login lockout and throttling, token expiry and revocation, password policy."""

import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from schemas.auth import LoginIn
from service.auth import service as auth_service
from service.config import Settings
from service.errors import TooManyRequests, Unauthorized
from tests.factories import PASSWORD, Api


@pytest.fixture
async def elsewhere(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client from an address of its own, so its failed logins count against nobody else."""
    transport = httpx.ASGITransport(app=app, client=("10.9.8.7", 4444))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def _username(api: Api, user_id: int) -> str:
    name: str = await api.pool.fetchval("SELECT username FROM users WHERE id = $1", user_id)
    return name


def _token_hash(headers: dict[str, str]) -> bytes:
    return hashlib.sha256(headers["Authorization"].removeprefix("Bearer ").encode()).digest()


async def test_tokens_are_stored_only_as_hashes(api: Api) -> None:
    _, headers = await api.user("officer", [api.units["d1"]])
    raw = headers["Authorization"].removeprefix("Bearer ")
    assert await api.pool.fetchval("SELECT count(*) FROM auth_tokens WHERE token_hash = $1",
                                   _token_hash(headers)) == 1
    assert not await api.pool.fetchval(
        "SELECT count(*) FROM auth_tokens WHERE encode(token_hash, 'escape') LIKE $1", f"%{raw}%")


async def test_expired_token_is_refused(api: Api) -> None:
    _, headers = await api.user("officer", [api.units["d1"]])
    assert (await api.client.get("/api/auth/me", headers=headers)).status_code == 200
    await api.pool.execute("UPDATE auth_tokens SET expires_at = now() - interval '1 second' "
                           "WHERE token_hash = $1", _token_hash(headers))
    r = await api.client.get("/api/auth/me", headers=headers)
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")


async def test_deactivation_revokes_every_token_and_blocks_login(api: Api) -> None:
    user_id, headers = await api.user("researcher")
    second = await api.login(await _username(api, user_id))
    r = await api.client.patch(f"/api/users/{user_id}", headers=api.admin,
                               json={"version": 1, "active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    for h in (headers, second):
        assert (await api.client.get("/api/auth/me", headers=h)).status_code == 401
    login = await api.client.post("/api/auth/login", json={"username": await _username(api, user_id),
                                                           "password": PASSWORD})
    assert login.status_code == 401


async def test_password_change_revokes_every_token(api: Api) -> None:
    user_id, headers = await api.user("leader", [api.units["d1"]])
    username = await _username(api, user_id)
    other = await api.login(username)
    new = "Brand@New-pass9"
    r = await api.client.post("/api/auth/password", headers=headers,
                              json={"current_password": PASSWORD, "new_password": new})
    assert r.status_code == 204
    for h in (headers, other):
        assert (await api.client.get("/api/auth/me", headers=h)).status_code == 401
    old = await api.client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert old.status_code == 401
    fresh = await api.login(username, new)
    assert (await api.client.get("/api/auth/me", headers=fresh)).status_code == 200


async def test_weak_passwords_are_refused_with_field_errors(api: Api) -> None:
    for weak in ("short1A!", "alllowercaseletters", f"Xx1!Weak_{api.tag}9"):
        r = await api.client.post("/api/users", headers=api.admin, json={
            "username": f"weak_{api.tag}", "display_name": "弱口令", "password": weak, "role": "leader"})
        assert r.status_code == 422, weak
        assert r.json()["errors"][0]["field"] == "password"
    _user_id, headers = await api.user("officer", [api.units["d1"]])
    r = await api.client.post("/api/auth/password", headers=headers,
                              json={"current_password": PASSWORD, "new_password": "password"})
    # Filed under the field it was typed in (PasswordChange.new_password), not the account's.
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "new_password"
    assert (await api.client.get("/api/auth/me", headers=headers)).status_code == 200


async def test_lockout_after_repeated_failures_then_login_after_lock_time(
        api: Api, elsewhere: httpx.AsyncClient, settings: Settings) -> None:
    user_id, _ = await api.user("officer", [api.units["d1"]])
    username = await _username(api, user_id)
    for _ in range(settings.login_max_failures):
        r = await elsewhere.post("/api/auth/login", json={"username": username, "password": "Bad@guess-1"})
        assert r.status_code == 401
    locked = await elsewhere.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert locked.status_code == 429  # even the right password, while locked
    assert await api.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'auth.login.locked' AND object_id = $1",
        str(user_id)) == 1
    # Lock time passes (moved in the database rather than waited for).
    await api.pool.execute("UPDATE users SET locked_until = now() - interval '1 second' WHERE id = $1",
                           user_id)
    ok = await elsewhere.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert ok.status_code == 200
    assert await api.pool.fetchval("SELECT failed_logins FROM users WHERE id = $1", user_id) == 0


async def test_an_address_with_many_failures_is_throttled_before_passwords_are_checked(
        api: Api, settings: Settings) -> None:
    user_id, _ = await api.user("officer", [api.units["d1"]])
    username = await _username(api, user_id)
    strict = settings.model_copy(update={"login_ip_max_failures": 3})
    address = f"192.0.2.{api.next() % 250 + 1}{api.tag}"
    for n in range(3):
        with pytest.raises(Unauthorized):
            await auth_service.login(api.pool, strict, body=LoginIn(username=f"spray{n}_{api.tag}",
                                                               password="Bad@guess-1"), source_ip=address)
    with pytest.raises(TooManyRequests) as caught:
        await auth_service.login(api.pool, strict, body=LoginIn(username=username, password=PASSWORD),
                                 source_ip=address)
    assert caught.value.headers and int(caught.value.headers["Retry-After"]) > 0
    # Another address is unaffected, and the account itself was never locked.
    token, _ = await auth_service.login(api.pool, strict, body=LoginIn(username=username, password=PASSWORD),
                                        source_ip=f"198.51.100.1{api.tag}")
    assert token.access_token
