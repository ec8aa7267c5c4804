"""Authorization matrix: every route the app registers × every role × in- and out-of-scope objects.

The routes and their role rules are read from the app itself (the `Allow` dependency of each
route), so a route added later is covered without touching this file — unless its path has a
parameter of an unknown kind or it writes to an object without an example body: then the test
fails and says which example to add to the tables below.
"""

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from indexer.worker import Worker
from service.config import Settings
from service.deps import Allow
from service.main import create_app
from service.routes import PUBLIC_PATHS
from tests.factories import Api, campaign_with_team, record_body
from tests.leadership import matrix_examples as leadership
from tests.lrmx import matrix_examples as formats
from tests.performance import matrix_examples as performance
from tests.security.world import MOTION, ROLES, World, build_world, evidence_body, png

# What each path parameter names: the kind of object (see World.objects), and the roles for
# which the district-2 object is out of scope (they must get 404, exactly as for no object).
PARAM_KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "cadre_id": ("cadre", frozenset({"officer", "leader", "researcher"})),
    "record_id": ("record", frozenset({"officer", "leader", "researcher"})),
    "evidence_id": ("evidence", frozenset({"officer", "leader", "researcher"})),
    "attachment_id": ("attachment", frozenset({"officer", "leader", "researcher"})),
    # Campaigns belong to a unit: officers and leaders see those their scope covers; a researcher
    # sees only their own teams'.
    "campaign_id": ("campaign", frozenset({"officer", "leader", "researcher"})),
    # A team's cadre list (the filing form's picker) is for its members only: the world's
    # researcher is on the district-1 team; the district-2 team is as good as none.
    "team_id": ("team", frozenset({"officer", "researcher"})),
    # Accounts are admin business and units are not secret: no scope applies.
    "user_id": ("user", frozenset()),
    "unit_id": ("unit", frozenset()),
    # Selection work (positions, their shortlists, promotion records) is for officers and leaders.
    "position_id": ("position", frozenset({"officer", "leader"})),
    "mark_id": ("shortlist_mark", frozenset({"officer", "leader"})),
    "promotion_id": ("promotion", frozenset({"officer", "leader"})),
    # A batch export job belongs to the user who queued it; anyone else's is out of scope.
    "job_id": ("export_job", frozenset({"officer", "leader"})),
    # Scoreboards, contests, secondments, service logs: kept by their domain (issue 7).
    **performance.PARAM_KINDS,
    **formats.PARAM_KINDS,
    **leadership.PARAM_KINDS,
}

# Path parameters that are plain values rather than objects (a version number, a stage name).
# They are not checked out of scope by themselves: the object they belong to is (both districts'
# positions have a saved version 1, so an out-of-scope position's 404 is the scope rule's).
PARAM_LITERALS: dict[str, str] = {"version": "1", "other": "1", "stage": "motion"}

Body = Callable[[World], dict[str, Any]]


def _cadre_update(w: World) -> dict[str, Any]:
    c = w.data["cadre"]
    body = w.api.cadre_body(c["unit_id"], national_id=c["national_id"], birth_date=c["birth_date"],
                            version=1)
    for key in ("career", "appraisals"):
        body.pop(key)
    return {"json": body}


def _record_update(w: World) -> dict[str, Any]:
    r = w.data["record"]
    content = {k: r[k] for k in ("occurred_on", "place", "title", "body", "details", "cadre_ids",
                                 "attachment_ids")}
    return {"json": {**content, "version": 1, "reason": "核对后补正"}}


def _position_update(w: World) -> dict[str, Any]:
    p = w.data["position"]
    fields = ("unit_id", "title", "post_level", "tier", "category", "reference_date", "rules")
    return {"json": {**{k: p[k] for k in fields}, "version": 1, "status": "open",
                     "weights": {**p["weights"], "evidence": 2.0}}}


def _promotion(w: World, **body: Any) -> dict[str, Any]:
    """A promotion write based on the version the world left the district-1 record at; once an
    earlier write of the matrix has moved it on, the answer is 409 (allowed: the role got in)."""
    return {"json": {"version": w.data["promotion"]["version"], **body}}


def _evidence_update(w: World) -> dict[str, Any]:
    body = evidence_body(w.inside("cadre"))
    body.pop("cadre_id")
    return {"json": {**body, "version": 1, "reason": "补充材料"}}


