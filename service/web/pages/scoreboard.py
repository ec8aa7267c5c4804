"""考核榜单: a period's scoreboard with stars and rank, the seating order, and trends across periods."""

from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from schemas.assessments import Trends
from schemas.common import Role
from service.assessments import service as assessments_service
from service.deps import EntityId, OfficeReader, Pool
from service.web.page_route import page_router
from service.web.render import render

router = page_router()

PERIODS_SHOWN = 100


def chart_data(trends: Trends) -> dict[str, Any]:
    """Trend series for the chart script (rank and total per period, oldest first)."""
    periods: dict[int, tuple[str, str]] = {}
    for s in trends.series:
        for p in s.points:
            periods[p.period_id] = (p.starts_on.isoformat(), p.period_name)
    order = sorted(periods, key=lambda pid: periods[pid][0])
    series = []
    for s in trends.series:
        by_period = {p.period_id: p for p in s.points}
        series.append({
            "name": s.unit.name,
            "rank": [by_period[pid].rank if pid in by_period else None for pid in order],
            "total": [by_period[pid].total if pid in by_period else None for pid in order],
            "stars": [by_period[pid].stars if pid in by_period else None for pid in order]})
    return {"periods": [periods[pid][1] for pid in order], "series": series}


@router.get("/scoreboard")
async def scoreboard_index(request: Request, pool: Pool, user: OfficeReader) -> Response:
    """The newest readable period's board (or the list, when there is none)."""
    page = await assessments_service.list_periods(pool, user, owner_unit_id=None, state=None,
                                                  limit=PERIODS_SHOWN, offset=0)
    shown = next((p for p in page.items if p.state != "draft"), page.items[0] if page.items else None)
    if shown is not None:
        return RedirectResponse(f"/scoreboard/{shown.id}", status_code=303)
    return render(request, "scoreboard.html", {"periods": [], "board": None,
                                               "can_edit": user.role is Role.officer}, title="考核榜单")


@router.get("/scoreboard/{period_id}")
async def scoreboard_page(period_id: EntityId, request: Request, pool: Pool, user: OfficeReader) -> Response:
    """Board, seating order (published periods) and the trend chart of the period's units."""
    board = await assessments_service.board(pool, user, period_id)
    page = await assessments_service.list_periods(pool, user, owner_unit_id=None, state=None,
                                                  limit=PERIODS_SHOWN, offset=0)
    seating = (await assessments_service.seating(pool, user, period_id)
               if board.period.state != "draft" else None)
    unit_ids = [u.id for u in board.period.units]
    trends = await assessments_service.trends(pool, user, unit_ids=unit_ids,
                                              owner_unit_id=board.period.owner_unit_id,
                                              indicator_code=None, date_from=None, date_to=None)
    return render(request, "scoreboard.html", {
        "periods": page.items, "board": board, "seating": seating, "chart": chart_data(trends),
        "trends": trends, "can_edit": user.role is Role.officer,
    }, title=f"{board.period.name} · 考核榜单")
