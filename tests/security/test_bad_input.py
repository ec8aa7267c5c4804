"""No input causes a 500 (issue 12.5, 12.9): NUL bytes, surrogates, huge and oddly written ids,
duplicate JSON keys, reversed dates, officers' drafts, and database constraints."""

import inspect
import re
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import Request

from tests.factories import Api, campaign_with_team, record_body
from tests.security.test_authorization_matrix import CASES


def _is_problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, f"{r.status_code} {r.text[:300]}"
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert re.search(r"[\u4e00-\u9fff]", body["detail"]), body
    return body


async def test_nul_bytes_are_refused_everywhere_with_422(api: Api, client: httpx.AsyncClient) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    # Signing in, before any account is looked up: JSON and form.
    body = _is_problem(await client.post("/api/auth/login",
                                         json={"username": "of\x00ficer", "password": "x"}), 422)
    assert body["errors"][0]["field"] == "body.username"
    r = await client.post("/api/auth/session", content=b"username=a%00b&password=x",
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert _is_problem(r, 422)["errors"][0]["field"] == "username"
    # A query parameter, a path segment, a JSON field deep inside a body.
    r = await client.get("/api/cadres", params={"name": "张\x00"}, headers=officer)
    assert _is_problem(r, 422)["errors"][0]["field"] == "name"
    _is_problem(await client.get("/api/search", params={"q": "\x00"}, headers=officer), 422)
    _is_problem(await client.get("/api/cadres/1%00", headers=officer), 422)
    cadre = api.cadre_body(api.units["d1_bureau"], name="张\x00三")
    r = await client.post("/api/cadres", json=cadre, headers=officer)
    assert _is_problem(r, 422)["errors"][0]["field"] == "body.name"
    r = await client.post("/api/cadres", headers={**officer, "content-type": "application/json"},
                          content=b'{"name": "\\ud800"}')
    assert _is_problem(r, 422)["errors"][0]["field"] == "body.name"
    # In this test's own unit: other modules on the worker's database file cadres named 张三.
    assert not await api.pool.fetchval("SELECT count(*) FROM cadres WHERE name LIKE '张%三' AND unit_id = $1",
                                       api.units["d1_bureau"])


async def test_every_path_id_above_the_database_range_is_a_422(api: Api, client: httpx.AsyncClient) -> None:
    """2^63 and 2^64 in every id of every route (contests, programmes, service logs, periods …)."""
    _, officer = await api.user("officer", [api.units["d1"]])
    checked = 0
    for case in CASES:
        if not case.roles or "officer" not in case.roles or not case.params:
            continue
        for huge in (2**63, 2**64):
            path = re.sub(r"{(\w+)(?::\w+)?}", str(huge), case.path)
            r = await client.request(case.method, path, headers=officer,
                                     json={} if case.method in ("POST", "PUT", "PATCH") else None)
            assert r.status_code in (404, 422), f"{case.key} with {huge}: {r.status_code} {r.text[:200]}"
            checked += 1
    assert checked > 50


@pytest.mark.parametrize("segment", ["+1", "1_000", "%201", "1%20", "01", "%EF%BC%91", "-1"])
async def test_ids_written_unusually_are_refused_in_paths(api: Api, client: httpx.AsyncClient,
                                                          segment: str) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    assert (await client.get(f"/api/cadres/{cadre['id']}", headers=officer)).status_code == 200
    odd = segment if segment in ("-1",) else segment.replace("1", str(cadre["id"]), 1) \
        if segment != "01" else f"0{cadre['id']}"
    body = _is_problem(await client.get(f"/api/cadres/{odd}", headers=officer), 422)
    assert body["errors"][0]["field"] == "path"


async def test_duplicate_json_keys_are_refused(api: Api, client: httpx.AsyncClient) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    r = await client.post("/api/auth/login", headers={"content-type": "application/json"},
                          content=b'{"username": "a", "username": "b", "password": "x"}')
    assert _is_problem(r, 422)["errors"][0]["field"] == "body.username"
    r = await client.post("/api/campaigns", headers={**officer, "content-type": "application/json"},
                          content='{"name": "甲", "starts_on": "2024-01-01", "ends_on": "2024-12-31",'
                                  ' "teams": [{"name": "组", "name": "组2"}]}'.encode())
    assert _is_problem(r, 422)["errors"][0]["field"] == "body.teams.0.name"


async def test_a_reward_ending_before_it_was_decided_is_a_field_error(api: Api,
                                                                      client: httpx.AsyncClient) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    r = await client.post(f"/api/cadres/{cadre['id']}/rewards-penalties", headers=officer, json=[
        {"kind": "penalty", "title": "警告", "decided_on": "2024-05-01", "effective_until": "2024-04-30"}])
    body = _is_problem(r, 422)
    assert body["errors"][0]["field"].endswith("effective_until")
    assert not await api.pool.fetchval("SELECT count(*) FROM rewards_penalties WHERE cadre_id = $1",
                                       cadre["id"])


async def test_an_officer_filing_a_draft_never_learns_whether_another_districts_cadre_exists(
        api: Api, client: httpx.AsyncClient) -> None:
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    _, officer2 = await api.user("officer", [api.units["d2"]])
    mine = await api.cadre(officer, api.units["d1_bureau"])
    theirs = await api.cadre(officer2, api.units["d2_bureau"])
    campaign = await campaign_with_team(api, officer, [officer_id], [api.units["d1"]])
    # The district-2 cadre slipped into the team's assignment (as was possible before the fix).
    await api.pool.execute("INSERT INTO team_assignments (team_id, cadre_id, granted_by) "
                           "VALUES ($1, $2, $3)", campaign["teams"][0]["id"], theirs["id"], officer_id)
    answers = []
    for cadre_id in (theirs["id"], 9_000_000_000_000_000):
        r = await client.post("/api/records", headers=officer,
                              json=record_body(campaign, [cadre_id], submit=False))
        body = _is_problem(r, 422)
        answers.append({k: v for k, v in body.items() if k != "instance"}
                       | {"errors": [{**e, "message": re.sub(r"\d+", "N", e["message"]),
                                      "ids": ["N" for _ in e.get("ids", [])]}
                                     for e in body["errors"]]})
        # The refusal names back only the id that was sent, never more.
        assert all(e.get("ids", [cadre_id]) == [cadre_id] for e in body["errors"])
    assert answers[0] == answers[1]
    r = await client.post("/api/records", headers=officer, json=record_body(campaign, [mine["id"]],
                                                                              submit=False))
    assert r.status_code == 201 and r.json()["state"] == "draft"
    assert (await client.get(f"/api/records/{r.json()['id']}", headers=officer)).status_code == 200


async def test_a_database_constraint_anywhere_is_a_problem_not_a_500(app: FastAPI,
                                                                     pool: asyncpg.Pool) -> None:
    """The one error handler maps what PostgreSQL refuses (real errors from the database)."""
    scope = {"type": "http", "method": "POST", "path": "/api/x", "headers": [], "query_string": b""}
    request = Request(scope)
    answers = {}
    async with pool.acquire() as conn:
        for name, sql in (
                ("check", "INSERT INTO campaigns (name, starts_on, ends_on, unit_id) "
                          "SELECT 'x', '2024-02-01', '2024-01-01', id FROM units LIMIT 1"),
                ("foreign", "INSERT INTO team_members (team_id, user_id) VALUES (-1, -1)"),
                ("unique", "INSERT INTO users (username, display_name, password_hash, role) "
                           "SELECT username, 'x', 'x', 'admin' FROM users LIMIT 1"),
                ("not_null", "INSERT INTO campaigns (name) VALUES ('x')"),
                ("range", "SELECT 2147483648::int"),
        ):
            with pytest.raises(asyncpg.PostgresError) as caught:
                await conn.execute(sql)
            handler = next(h for cls, h in app.exception_handlers.items()
                           if isinstance(cls, type) and cls is not Exception
                           and isinstance(caught.value, cls))
            result = handler(request, caught.value)
            response = await result if inspect.isawaitable(result) else result
            answers[name] = response.status_code
            assert response.media_type == "application/problem+json"
    assert answers == {"check": 422, "foreign": 422, "unique": 409, "not_null": 422, "range": 422}


async def test_every_operation_refuses_nul_and_lone_surrogates_in_json_with_422(
        api: Api, client: httpx.AsyncClient) -> None:
    """Schemathesis cannot carry a lone surrogate (it encodes cases itself); here every operation
    that takes a body gets one, JSON-escaped, and one NUL byte, as an officer."""
    _, officer = await api.user("officer", [api.units["d1"]])
    headers = {**officer, "content-type": "application/json"}
    checked = 0
    for case in CASES:
        if case.method not in ("POST", "PUT", "PATCH"):
            continue
        path = re.sub(r"{(\w+)(?::\w+)?}", "1", case.path)
        for raw in (b'{"name": "\\ud800"}', b'{"reason": "a\\u0000b"}', b'[{"title": "\\udfff"}]'):
            r = await client.request(case.method, path, headers=headers, content=raw)
            assert r.status_code == 422, f"{case.key} {raw!r}: {r.status_code} {r.text[:200]}"
            checked += 1
    assert checked > 90


async def test_an_lrmx_file_that_is_no_text_is_reported_not_a_server_error(
        api: Api, client: httpx.AsyncClient) -> None:
    """Found by the fuzzer: bytes no encoding reads (a torn GB18030 sequence) gave a 500."""
    _, officer = await api.user("officer", [api.units["d1"]])
    torn = b'<?xml version="1.0" encoding="GB2312"?><Person><XingMing>\x82</XingMing></Person>'
    r = await client.post("/api/lrmx/imports", headers=officer,
                          files={"file": ("张三.lrmx", torn, "application/octet-stream")})
    assert r.status_code < 500, r.text
    assert "编码" in r.text


async def test_json_nested_beyond_the_parsers_limit_is_a_422(api: Api, client: httpx.AsyncClient) -> None:
    """Found by the fuzzer: 100 000 nested brackets made the input gate's JSON parse raise
    RecursionError, answered with a 500."""
    _, officer = await api.user("officer", [api.units["d1"]])
    headers = {**officer, "content-type": "application/json"}
    for raw in (b"[" * 100_000, b'{"a":' * 3000 + b"1" + b"}" * 3000):
        body = _is_problem(await client.post("/api/records", headers=headers, content=raw), 422)
        assert body["errors"][0]["field"] == "body"


async def test_the_first_and_last_python_dates_are_field_errors_not_infinity(
        api: Api, client: httpx.AsyncClient) -> None:
    """Found by the fuzzer: asyncpg sends 0001-01-01 and 9999-12-31 as -infinity/infinity. A service
    log dated 0001-01-01 was stored as -infinity and from then on every read of the cadre's dossier
    was a 500; the working-days calendar and the audit page failed on them at once."""
    _, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    r = await client.post("/api/service-logs", headers=officer, json={
        "kind": "window_service", "cadre_id": cadre["id"], "served_on": "0001-01-01",
        "items_handled": 1, "problems_solved": 0})
    assert _is_problem(r, 422)["errors"][0]["field"] == "served_on"
    assert not await api.pool.fetchval("SELECT count(*) FROM service_logs WHERE cadre_id = $1", cadre["id"])
    assert (await client.get(f"/api/cadres/{cadre['id']}/performance", headers=officer)).status_code == 200
    for day in ("0001-01-01", "9999-12-31"):
        r = await client.get("/api/promotions/working-days", headers=officer, params={"start": day})
        assert _is_problem(r, 422)["errors"][0]["field"] == "start"
    _, auditor = await api.user("auditor")
    r = await client.get("/audit", headers={**auditor, "accept": "text/html"},
                         params={"date_to": "9999-12-31"})
    assert r.status_code == 422, r.text[:300]
    assert "页面参数不正确" in r.text


async def test_no_request_body_or_date_filter_takes_the_first_or_last_python_date(
        api: Api, client: httpx.AsyncClient) -> None:
    """Every request body (schemas.common.Strict) and every date filter refuses them, not only the
    fields the fuzzer reached: a contest is not stored with held_on = infinity."""
    _, officer = await api.user("officer", [api.units["d1"]])
    contests = await api.pool.fetchval("SELECT count(*) FROM contests")
    for day in ("0001-01-01", "9999-12-31"):
        r = await client.post("/api/contests", headers=officer, json={
            "name": f"擂台比武{api.tag}", "level": "district_head", "held_on": day,
            "place": "市委党校报告厅", "organizer_unit_id": api.units["city"]})
        assert _is_problem(r, 422)["errors"][0]["field"] == "held_on"
        for path in ("/api/contests", "/api/service-logs"):
            r = await client.get(path, headers=officer, params={"date_from": day})
            assert _is_problem(r, 422)["errors"][0]["field"] == "date_from"
    assert await api.pool.fetchval("SELECT count(*) FROM contests") == contests