# Example request bodies of writes, by "METHOD path". Writes that name an object need one, so
# that the out-of-scope check reaches the scope rule instead of stopping at validation.
BODIES: dict[str, Body] = {
    "PUT /api/cadres/{cadre_id}": _cadre_update,
    "POST /api/cadres/{cadre_id}/career": lambda w: {"json": [
        {"start_date": "2020-01-01", "unit_name": "鼓楼区住建局", "post": "副局长"}]},
    "POST /api/cadres/{cadre_id}/appraisals": lambda w: {"json": [{"year": 2021, "grade": "competent"}]},
    "POST /api/cadres/{cadre_id}/rewards-penalties": lambda w: {"json": [
        {"kind": "reward", "title": "嘉奖", "decided_on": "2024-01-10"}]},
    "POST /api/cadres/{cadre_id}/family-members": lambda w: {"json": {
        "relation": "女儿", "name": "张晓", "birth_date": "2001-05-06"}},
    "PUT /api/records/{record_id}": _record_update,
    "POST /api/records/{record_id}/submit": lambda w: {"json": {"version": 1}},
    "PUT /api/evidence/{evidence_id}": _evidence_update,
    "POST /api/evidence/{evidence_id}/verification": lambda w: {"json": {
        "verification": "verified", "version": 1}},
    "PATCH /api/campaigns/{campaign_id}": lambda w: {"json": {"version": 1, "name": "纪实调研（更名）"}},
    "POST /api/campaigns/{campaign_id}/teams": lambda w: {"json": {
        "name": f"补充调研组{secrets.token_hex(3)}"}},
    "PATCH /api/units/{unit_id}": lambda w: {"json": {"version": 1, "name": "鼓楼区"}},
    # Moving a unit under the parent it already has changes nothing else in the shared world.
    "POST /api/units/{unit_id}/move": lambda w: {"json": {"parent_id": w.api.units["city"], "version": 1}},
    "PATCH /api/users/{user_id}": lambda w: {"json": {"version": 1, "display_name": "张科长"}},
    # The world's officer already holds district 1 (adding it again is refused, nothing changes)
    # and does not hold district 2 (removing it is refused): the world stays as it was.
    "POST /api/users/{user_id}/scopes": lambda w: {"json": {"unit_id": w.inside("unit")}},
    "POST /api/users/{user_id}/scopes/remove": lambda w: {"json": {"unit_id": w.outside("unit")}},
    "POST /api/attachments": lambda w: {"files": {"file": ("照片.png", png(), "image/png")}},
    "PUT /api/positions/{position_id}": _position_update,
    "POST /api/positions/{position_id}/shortlist/marks": lambda w: {"json": {
        "cadre_id": w.data["spare_cadre"]["id"], "action": "exclude", "reason": "近期拟交流任职"}},
    "POST /api/positions/{position_id}/shortlist/seed": lambda w: {"json": {"q": "老旧小区改造"}},
    "POST /api/positions/{position_id}/shortlist/versions": lambda w: {"json": {
        "top_n": 10, "note": "调整后名单"}},
    # These two take no body.
    "POST /api/positions/{position_id}/shortlist/marks/{mark_id}/withdraw": lambda w: {},
    "POST /api/positions/{position_id}/shortlist/versions/{version}/reproduce": lambda w: {},
    "POST /api/promotions/{promotion_id}/stages": lambda w: _promotion(w, payload={
        "stage": "recommendation", "date": "2024-09-01", "participants": 40, "ballots_issued": 40,
        "ballots_returned": 39, "votes": [{"cadre_id": w.data["promotion"]["cadre_id"], "votes": 31}]}),
    "POST /api/promotions/{promotion_id}/stages/{stage}/amend": lambda w: _promotion(
        w, reason="提议理由表述更正", payload={**MOTION, "reason": "住建局局长岗位空缺"}),
    "POST /api/promotions/{promotion_id}/cancel": lambda w: _promotion(w, reason="岗位调整，终止选任"),
    "POST /api/promotions/{promotion_id}/probation": lambda w: _promotion(
        w, outcome="confirmed", date="2025-10-16", reason="试用期满考核合格"),
    **performance.BODIES,
    **formats.BODIES,
    **leadership.BODIES,
    # Wrong current password: exercises the route without ending the user's sessions.
    "POST /api/auth/password": lambda w: {"json": {"current_password": "Wrong@pass-1",
                                                   "new_password": "Another@pass-2"}},
}

