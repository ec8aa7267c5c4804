"""擂台比武, 下沉选派, 一线服务: contests and presentations (which can create evidence), secondment
programmes with task forces, placements and daily metrics, and leaders' service sessions.

Officers write through the JSON API; leaders read the same pages without the forms."""

from typing import Any

import asyncpg
from fastapi import Request, Response

from schemas.clock import today
from schemas.common import Domain, Judgement, Role, label
from schemas.contests import ContestFilter, ContestLevel
from schemas.service_logs import ServiceKind, ServiceLogFilter
from service.contests import service as contests_service
from service.deps import EntityId, OfficeReader, Pool
from service.principal import Principal
from service.secondments import service as secondments_service
from service.service_logs import service as logs_service
from service.web import repo
from service.web.page_route import page_router
from service.web.render import render

router = page_router()
LIST_LIMIT = 100


def _opts(values: Any) -> list[tuple[str, str]]:
    return [(v.value, label(v.value)) for v in values]


async def _units(pool: asyncpg.Pool, user: Principal, depth: int = 2) -> list[tuple[int, str]]:
    async with pool.acquire() as conn:
        rows = await repo.scope_units(conn, user, max_depth=depth)
    return [(u["id"], "　" * max(0, u["depth"] - 1) + u["name"]) for u in rows]


@router.get("/contests")
async def contests_page(request: Request, pool: Pool, user: OfficeReader) -> Response:
    """Contests in scope, newest first, and the form of a new contest."""
    page = await contests_service.list_contests(pool, user, filters=ContestFilter(), limit=LIST_LIMIT,
                                                offset=0)
    return render(request, "contests.html", {
        "contests": page.items, "total": page.total, "levels": _opts(ContestLevel),
        "units": await _units(pool, user, 1), "today": today(), "can_edit": user.role is Role.officer,
    }, title="擂台比武")


@router.get("/contests/{contest_id}")
async def contest_page(contest_id: EntityId, request: Request, pool: Pool, user: OfficeReader) -> Response:
    """A contest's presentations with scores and rank; officers add a presentation and its evidence."""
    contest = await contests_service.get_contest(pool, user, contest_id)
    return render(request, "contest.html", {
        "c": contest, "domains": _opts(Domain), "judgements": _opts(Judgement), "today": today(),
        "can_edit": user.role is Role.officer,
    }, title=f"{contest.name} · 擂台比武")


@router.get("/secondments")
async def programs_page(request: Request, pool: Pool, user: OfficeReader) -> Response:
    """Secondment programmes with their task forces, the metric definitions, a new programme."""
    page = await secondments_service.list_programs(pool, user, limit=LIST_LIMIT, offset=0)
    metrics = await secondments_service.list_metrics(pool)
    async with pool.acquire() as conn:
        rows = await repo.scope_units(conn, user, max_depth=3)
    return render(request, "programs.html", {
        "programs": page.items, "metrics": metrics, "units": await _units(pool, user, 1),
        "task_forces": [(u["id"], u["name"]) for u in rows if u["kind"] == "task_force"],
        "can_edit": user.role is Role.officer,
    }, title="下沉选派")


@router.get("/secondments/{program_id}")
async def program_page(program_id: EntityId, request: Request, pool: Pool, user: OfficeReader) -> Response:
    """A programme: task forces with metric totals, placements, and forms for placements and metrics."""
    program = await secondments_service.get_program(pool, user, program_id)
    placements = await secondments_service.list_placements(pool, user, program_id=program_id, limit=500,
                                                           offset=0)
    metrics = await secondments_service.list_metrics(pool)
    return render(request, "program.html", {
        "p": program, "placements": placements.items, "metrics": metrics, "today": today(),
        "tf_options": [(tf.unit_id, tf.unit_name) for tf in program.task_forces],
        "can_edit": user.role is Role.officer,
    }, title=f"{program.name} · 下沉选派")


@router.get("/service-logs")
async def service_logs_page(request: Request, pool: Pool, user: OfficeReader) -> Response:
    """Leaders' service sessions, totals per leader, and the form of a new session."""
    logs = await logs_service.list_logs(pool, user, filters=ServiceLogFilter(include_voided=True),
                                        limit=LIST_LIMIT, offset=0)
    totals = await logs_service.totals(pool, user, group_by="cadre", filters=ServiceLogFilter())
    return render(request, "service_logs.html", {
        "logs": logs.items, "total": logs.total, "totals": totals, "kinds": _opts(ServiceKind),
        "today": today(), "can_edit": user.role is Role.officer,
    }, title="一线服务")
