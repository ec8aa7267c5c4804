"""Every route of issue 7 × every role × in- and out-of-scope objects (a matrix of these routes only)."""

import re
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from service.deps import Allow
from tests.factories import Api, campaign_with_team
from tests.performance.matrix_examples import BODIES, PARAM_KINDS, add_objects

PREFIXES = ("/api/assessments", "/api/contests", "/api/secondments", "/api/service-logs")
ROLES = ("admin", "officer", "researcher", "auditor", "leader")
MISSING_ID = 9_000_000_000_000_000
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
OWN_PARAMS = {"cadre_id": ("cadre", frozenset({"officer", "leader", "researcher"}))}


@dataclass
class World:
    """Tokens per role (district 1's view) and (inside, outside) ids per kind."""

    api: Api
    headers: dict[str, dict[str, str]]
    objects: dict[str, tuple[int, int]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


def _roles(route: RouteContext) -> frozenset[str]:
    def walk(dep: Any) -> list[Allow]:
        found = [dep.call] if isinstance(dep.call, Allow) else []
        return found + [a for sub in dep.dependencies for a in walk(sub)]
    allows = walk(route.dependant)
    assert allows, f"{route.path} declares no roles"
    return frozenset.intersection(*(frozenset(r.value for r in a.roles) for a in allows))


def _cases(app: FastAPI) -> list[tuple[str, str, frozenset[str]]]:
    return [(m, r.path or "", _roles(r)) for r in iter_route_contexts(app.routes)
            if isinstance(r.original_route, APIRoute)
            and ((r.path or "").startswith(PREFIXES) or (r.path or "").endswith("/performance"))
            for m in sorted(set(r.methods or ()) - {"HEAD", "OPTIONS"})]


async def _world(api: Api) -> World:
    u = api.units
    headers = {"admin": api.admin}
    for role in ("officer", "leader"):
        headers[role] = (await api.user(role, [u["d1"]]))[1]
    researcher_id, headers["researcher"] = await api.user("researcher")
    headers["auditor"] = (await api.user("auditor"))[1]
    await campaign_with_team(api, headers["officer"], [researcher_id], [u["d1"]])
    world = World(api, headers)
    await add_objects(world)
    cadre2 = await api.pool.fetchval("SELECT cadre_id FROM service_logs WHERE id = $1",
                                     world.objects["service_log"][1])
    world.objects["cadre"] = (world.data["performance"]["cadre_id"], cadre2)
    return world


async def _call(w: World, method: str, path: str, role: str) -> httpx.Response:
    shape = re.sub(r"/\d+", "/{}", path)
    key = f"{method} {shape}"
    template = next((k for k in BODIES if re.sub(r"{\w+}", "{}", k) == key), None)
    kwargs = BODIES[template](w) if template else ({"json": {}} if method in WRITES else {})
    return await w.api.client.request(method, path, headers=w.headers[role], **kwargs)


def _fill(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path)


async def test_each_route_answers_by_role_and_scope(api: Api, app: FastAPI) -> None:
    cases = _cases(app)
    assert len(cases) > 30
    w = await _world(api)
    kinds = {**PARAM_KINDS, **OWN_PARAMS}
    problems: list[str] = []
    checked: list[str] = []
    for method, path, roles in _cases(app):
        params = re.findall(r"{(\w+)}", path)
        inside = {p: w.objects[kinds[p][0]][0] for p in params}
        for role in ROLES:
            r = await _call(w, method, _fill(path, inside), role)
            seen = f"{method} {path} as {role}: {r.status_code} {r.text[:200]}"
            if role not in roles:
                problems += [seen] if r.status_code != 403 else []
                continue
            if r.status_code in (401, 403) or r.status_code >= 500 or (
                    method == "GET" and r.status_code >= 400):
                problems.append(seen)
            for p in params:
                if role not in kinds[p][1]:
                    continue
                other = _fill(path, {**inside, p: w.objects[kinds[p][0]][1]})
                outside = await _call(w, method, other, role)
                missing = await _call(w, method, _fill(path, {**inside, p: MISSING_ID}), role)
                checked.append(f"{method} {path} {role} {p}")
                if outside.status_code != 404 or outside.json()["detail"] != missing.json()["detail"]:
                    problems.append(f"{method} {path} as {role}, {p} outside: {outside.status_code} "
                                    f"{outside.text[:200]} / missing: {missing.status_code}")
    assert not problems, "\n".join(problems)
    assert len(checked) >= 50  # out-of-scope probes actually ran