# Required query parameters of routes, by "METHOD path".
QUERIES: dict[str, dict[str, Any]] = {
    "GET /api/promotions/working-days": {"start": "2024-01-01", "end": "2024-01-31"},
    **leadership.QUERIES,
}
# Routes that end the session they are called with get a token of their own.
ENDS_SESSION = {"POST /api/auth/logout", "DELETE /api/auth/session"}
# GET routes whose in-scope answer for an allowed role is legitimately not 2xx, with the reason.
GET_NOT_2XX: dict[str, str] = {
    "GET /api/campaigns/{campaign_id}/teams/{team_id}/cadres": "a team's cadres are offered to its "
                                                                "members only: the officer, who is "
                                                                "not on the team, gets its 404",
    "GET /api/exports/jobs/{job_id}": "a job is its owner's only: the leader gets the 404 of no job",
    "GET /records/{record_id}/edit": "the edit page is the record's author's only: another reader "
                                     "gets the 409 its save would give",
    "GET /api/exports/jobs/{job_id}/download": "a job is its owner's only: the leader gets the 404 "
                                               "of no job (and its owner 409 until it is done; the "
                                               "world waits for it to be)",
}
MISSING_ID = 9_000_000_000_000_000
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class RouteCase:
    """One method of one route, with its role rule (None: public)."""

    method: str
    path: str
    roles: frozenset[str] | None
    params: tuple[str, ...]

    @property
    def key(self) -> str:
        """"METHOD path", as the tables above name routes."""
        return f"{self.method} {self.path}"


def _allows(dependant: Dependant) -> Iterator[Allow]:
    if isinstance(dependant.call, Allow):
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _allows(sub)


def route_cases(app: Any) -> list[RouteCase]:
    """Every (method, route) of the app with the roles its Allow dependencies admit."""
    cases = []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        allows = list(_allows(route.dependant))
        roles = (frozenset.intersection(*(frozenset(r.value for r in a.roles) for a in allows))
                 if allows else None)
        path = route.path or ""
        params = tuple(re.findall(r"{(\w+)(?::\w+)?}", path))
        for method in sorted(set(route.methods or ()) - {"HEAD", "OPTIONS"}):
            cases.append(RouteCase(method, path, roles, params))
    return cases


def other_routes(app: Any) -> list[tuple[str, str]]:
    """Routes that are not API routes (documentation pages, mounted apps), as (type, path)."""
    return [(type(r.original_route).__name__, r.path or "") for r in iter_route_contexts(app.routes)
            if not isinstance(r.original_route, APIRoute)]


CASES = route_cases(create_app(Settings(env="test")))


def _unknown_params(case: RouteCase) -> list[str]:
    return [p for p in case.params if p not in PARAM_KINDS and p not in PARAM_LITERALS]


def _missing_body(case: RouteCase) -> bool:
    return case.method in WRITES - {"DELETE"} and bool(case.params) and case.key not in BODIES


def _add_example_message(case: RouteCase) -> str:
    unknown = _unknown_params(case)
    if unknown:
        return (f"{case.key}: path parameter(s) {unknown} have no example. Add an object parameter to "
                f"PARAM_KINDS in {__name__.replace('.', '/')}.py (and an object of that kind to "
                f"tests/security/world.py, in scope in district 1 and out of scope in district 2), or a "
                f"plain value (a version number, a stage name) to PARAM_LITERALS.")
    return (f"{case.key} writes to an object but has no example body. Add a valid body to BODIES in "
            f"{__name__.replace('.', '/')}.py, so the out-of-scope check gets past validation.")


def test_every_route_declares_roles_or_is_public(app: Any) -> None:
    """A route with neither an Allow rule nor a place in PUBLIC_PATHS fails here."""
    assert {c.key for c in route_cases(app)} == {c.key for c in CASES}
    unguarded = [c.key for c in CASES if c.roles is None and c.path not in PUBLIC_PATHS]
    assert not unguarded, f"routes without a role rule (use an Allow alias from service/deps.py): " \
                          f"{unguarded}"
    # Documentation pages and mounted apps (static files) have no Allow: they must be listed public.
    others = other_routes(app)
    unlisted = [(kind, path) for kind, path in others if path not in PUBLIC_PATHS]
    assert not unlisted, f"routes outside the API with no role rule, not in PUBLIC_PATHS: {unlisted}"
    public = {c.path for c in CASES if c.roles is None} | {path for _, path in others}
    assert public == PUBLIC_PATHS
    assert all(c.roles for c in CASES if c.roles is not None), "a rule that admits no role"


