"""Jinja2 rendering of the pages: autoescaped templates, role-aware navigation, Chinese labels.

Autoescape is on for every template. Nothing a user wrote is ever marked safe, with one
exception: the search API's `*_html` fields (`title_html`, `snippet_html`), which
service/search/highlight.py builds by HTML-escaping the text and adding only <mark> tags;
templates print them with the `|safe` filter and nothing else goes through it.
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from schemas import clock
from schemas.common import Role
from schemas.labels import audit_action, audit_object, label
from schemas.posts import unit_post
from service.access.roles import FILERS, OFFICE, READERS
from service.principal import Principal
from service.web.static import static_url

TEMPLATES = Path(__file__).resolve().parent / "templates"
SITE = "干部实绩档案与选任证据库"

# (path, label, roles) of the main navigation; a link is rendered only for roles that may open it.
NAV: tuple[tuple[str, str, frozenset[Role]], ...] = (
    ("/search", "检索", frozenset(READERS)),
    ("/file", "填报", frozenset(FILERS)),
    ("/my-work", "我的工作", frozenset(FILERS)),
    ("/shortlists", "岗位与候选名单", frozenset(OFFICE)),
    ("/promotions", "任免", frozenset(OFFICE)),
    ("/scoreboard", "考核榜单", frozenset(OFFICE)),
    ("/contests", "擂台比武", frozenset(OFFICE)),
    ("/secondments", "下沉选派", frozenset(OFFICE)),
    ("/service-logs", "一线服务", frozenset(OFFICE)),
    ("/campaigns", "调研活动", frozenset(READERS)),
    ("/imports", "导入", frozenset({Role.officer})),
    ("/leadership", "领导班子", frozenset(READERS)),
    ("/audit", "审计", frozenset({Role.auditor})),
    ("/units", "单位", frozenset({Role.admin})),
    ("/users", "用户", frozenset({Role.admin})),
)


def landing(principal: Principal) -> str:
    """The first page a role sees after signing in."""
    for path, _, roles in NAV:
        if principal.role in roles:
            return path
    return "/account"


def beijing(value: datetime | None) -> str:
    """A timestamp shown in Asia/Shanghai time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return clock.to_local(value).strftime("%Y-%m-%d %H:%M")


def day(value: date | None) -> str:
    """A date as YYYY-MM-DD (empty for none)."""
    return value.isoformat() if value else ""


def number(value: float | int | None, digits: int = 2) -> str:
    """A score without needless trailing zeros."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


def query_url(path: str, params: Mapping[str, Any], **changes: Any) -> str:
    """`path?query` from params with some keys changed (None drops a key); lists repeat the key."""
    merged = {**params, **changes}
    pairs: list[tuple[str, str]] = []
    for key, value in merged.items():
        if value is None or value == "" or value == []:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append((key, str(item)))
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(static_url=static_url, label=label, SITE=SITE, query_url=query_url,
                       unit_post=unit_post)
    env.filters.update(label=label, audit_action=audit_action, audit_object=audit_object, beijing=beijing,
                       day=day, number=number)
    return env


ENV = _environment()


def nav_for(principal: Principal | None) -> list[tuple[str, str]]:
    """The navigation links the principal's role may open."""
    if principal is None:
        return []
    return [(path, text) for path, text, roles in NAV if principal.role in roles]


def search_lag_minutes(request: Request, principal: Principal | None) -> int | None:
    """For officers, how many minutes search is behind when that passes the threshold."""
    if principal is None or principal.role != Role.officer:
        return None
    freshness = getattr(request.app.state, "freshness", None)
    if freshness is None or not freshness.stale(request.app.state.settings):
        return None
    minutes: int = max(1, round(freshness.oldest_pending_s / 60))
    return minutes


def render(request: Request, template: str, context: Mapping[str, Any] | None = None,
           status_code: int = 200, title: str = "") -> HTMLResponse:
    """Render a page with the signed-in user, the navigation and the current path."""
    principal: Principal | None = getattr(request.state, "principal", None)
    body = ENV.get_template(template).render(
        user=principal, nav=nav_for(principal), path=request.url.path, title=title,
        search_lag_minutes=search_lag_minutes(request, principal),
        role_label=label(principal.role.value) if principal else "", **(context or {}))
    return HTMLResponse(body, status_code=status_code)
