"""审计: the audit trail for auditors, filterable by actor, object, action and dates; chain check."""

import json
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import Request, Response
from pydantic import BaseModel, Field

from schemas import clock
from schemas.audit import ChainReportOut
from schemas.common import DbDate, DbId
from schemas.labels import AUDIT_DETAIL, AUDIT_OBJECT, PLAIN, TABLES, label
from service.audit import service as audit_service
from service.deps import AppSettings, AuditorUser, Pool
from service.web.page_route import page_router, query_model
from service.web.render import render

router = page_router()

PER_PAGE = 50
Text = Annotated[str | None, Field(max_length=100)]


class AuditQuery(BaseModel):
    """The filters of the audit page, as in its URL."""

    actor_id: DbId | None = None
    object_type: Text = None
    object_id: Text = None
    action: Text = None
    date_from: DbDate | None = None
    date_to: DbDate | None = None
    page: Annotated[int, Field(ge=1, le=2000)] = 1
    verify: bool = False


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=clock.business_tz()) if day else None


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        if value in PLAIN:
            return label(value)
        # A code of another table (a promotion stage, an object type …): its first label.
        for table in (*TABLES.values(), AUDIT_OBJECT):
            if value in table:
                return table[value]
    return str(value)


def detail_summary(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The entry's plain facts (version, reason, serial …) with Chinese names and labelled values."""
    return [(AUDIT_DETAIL[k], _shown(v)) for k, v in sorted((details or {}).items())
            if k in AUDIT_DETAIL and v is not None and not isinstance(v, dict | list)]


@router.get("/audit")
async def audit_page(request: Request, pool: Pool, settings: AppSettings,
                     user: AuditorUser) -> Response:
    """Entries newest first (the query itself is audited); `verify=1` also walks the chain."""
    q = query_model(request, AuditQuery)
    filters: dict[str, Any] = {
        "actor_id": q.actor_id, "object_type": q.object_type, "object_id": q.object_id,
        "action": q.action, "since": _start_of(q.date_from),
        "until": _start_of(q.date_to + timedelta(days=1)) if q.date_to else None}
    trail = await audit_service.read_trail(pool, user, filters=filters, limit=PER_PAGE,
                                           offset=(q.page - 1) * PER_PAGE)
    report: ChainReportOut | None = (await audit_service.verify_report(pool, user, settings)
                                     if q.verify else None)
    current = q.model_dump(mode="json", exclude={"page", "verify"}, exclude_none=True)
    last = max(1, -(-trail.total // PER_PAGE))
    rows = [{"e": e, "summary": detail_summary(e.details),
             "details": json.dumps(e.details, ensure_ascii=False, sort_keys=True)} for e in trail.items]
    return render(request, "audit.html", {
        "object_types": sorted(AUDIT_OBJECT.items(), key=lambda kv: kv[1]),
        "trail": trail, "rows": rows, "current": current, "page": q.page, "last": last, "report": report,
    }, title="审计")
