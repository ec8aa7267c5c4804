"""考核榜单 management: create a period (units, indicators, weights, star rules), enter scores in a
grid or import an xlsx sheet, publish, lock, and correct a locked period with a reason.

Every write goes to the JSON API (/api/assessments/...); these routes only render the forms."""

from typing import Any

from fastapi import Request, Response

from schemas.assessments import StarRuleKind
from schemas.clock import today
from schemas.common import label
from service.assessments import score_entry
from service.assessments import service as assessments_service
from service.deps import EntityId, OfficerUser, Pool
from service.web import repo
from service.web.page_route import page_router
from service.web.render import render

router = page_router()

STATE_HELP = {
    "draft": "草稿：可修改指标、参评单位和摘星规则，可逐项录入或整表导入得分；"
             "全部单位各项得分录齐、权重之和为 100 后可以发布。",
    "published": "已发布：榜单和会议座次对领导可见；仍可逐项修改得分（留痕）。确认无误后锁定。",
    "locked": "已锁定：得分只能通过“更正”修改，须写明理由，更正前后的数值都记入审计。",
}


@router.get("/scoreboard/new")
async def new_period(request: Request, pool: Pool, user: OfficerUser) -> Response:
    """The form of a new assessment period (officer)."""
    async with pool.acquire() as conn:
        units = await repo.scope_units(conn, user, max_depth=1)
    return render(request, "period_new.html", {
        "owners": [(u["id"], "　" * max(0, u["depth"] - 1) + u["name"]) for u in units],
        "compared": [u for u in units if u["depth"] > min(x["depth"] for x in units)] if units else [],
        "rule_kinds": [(k.value, label(k.value)) for k in StarRuleKind], "today": today(),
    }, title="新建考核期")


@router.get("/scoreboard/{period_id}/manage")
async def manage_period(period_id: EntityId, request: Request, pool: Pool, user: OfficerUser) -> Response:
    """Score grid, import, publish and lock, or corrections once locked (officer)."""
    board = await assessments_service.board(pool, user, period_id)
    corrections = await score_entry.list_corrections(pool, user, period_id)
    grid: list[dict[str, Any]] = [
        {"unit": row.unit, "cells": {c.indicator_code: c for c in row.cells}, "total": row.total}
        for row in sorted(board.rows, key=lambda r: r.unit.code)]
    return render(request, "period_manage.html", {
        "board": board, "period": board.period, "grid": grid, "corrections": corrections,
        "help": STATE_HELP[board.period.state.value],
        # A correction stores ids and codes: the page names them.
        "unit_names": {u.id: u.name for u in board.period.units},
        "indicator_names": {i.code: i.name for i in board.period.indicators},
    }, title=f"{board.period.name} · 录入与发布")
