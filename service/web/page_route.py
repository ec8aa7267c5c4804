"""What every page route shares: HTML errors instead of problem+json, sign-in redirects, role aliases.

Page routes declare their roles with the `Allow` aliases of service/deps.py exactly like API routes, so the
authorization matrix test reads them. A page request from a browser without a session is sent to
the sign-in page; any other client gets the status code it would get from the API (401).
"""

import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar, get_origin
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

from service.errors import DomainError, NotFound, RoleRefused, status_text
from service.problems import _zh, audit_refused
from service.web.render import render

log = logging.getLogger("cadre.web")

M = TypeVar("M", bound=BaseModel)



def wants_html(request: Request) -> bool:
    """Whether the client is a browser navigating (it asks for text/html)."""
    return "text/html" in request.headers.get("accept", "")


def login_redirect(request: Request) -> RedirectResponse:
    """To the sign-in page, coming back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def error_page(request: Request, status: int, detail: str, messages: list[str] | None = None,
               headers: dict[str, str] | None = None) -> Response:
    """A readable Chinese error page; it never echoes the URL, so a missing object and one out of
    scope give the same page."""
    response = render(request, "error.html", {
        "status": status, "heading": status_text(status), "detail": detail,
        "messages": messages or []}, status_code=status, title="出错了")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


class PageRoute(APIRoute):
    """An APIRoute whose errors (dependencies included) are rendered as pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler so that domain and validation errors become HTML."""
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as exc:
                if exc.status == 401 and wants_html(request):
                    return login_redirect(request)
                if isinstance(exc, NotFound | RoleRefused):
                    await audit_refused(request, exc.status)  # as the API's handler does
                return error_page(request, exc.status, exc.detail,
                                  [e.get("message", "") for e in exc.errors or []], exc.headers)
            except RequestValidationError as exc:
                messages = [f"{'.'.join(str(x) for x in e.get('loc', ())[1:])}：{_zh(e)}"
                            for e in exc.errors()]
                return error_page(request, 422, "页面参数不正确", messages)
            except HTTPException as exc:
                return error_page(request, exc.status_code, status_text(exc.status_code))
            except Exception:
                # Logged with its stack trace; the reader gets a page, never the trace.
                log.exception("page failed", extra={"path": request.url.path})
                return error_page(request, 500, "服务器内部错误，请稍后重试或联系管理员")

        return page_handler


def query_model(request: Request, model: type[M]) -> M:
    """The query string as a model; empty fields (an unchosen <select>) count as not given."""
    data: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        values = [v for v in request.query_params.getlist(key) if v.strip()]
        if not values:
            continue
        data[name] = values if get_origin(field.annotation) is list else values[-1]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]) from None


def page_router() -> APIRouter:
    """A router for pages: HTML errors, and kept out of the API documentation."""
    return APIRouter(route_class=PageRoute, include_in_schema=False, tags=["web"])
