"""审计: the audit trail for auditors, filterable by actor, object, action and dates; chain check."""

import json
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import Query, Request, Response

from schemas.audit import ChainReportOut
from service.audit import service as audit_service
from service.deps import AuditorUser, Pool
from service.web.pages import page_router
from service.web.render import SHANGHAI, render

router = page_router()

PER_PAGE = 50
Text = Annotated[str | None, Query(max_length=100)]


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI) if day else None


@router.get("/audit")
async def audit_page(request: Request, pool: Pool, user: AuditorUser,
                     actor_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
                     object_type: Text = None, object_id: Text = None, action: Text = None,
                     date_from: date | None = None, date_to: date | None = None,
                     page: Annotated[int, Query(ge=1, le=2000)] = 1,
                     verify: Annotated[bool, Query()] = False) -> Response:
    """Entries newest first (the query itself is audited); `verify=1` also walks the chain."""
    filters: dict[str, Any] = {
        "actor_id": actor_id, "object_type": object_type or None, "object_id": object_id or None,
        "action": action or None, "since": _start_of(date_from),
        "until": _start_of(date_to + timedelta(days=1)) if date_to else None}
    trail = await audit_service.read_trail(pool, user, filters, PER_PAGE, (page - 1) * PER_PAGE)
    report: ChainReportOut | None = await audit_service.verify_report(pool, user) if verify else None
    current = {"actor_id": actor_id, "object_type": object_type, "object_id": object_id,
               "action": action, "date_from": date_from.isoformat() if date_from else None,
               "date_to": date_to.isoformat() if date_to else None}
    last = max(1, -(-trail.total // PER_PAGE))
    rows = [{"e": e, "details": json.dumps(e.details, ensure_ascii=False, sort_keys=True)}
            for e in trail.items]
    return render(request, "audit.html", {
        "trail": trail, "rows": rows, "current": current, "page": page, "last": last, "report": report,
    }, title="审计")
