"""Password change: refusals filed under the field typed in, wrong current passwords counted toward
the account's lockout, and 429 answers (sign-in and change) saying when to retry."""

import re
import secrets
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from schemas import clock
from schemas.auth import PasswordChange
from service.config import Settings
from tests.factories import PASSWORD, Api

NEW = "Brand@New-pass9"
WRONG = "Wrong@guess-77"
CHANGE = "/api/auth/password"


@pytest.fixture
async def outsider(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client from an address of its own, so its failed logins throttle nobody else."""
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=app, client=(address, 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def _officer(api: Api) -> tuple[int, str, dict[str, str]]:
    user_id, headers = await api.user("officer", [api.units["d1"]])
    username: str = await api.pool.fetchval("SELECT username FROM users WHERE id = $1", user_id)
    return user_id, username, headers


def _fields(r: httpx.Response) -> list[str]:
    return [e["field"] for e in r.json()["errors"]]


def _retry_after(r: httpx.Response) -> int:
    assert r.status_code == 429, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return int(r.headers["Retry-After"])


async def test_refused_new_password_is_filed_under_the_new_password_field(api: Api) -> None:
    _, username, headers = await _officer(api)
    assert {"current_password", "new_password"} == set(PasswordChange.model_fields)
    for weak in ("short1A!", "alllowercaseletters", f"Xx1!{username}9"):
        r = await api.client.post(CHANGE, headers=headers,
                                  json={"current_password": PASSWORD, "new_password": weak})
        assert r.status_code == 422, weak
        assert r.headers["content-type"].startswith("application/problem+json")
        assert set(_fields(r)) == {"new_password"}, r.text
        assert all(re.search("[\u4e00-\u9fff]", e["message"]) for e in r.json()["errors"])
    same = await api.client.post(CHANGE, headers=headers,
                                 json={"current_password": PASSWORD, "new_password": PASSWORD})
    assert same.status_code == 422 and _fields(same) == ["new_password"], same.text
    assert same.json()["errors"][0]["message"] == "新密码不能与当前密码相同"
    wrong = await api.client.post(CHANGE, headers=headers,
                                  json={"current_password": WRONG, "new_password": NEW})
    assert wrong.status_code == 422 and _fields(wrong) == ["current_password"], wrong.text
    assert wrong.json()["errors"][0]["message"] == "当前密码错误"
    # Nothing was changed and the session goes on.
    assert (await api.client.get("/api/auth/me", headers=headers)).status_code == 200
    assert (await api.client.post("/api/auth/login",
                                  json={"username": username, "password": PASSWORD})).status_code == 200


async def test_the_account_page_names_its_inputs_as_the_refusals_are_filed(api: Api) -> None:
    _, username, _ = await _officer(api)
    opened = await api.client.post("/api/auth/session", json={"username": username, "password": PASSWORD})
    csrf = opened.json()["csrf_token"]
    cookie = {"Cookie": f"cadre_session={opened.cookies['cadre_session']}; cadre_csrf={csrf}"}
    page = await api.client.get("/account", headers={**cookie, "Accept": "text/html"})
    assert page.status_code == 200
    form = re.search(r'<form id="password-form".*?</form>', page.text, re.S)
    assert form is not None
    inputs = dict(re.findall(r'<label for="([^"]+)">([^<]+)', form.group(0)))
    names = dict(re.findall(r'<input id="([^"]+)" name="([^"]+)"', form.group(0)))
    by_label = {inputs[i].strip(): name for i, name in names.items()}
    # What the page's script sends, as the page names it; the refusal names the same input.
    write = {**cookie, "X-CSRF-Token": csrf}
    weak = await api.client.post(CHANGE, headers=write, json={
        by_label["当前密码"]: PASSWORD, by_label["新密码"]: "short"})
    assert weak.status_code == 422 and set(_fields(weak)) == {by_label["新密码"]}, weak.text
    wrong = await api.client.post(CHANGE, headers=write, json={
        by_label["当前密码"]: WRONG, by_label["新密码"]: NEW})
    assert wrong.status_code == 422 and _fields(wrong) == [by_label["当前密码"]], wrong.text


async def test_login_lockout_says_how_many_seconds_remain(
        api: Api, outsider: httpx.AsyncClient, settings: Settings) -> None:
    user_id, username, _ = await _officer(api)
    ghost = f"ghost_{secrets.token_hex(4)}"
    for name in (username, ghost):
        for _ in range(settings.login_max_failures):
            r = await outsider.post("/api/auth/login", json={"username": name, "password": WRONG})
            assert r.status_code == 401
    locked = await outsider.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert 1 <= _retry_after(locked) <= settings.login_lockout_minutes * 60
    # A name that is no account is answered alike, header included.
    unknown = await outsider.post("/api/auth/login", json={"username": ghost, "password": PASSWORD})
    assert 1 <= _retry_after(unknown) <= settings.login_lockout_minutes * 60
    until: datetime = await api.pool.fetchval("SELECT locked_until FROM users WHERE id = $1", user_id)
    # Seconds until the lock ends, rounded up; never 0 while still locked.
    for before_end, expected in ((timedelta(seconds=90, milliseconds=500), 91),
                                 (timedelta(milliseconds=300), 1)):
        with clock.frozen(until - before_end):
            r = await outsider.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert _retry_after(r) == expected


async def test_wrong_current_passwords_count_toward_the_lockout_without_ending_the_session(
        api: Api, outsider: httpx.AsyncClient, settings: Settings) -> None:
    user_id, username, headers = await _officer(api)
    for _ in range(settings.login_max_failures):
        r = await api.client.post(CHANGE, headers=headers,
                                  json={"current_password": WRONG, "new_password": NEW})
        assert r.status_code == 422 and _fields(r) == ["current_password"], r.text
    assert await api.pool.fetchval("SELECT failed_logins FROM users WHERE id = $1",
                                   user_id) == settings.login_max_failures
    # Locked now: even the right current password is refused, here and at sign-in.
    refused = await api.client.post(CHANGE, headers=headers,
                                    json={"current_password": PASSWORD, "new_password": NEW})
    assert 1 <= _retry_after(refused) <= settings.login_lockout_minutes * 60
    login = await outsider.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert 1 <= _retry_after(login) <= settings.login_lockout_minutes * 60
    # The session is not ended for it, and the password did not change.
    assert (await api.client.get("/api/auth/me", headers=headers)).status_code == 200
    counted = await api.pool.fetch(
        "SELECT action, count(*) AS n FROM audit_log WHERE object_type = 'user' AND object_id = $1 "
        "AND action LIKE 'user.password_change%' GROUP BY action", str(user_id))
    assert {r["action"]: r["n"] for r in counted} == {
        "user.password_change.failure": settings.login_max_failures, "user.password_change.locked": 1}
    # Lock time passes (moved in the database rather than waited for).
    await api.pool.execute("UPDATE users SET locked_until = now() - interval '1 second' WHERE id = $1",
                           user_id)
    done = await api.client.post(CHANGE, headers=headers,
                                 json={"current_password": PASSWORD, "new_password": NEW})
    assert done.status_code == 204, done.text
    assert await api.pool.fetchval("SELECT failed_logins FROM users WHERE id = $1", user_id) == 0
    assert (await outsider.post("/api/auth/login",
                                json={"username": username, "password": NEW})).status_code == 200


async def test_login_failures_and_wrong_current_passwords_share_one_count(
        api: Api, outsider: httpx.AsyncClient, settings: Settings) -> None:
    _, username, headers = await _officer(api)
    for _ in range(settings.login_max_failures - 1):
        r = await outsider.post("/api/auth/login", json={"username": username, "password": WRONG})
        assert r.status_code == 401
    last = await api.client.post(CHANGE, headers=headers,
                                 json={"current_password": WRONG, "new_password": NEW})
    assert last.status_code == 422
    refused = await api.client.post(CHANGE, headers=headers,
                                    json={"current_password": PASSWORD, "new_password": NEW})
    assert _retry_after(refused) >= 1
    login = await outsider.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert _retry_after(login) >= 1
