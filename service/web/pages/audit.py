"""审计: the audit trail for auditors, filterable by actor, object, action and dates; chain check."""

import json
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import Request, Response
from pydantic import BaseModel, Field

from schemas import clock
from schemas.audit import ChainReportOut
from schemas.common import DbDate, DbId
from schemas.labels import AUDIT_DETAIL, AUDIT_OBJECT, PLAIN, TABLES, audit_action, label
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


def object_type_options(current: str | None) -> tuple[list[tuple[str, str, list[str]]], list[str] | None]:
    """One option per Chinese name of an object type, (value, name, every code of that name), and
    the codes the current choice filters.

    Several codes share a name (家庭成员: family, family_member); the option's value is the longest
    (the table name written as object type) and filters all of them. A code from the URL that
    names no object type stays offered as itself.
    """
    by_name: dict[str, list[str]] = {}
    for code, name in AUDIT_OBJECT.items():
        by_name.setdefault(name, []).append(code)
    options = sorted(((max(codes, key=len), name, sorted(codes)) for name, codes in by_name.items()),
                     key=lambda o: o[1])
    if not current:
        return options, None
    chosen = next((o for o in options if current in o[2]), None)
    if chosen is None:
        chosen = (current, current, [current])
        options.insert(0, chosen)
    return options, chosen[2]


def worded(action: str) -> bool:
    """Whether a filter's action is a whole action with its Chinese wording: the page then filters
    that action only (修改本人密码 is not also its .failure); anything else (auth.login, leadership_team)
    is a prefix, as in the API."""
    return audit_action(action) != action


def _prefix_wording(prefix: str, options: list[tuple[str, str]]) -> str:
    """Chinese wording of an action prefix from a URL: its object's name, or the actions it covers."""
    subject = prefix.rstrip(".")
    if subject in AUDIT_OBJECT:
        return f"{AUDIT_OBJECT[subject]}（全部操作）"
    covered = [text for code, text in options if code.startswith(prefix)]
    if not covered:
        return f"以“{prefix}”开头的操作"
    return "、".join(covered[:3]) + (f"等 {len(covered)} 项" if len(covered) > 3 else "")


def action_options(recorded: list[str], current: str | None) -> list[tuple[str, str]]:
    """The recorded actions as (code, Chinese wording), in code order (an object's actions side by
    side); a value from the URL that is not among them stays offered, a prefix worded as one."""
    options = [(code, audit_action(code)) for code in recorded]
    if current and current not in recorded:
        options.insert(0, (current, audit_action(current) if worded(current)
                           else _prefix_wording(current, options)))
    return options


def account_options(accounts: list[tuple[int, str, str]], current: int | None) -> list[tuple[int, str]]:
    """The accounts as (id, "display name（username）"); an id from the URL that names no account
    stays offered by its number."""
    options = [(uid, f"{name}（{username}）") for uid, name, username in accounts]
    if current is not None and all(uid != current for uid, _ in options):
        options.insert(0, (current, f"编号 {current}（无此账号）"))
    return options


def actor_names(accounts: list[tuple[int, str, str]]) -> dict[int, str]:
    """Each account's name as a person reads it: "display name（username）", never its number."""
    return {uid: f"{name}（{username}）" for uid, name, username in accounts}


@router.get("/audit")
async def audit_page(request: Request, pool: Pool, settings: AppSettings,
                     user: AuditorUser) -> Response:
    """Entries newest first (the query itself is audited); `verify=1` also walks the chain."""
    q = query_model(request, AuditQuery)
    choices = await audit_service.filter_choices(pool)
    types, type_codes = object_type_options(q.object_type)
    filters: dict[str, Any] = {
        "actor_id": q.actor_id, "object_type": q.object_type, "object_id": q.object_id,
        "object_types": type_codes,
        "action": q.action, "action_exact": True if q.action and worded(q.action) else None,
        "since": _start_of(q.date_from),
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
        "object_types": [(value, name, type_codes == codes) for value, name, codes in types],
        "actions": action_options(choices.actions, q.action),
        "accounts": account_options(choices.accounts, q.actor_id), "actors": actor_names(choices.accounts),
        "trail": trail, "rows": rows, "current": current, "page": q.page, "last": last, "report": report,
    }, title="审计")
