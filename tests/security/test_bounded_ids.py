"""Ids and versions beyond the database's bigint/int range are field errors (422), never a 500.

The first tests read every request body model and every route parameter of the app, so an unbounded
integer added later fails here; the others send 2^63 and 2^64 to the routes that once answered 500.
"""

import importlib
import pkgutil
import typing
from typing import Any

import pytest
from annotated_types import Le, Lt
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

import schemas
from schemas.common import Strict
from service.config import Settings
from service.main import create_app
from tests.assessments.helpers import INDICATORS, districts, period
from tests.factories import Api

HUGE = [2**63, 2**64]


def _unbounded_ints(annotation: Any, metadata: list[Any]) -> bool:
    """True when the annotation holds an int without an upper bound (looking into lists, unions)."""
    if annotation is int:
        return not any(isinstance(m, Le | Lt) for m in metadata)
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *meta = typing.get_args(annotation)
        flat = [x for m in meta for x in (getattr(m, "metadata", None) or [m])]
        return _unbounded_ints(inner, [*metadata, *flat])
    return any(_unbounded_ints(arg, metadata if typing.get_origin(annotation) is not list else [])
               for arg in typing.get_args(annotation))


def _request_models() -> list[type[Strict]]:
    out: list[type[Strict]] = []
    for info in pkgutil.iter_modules(schemas.__path__):
        module = importlib.import_module(f"schemas.{info.name}")
        out += [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Strict)
                and v.__module__ == module.__name__]
    return out


def test_every_integer_of_every_request_body_is_bounded() -> None:
    models = _request_models()
    assert len(models) > 40
    loose = [f"{m.__module__}.{m.__name__}.{name}" for m in models
             for name, f in m.model_fields.items()
             # The stored-form models (…Out) only ever hold values read from the database.
             if not m.__name__.endswith("Out") and _unbounded_ints(f.annotation, f.metadata)]
    assert loose == [], "use DbId / Version / IdList of schemas.common"


def _params(dependant: Dependant) -> list[Any]:
    own = [*dependant.path_params, *dependant.query_params, *dependant.header_params]
    return own + [p for sub in dependant.dependencies for p in _params(sub)]


def test_every_integer_path_query_and_header_parameter_is_bounded() -> None:
    app = create_app(Settings(env="test"))
    seen, loose = 0, []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        for p in _params(route.dependant):
            if int in (p.field_info.annotation, *typing.get_args(p.field_info.annotation)):
                seen += 1
                if _unbounded_ints(p.field_info.annotation, p.field_info.metadata):
                    loose.append(f"{route.path} {p.name}")
    assert seen > 100 and loose == [], "use EntityId / IdQuery / VersionNo of service.deps"


def test_the_bound_check_itself_sees_an_unbounded_id() -> None:
    class Loose(BaseModel):
        ids: list[int]

    assert _unbounded_ints(Loose.model_fields["ids"].annotation, [])
    assert not _unbounded_ints(schemas.common.IdList, [])


def _assert_field_problem(r: Any, field: str) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert field in [e["field"] for e in body["errors"]], body
    assert "不能大于" in body["detail"]


@pytest.mark.parametrize("huge", HUGE)
async def test_an_oversized_id_is_a_field_error_on_contests_secondments_and_service_logs(
        api: Api, huge: int) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    cadre = await api.cadre(officer, api.units["d1"])
    before = await api.pool.fetchval("SELECT count(*) FROM contests")
    r = await api.client.post("/api/contests", headers=officer, json={
        "name": "区县党政正职擂台比武", "level": "district_head", "held_on": "2024-09-20",
        "organizer_unit_id": huge})
    _assert_field_problem(r, "organizer_unit_id")
    assert await api.pool.fetchval("SELECT count(*) FROM contests") == before
    r = await api.client.post("/api/secondments/programs", headers=officer, json={
        "name": "城市更新专班选派", "owner_unit_id": api.units["city"], "starts_on": "2024-01-01",
        "ends_on": "2024-12-31", "task_force_unit_ids": [api.units["d1"], huge]})
    _assert_field_problem(r, "task_force_unit_ids.1")
    r = await api.client.post("/api/service-logs", headers=officer, json={
        "kind": "window_service", "cadre_id": cadre["id"], "served_on": "2024-03-01",
        "items_handled": 3, "problems_solved": 1, "record_id": huge})
    _assert_field_problem(r, "record_id")
    r = await api.client.get(f"/api/contests/{huge}", headers=officer)
    _assert_field_problem(r, "contest_id")
    r = await api.client.get("/api/service-logs", headers=officer, params={"cadre_id": huge})
    _assert_field_problem(r, "cadre_id")


@pytest.mark.parametrize("huge", HUGE)
async def test_an_oversized_id_or_version_is_a_field_error_on_assessment_routes(api: Api, huge: int) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    units = await districts(api, ["甲区", "乙区"])
    p = await period(api, officer, [u["id"] for u in units])
    base = f"/api/assessments/periods/{p['id']}"
    r = await api.client.post("/api/assessments/periods", headers=officer, json={
        "code": "2024Q4", "name": "2024年第四季度", "owner_unit_id": huge, "starts_on": "2024-10-01",
        "ends_on": "2024-12-31", "unit_ids": [units[0]["id"]], "indicators": INDICATORS})
    _assert_field_problem(r, "owner_unit_id")
    r = await api.client.put(f"{base}/scores", headers=officer, json={
        "scores": [{"unit_id": huge, "indicator_code": "econ", "score": 80}]})
    _assert_field_problem(r, "scores.0.unit_id")
    r = await api.client.post(f"{base}/adjustments", headers=officer, json={
        "unit_id": huge, "kind": "bonus", "points": 1, "reason": "获市级表彰"})
    _assert_field_problem(r, "unit_id")
    r = await api.client.post(f"{base}/publish", headers=officer, json={"version": huge})
    _assert_field_problem(r, "version")
    r = await api.client.get(f"/api/assessments/periods/{huge}/board", headers=officer)
    _assert_field_problem(r, "period_id")
    assert (await api.client.get(f"{base}/revisions", headers=officer)).json()[-1]["action"] == "create"