def test_every_route_has_examples_for_its_objects() -> None:
    """Path parameters of unknown kinds and object writes without a body are named here."""
    problems = [_add_example_message(c) for c in CASES if _unknown_params(c) or _missing_body(c)]
    assert not problems, "\n".join(problems)


def _is_page(case: RouteCase) -> bool:
    """A web page (service/web) rather than an API route."""
    return not case.path.startswith("/api/")


def test_admin_reads_no_dossier_and_auditor_only_the_trail() -> None:
    """Admins manage accounts and units; auditors read the audit trail and their own account."""
    for case in CASES:
        if case.roles is None:
            continue
        # A page is held to the rule of the API it shows (/audit like /api/audit).
        path = "/api" + case.path if _is_page(case) else case.path
        if "admin" in case.roles and case.roles != set(ROLES):
            # /api/status: the operator's view of processes and queues, no personal data
            assert path.startswith(("/api/users", "/api/units", "/api/status")), case.key
        if "auditor" in case.roles and case.roles != set(ROLES):
            assert path.startswith("/api/audit"), case.key


@pytest.fixture(scope="module")
async def world(client: httpx.AsyncClient, pool: Any, indexer: Worker) -> World:
    """One world for the whole matrix (the search index exists: the indexer fixture built it)."""
    api = Api(client, pool)
    await api.setup()
    return await build_world(api)


def _path(case: RouteCase, ids: dict[str, object]) -> str:
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(ids[m.group(1)]), case.path)


async def _call(w: World, case: RouteCase, role: str | None, path: str) -> httpx.Response:
    headers = {} if role is None else (
        await w.fresh_token(role) if case.key in ENDS_SESSION else w.headers[role])
    kwargs = BODIES[case.key](w) if case.key in BODIES else (
        {"json": {}} if case.method in WRITES - {"DELETE"} else {})
    return await w.api.client.request(case.method, path, headers=headers,
                                      params=QUERIES.get(case.key), **kwargs)


def _problem(r: httpx.Response) -> tuple[int, Any]:
    body = r.json() if r.headers.get("content-type", "").endswith("json") else r.text
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k != "instance"}
    return r.status_code, body


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.key)
async def test_route_answers_each_role_by_its_rule_and_scope(case: RouteCase, world: World) -> None:
    if _unknown_params(case) or _missing_body(case):
        pytest.fail(_add_example_message(case))
    if case.roles is None:
        return
    inside: dict[str, object] = {p: PARAM_LITERALS[p] if p in PARAM_LITERALS else
                                 world.inside(PARAM_KINDS[p][0]) for p in case.params}
    path = _path(case, inside)
    anonymous = await _call(world, case, None, path)
    assert anonymous.status_code == 401, f"{case.key} without credentials: {anonymous.status_code}"
    if _is_page(case) and case.method == "GET":
        # A browser (it asks for HTML) without a session is sent to sign in, and back here after.
        browser = await world.api.client.get(path, headers={"Accept": "text/html"},
                                             params=QUERIES.get(case.key))
        assert browser.status_code in (302, 303), f"{case.key} from a browser: {browser.status_code}"
        assert browser.headers["location"].startswith("/login?next="), browser.headers["location"]
    for role in ROLES:
        r = await _call(world, case, role, path)
        seen = f"{case.key} as {role}: {r.status_code} {r.text[:300]}"
        if role not in case.roles:
            assert r.status_code == 403, seen
            continue
        assert r.status_code not in (401, 403) and r.status_code < 500, seen
        if case.method == "GET" and case.key not in GET_NOT_2XX:
            assert r.status_code != 422, f"{seen}\nIf the route needs query parameters, add them to " \
                                         f"QUERIES in {__name__.replace('.', '/')}.py."
            assert r.status_code < 400, seen
        for param in case.params:
            if param in PARAM_LITERALS:
                continue
            kind, scoped = PARAM_KINDS[param]
            if role not in scoped:
                continue
            outside = await _call(world, case, role, _path(case, {**inside, param: world.outside(kind)}))
            missing = await _call(world, case, role, _path(case, {**inside, param: MISSING_ID}))
            where = f"{case.key} as {role}, {param} out of scope"
            assert outside.status_code == 404, f"{where}: {outside.status_code} {outside.text[:300]}"
            assert _problem(outside) == _problem(missing), f"{where} differs from a missing object"


