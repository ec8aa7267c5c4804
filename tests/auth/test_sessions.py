"""Browser sessions: HttpOnly, Secure, SameSite=Strict cookies with CSRF protection on writes."""

from http.cookies import SimpleCookie
from typing import Any

import httpx

from tests.factories import PASSWORD, Api

CAMPAIGN = {"name": "会话测试调研", "starts_on": "2024-01-01", "ends_on": "2024-12-31"}


async def _username(api: Api, user_id: int) -> str:
    name: str = await api.pool.fetchval("SELECT username FROM users WHERE id = $1", user_id)
    return name


def _cookies(r: httpx.Response) -> dict[str, Any]:
    jar: SimpleCookie = SimpleCookie()
    for header in r.headers.get_list("set-cookie"):
        jar.load(header)
    return {name: morsel for name, morsel in jar.items()}


async def _session(api: Api, role: str = "officer") -> tuple[str, str]:
    user_id, _ = await api.user(role, [api.units["d1"]])
    r = await api.client.post("/api/auth/session", json={"username": await _username(api, user_id),
                                                         "password": PASSWORD})
    assert r.status_code == 200, r.text
    cookies = _cookies(r)
    return cookies["cadre_session"].value, r.json()["csrf_token"]


async def test_session_cookie_is_httponly_secure_strict_and_csrf_cookie_readable(api: Api) -> None:
    user_id, _ = await api.user("leader", [api.units["d1"]])
    r = await api.client.post("/api/auth/session", json={"username": await _username(api, user_id),
                                                         "password": PASSWORD})
    assert r.status_code == 200
    cookies = _cookies(r)
    session, csrf = cookies["cadre_session"], cookies["cadre_csrf"]
    assert session["httponly"] and session["secure"] and session["samesite"] == "strict"
    assert session["path"] == "/" and int(session["max-age"]) > 0
    assert not csrf["httponly"] and csrf["secure"] and csrf["samesite"] == "strict"
    assert csrf.value == r.json()["csrf_token"] and r.json()["role"] == "leader"
    assert session.value not in r.text  # the session token itself never reaches scripts
    kind = await api.pool.fetchval("SELECT kind FROM auth_tokens WHERE user_id = $1 "
                                   "ORDER BY created_at DESC LIMIT 1", user_id)
    assert kind == "cookie"


async def test_form_login_opens_a_session(api: Api) -> None:
    user_id, _ = await api.user("officer", [api.units["d1"]])
    r = await api.client.post("/api/auth/session", data={"username": await _username(api, user_id),
                                                         "password": PASSWORD})
    assert r.status_code == 200 and "cadre_session" in _cookies(r)
    wrong = await api.client.post("/api/auth/session", data={"username": await _username(api, user_id),
                                                             "password": "nope"})
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers


async def test_unsafe_cookie_requests_need_the_csrf_token(api: Api) -> None:
    token, csrf = await _session(api)
    cookie = {"Cookie": f"cadre_session={token}; cadre_csrf={csrf}"}
    me = await api.client.get("/api/auth/me", headers=cookie)
    assert me.status_code == 200  # reads need no CSRF token
    missing = await api.client.post("/api/campaigns", headers=cookie, json=CAMPAIGN)
    assert missing.status_code == 403
    wrong = await api.client.post("/api/campaigns", headers={**cookie, "X-CSRF-Token": csrf + "x"},
                                  json=CAMPAIGN)
    assert wrong.status_code == 403
    right = await api.client.post("/api/campaigns", headers={**cookie, "X-CSRF-Token": csrf},
                                  json=CAMPAIGN)
    assert right.status_code == 201, right.text


async def test_tokens_only_work_the_way_they_were_issued(api: Api) -> None:
    token, _csrf = await _session(api)
    as_bearer = await api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert as_bearer.status_code == 401
    _, bearer = await api.user("officer", [api.units["d1"]])
    assert (await api.client.get("/api/auth/me", headers=bearer)).status_code == 200
    raw = bearer["Authorization"].removeprefix("Bearer ")
    as_cookie = await api.client.get("/api/auth/me", headers={"Cookie": f"cadre_session={raw}"})
    assert as_cookie.status_code == 401
    # Bearer tokens need no CSRF token: a browser cannot attach them to a forged request.
    assert (await api.client.post("/api/campaigns", headers=bearer, json=CAMPAIGN)).status_code == 201


async def test_closing_the_session_revokes_it_and_clears_the_cookies(api: Api) -> None:
    token, csrf = await _session(api)
    cookie = {"Cookie": f"cadre_session={token}; cadre_csrf={csrf}"}
    refused = await api.client.delete("/api/auth/session", headers=cookie)
    assert refused.status_code == 403  # logout is a write: it needs the CSRF token too
    r = await api.client.delete("/api/auth/session", headers={**cookie, "X-CSRF-Token": csrf})
    assert r.status_code == 204
    cleared = _cookies(r)
    assert cleared["cadre_session"].value == "" and int(cleared["cadre_session"]["max-age"]) == 0
    assert int(cleared["cadre_csrf"]["max-age"]) == 0
    assert (await api.client.get("/api/auth/me", headers=cookie)).status_code == 401


async def test_login_form_posted_from_another_site_is_refused(api: Api) -> None:
    user_id, _ = await api.user("officer", [api.units["d1"]])
    body = {"username": await _username(api, user_id), "password": PASSWORD}
    foreign = await api.client.post("/api/auth/session", data=body,
                                    headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and "set-cookie" not in foreign.headers
    same = await api.client.post("/api/auth/session", data=body, headers={"Origin": "http://test"})
    assert same.status_code == 200


async def test_a_login_origin_that_is_no_url_is_refused_not_a_500(api: Api) -> None:
    user_id, _ = await api.user("officer", [api.units["d1"]])
    body = {"username": await _username(api, user_id), "password": PASSWORD}
    for origin in ("http://[::1", "http://[test"):
        r = await api.client.post("/api/auth/session", data=body, headers={"Origin": origin})
        assert r.status_code == 403, r.text
        assert r.json()["detail"] == "不接受来自其他站点的登录请求" and "set-cookie" not in r.headers


async def test_session_login_refuses_other_media_types_and_bad_json(api: Api) -> None:
    text = await api.client.post("/api/auth/session", content=b"username=a",
                                 headers={"Content-Type": "text/plain"})
    assert text.status_code == 415
    broken = await api.client.post("/api/auth/session", content=b"{not json",
                                   headers={"Content-Type": "application/json"})
    assert broken.status_code == 422
    extra = await api.client.post("/api/auth/session", json={"username": "a", "password": "b", "x": 1})
    assert extra.status_code == 422 and extra.json()["errors"][0]["field"] == "x"


async def test_credentials_that_are_no_object_or_no_json_are_named_in_chinese_under_body(api: Api) -> None:
    for path in ("/api/auth/session", "/api/auth/login"):
        for body in (b"[1, 2]", b'"officer"'):
            r = await api.client.post(path, content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 422, r.text
            assert [(e["field"], e["message"]) for e in r.json()["errors"]] == [("body", "应为对象")], r.text
        r = await api.client.post(path, content=b'{"username": "a", "password":',
                                  headers={"Content-Type": "application/json"})
        assert r.status_code == 422, r.text
        assert [(e["field"], e["message"]) for e in r.json()["errors"]] == [("body", "JSON 格式错误")]
