"""Sign-in answers and work do not tell which user names exist (issue 12.4)."""

import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from service.auth import passwords
from service.config import Settings
from tests.factories import Api


@pytest.fixture
async def prober(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client from an address of its own, so its failures throttle nobody else."""
    transport = httpx.ASGITransport(app=app, client=(f"10.77.{secrets.randbelow(250)}.9", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def _attempts(client: httpx.AsyncClient, username: str, n: int,
                    path: str = "/api/auth/login") -> list[tuple[int, dict[str, Any], int]]:
    """(status, problem without instance, argon2 verifications spent) of n wrong-password tries."""
    out = []
    for _ in range(n):
        before = passwords.verifications
        r = await client.post(path, json={"username": username, "password": "Wrong@pass-123"})
        body = {k: v for k, v in r.json().items() if k != "instance"}
        out.append((r.status_code, body, passwords.verifications - before))
    return out


async def test_unknown_name_gets_the_same_answers_and_work_as_an_account(
        api: Api, prober: httpx.AsyncClient, settings: Settings) -> None:
    user_id, _ = await api.user("officer", [api.units["d1"]])
    username = await api.pool.fetchval("SELECT username FROM users WHERE id = $1", user_id)
    unknown = f"nobody_{secrets.token_hex(4)}"
    tries = settings.login_max_failures + 2
    known = await _attempts(prober, username, tries)
    missing = await _attempts(prober, unknown, tries)
    assert known == missing
    limit = settings.login_max_failures
    # Every failure before the lock paid for one argon2 verification (a dummy one for the
    # unknown name); once locked, neither pays, and both answer 429.
    assert [status for status, _, _ in missing] == [401] * limit + [429] * (tries - limit)
    assert [work for _, _, work in missing] == [1] * limit + [0] * (tries - limit)


async def test_browser_sign_in_answers_unknown_names_like_accounts(
        api: Api, prober: httpx.AsyncClient, settings: Settings) -> None:
    user_id, _ = await api.user("leader", [api.units["d1"]])
    username = await api.pool.fetchval("SELECT username FROM users WHERE id = $1", user_id)
    tries = settings.login_max_failures + 1
    assert (await _attempts(prober, username, tries, "/api/auth/session")
            == await _attempts(prober, f"ghost_{secrets.token_hex(4)}", tries, "/api/auth/session"))


async def test_deactivated_account_pays_the_same_work_as_any_other_failure(
        api: Api, prober: httpx.AsyncClient) -> None:
    user_id, _ = await api.user("researcher")
    username = await api.pool.fetchval("SELECT username FROM users WHERE id = $1", user_id)
    r = await api.client.patch(f"/api/users/{user_id}", headers=api.admin,
                               json={"version": 1, "active": False})
    assert r.status_code == 200
    before = passwords.verifications
    r = await prober.post("/api/auth/login", json={"username": username, "password": "Demo@2024pass"})
    assert r.status_code == 401 and passwords.verifications - before == 1