async def test_campaign_team_and_assignment_writes_stay_within_the_officers_district(
        world: World) -> None:
    """The district-1 officer may not create, extend or change campaigns over district 2."""
    api, officer = world.api, world.headers["officer"]
    base = {"name": "跨区调研", "starts_on": "2024-01-01", "ends_on": "2030-12-31"}
    for team in ({"cadre_ids": [world.outside("cadre")]}, {"unit_ids": [world.outside("unit")]}):
        r = await api.client.post("/api/campaigns", headers=officer,
                                  json={**base, "teams": [{"name": "甲组", **team}]})
        assert r.status_code == 422, r.text
        r = await api.client.post(f"/api/campaigns/{world.inside('campaign')}/teams", headers=officer,
                                  json={"name": f"乙组{secrets.token_hex(3)}", **team})
        assert r.status_code == 422, r.text
    r = await api.client.post("/api/campaigns", headers=officer,
                              json={**base, "unit_id": world.outside("unit")})
    assert r.status_code == 422, r.text
    for body in ({"version": 1, "status": "closed"}, {"version": 1, "status": "open"}):
        r = await api.client.patch(f"/api/campaigns/{world.outside('campaign')}", headers=officer,
                                   json=body)
        assert r.status_code == 404, r.text


RESEARCHER_OBJECTS = ("cadre", "record", "evidence", "attachment")


async def test_researcher_reads_nothing_after_the_campaign_closes_and_only_its_officer_reopens(
        world: World) -> None:
    """Every researcher-readable route with an object of a campaign answers 404 once the
    campaign is closed; an officer of another district cannot re-open it."""
    api, u = world.api, world.api.units
    researcher_id, researcher = await api.user("researcher")
    # A team mate files (their own uploads stay theirs to read; the team's record is the rule's).
    filer_id, filer = await api.user("researcher")
    _, officer2 = await api.user("officer", [u["d2"]])
    campaign = await campaign_with_team(api, world.headers["officer"], [researcher_id, filer_id],
                                        [u["d1"]])
    attachment = (await api.client.post("/api/attachments", headers=filer, files={
        "file": ("照片.png", png(), "image/png")})).json()["id"]
    record = await api.client.post("/api/records", headers=filer, json=record_body(
        campaign, [world.inside("cadre")], attachment_ids=[attachment]))
    assert record.status_code == 201, record.text
    ids = {"cadre": world.inside("cadre"), "record": record.json()["id"],
           "evidence": world.inside("evidence"), "attachment": attachment}
    cases = [c for c in CASES if c.method == "GET" and c.roles and "researcher" in c.roles
             and c.key not in GET_NOT_2XX and c.params
             and all(p in PARAM_KINDS and PARAM_KINDS[p][0] in RESEARCHER_OBJECTS for p in c.params)]
    assert len(cases) >= 6, [c.key for c in cases]

    async def statuses() -> dict[str, int]:
        out = {}
        for case in cases:
            path = _path(case, {p: ids[PARAM_KINDS[p][0]] for p in case.params})
            out[case.key] = (await api.client.get(path, headers=researcher)).status_code
        return out

    async def patch(headers: dict[str, str], version: int, status: str) -> int:
        r = await api.client.patch(f"/api/campaigns/{campaign['id']}", headers=headers,
                                   json={"version": version, "status": status})
        return r.status_code

    open_answers = await statuses()
    assert all(s < 400 for s in open_answers.values()), open_answers
    assert await patch(world.headers["officer"], 1, "closed") == 200
    closed = await statuses()
    assert set(closed.values()) == {404}, closed
    assert await patch(officer2, 2, "open") == 404
    closed = await statuses()
    assert set(closed.values()) == {404}, closed
    assert await patch(world.headers["officer"], 2, "open") == 200
    assert await statuses() == open_answers
