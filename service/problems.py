"""The one place errors become RFC 9457 problem+json responses."""

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service import outages
from service.errors import STATUS_TEXT, DomainError, NotFound, RoleRefused, status_text
from service.principal import Principal
from service.uow import audit_only

log = logging.getLogger("cadre.errors")
PROBLEM = "application/problem+json"



_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "title": "Problem", "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}

# Documented on every operation, so clients (and schema-driven tests) know the error shape.
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": STATUS_TEXT[status],
             "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for status in (400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429, 503, 507)
}


def problem(status: int, title: str, detail: str, code: str, instance: str | None = None,
            errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None,
            **extra: Any) -> JSONResponse:
    """Build a problem+json response."""
    body: dict[str, Any] = {"type": f"urn:cadre:problem:{code}", "title": title,
                            "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ())]
        if err.get("type") == "json_invalid":
            loc = loc[:1]  # FastAPI adds the character offset, which is no field
        out.append({"field": ".".join(loc[1:]) if len(loc) > 1 else ".".join(loc),
                    "location": loc[0] if loc else "", "message": _zh(err), "type": err.get("type")})
    return out


def _zh(err: Any) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    table = {
        "missing": "必填项缺失", "extra_forbidden": "不允许的字段",
        "string_too_long": f"长度不能超过 {ctx.get('max_length')}",
        "string_too_short": f"长度不能少于 {ctx.get('min_length')}",
        "too_long": f"条目不能超过 {ctx.get('max_length')} 个",
        "too_short": f"条目不能少于 {ctx.get('min_length')} 个",
        "greater_than": f"必须大于 {ctx.get('gt')}", "greater_than_equal": f"不能小于 {ctx.get('ge')}",
        "less_than_equal": f"不能大于 {ctx.get('le')}", "less_than": f"必须小于 {ctx.get('lt')}",
        "int_parsing": "必须是整数", "float_parsing": "必须是数字", "int_type": "必须是整数",
        "float_type": "必须是数字", "date_type": "日期格式应为 YYYY-MM-DD",
        "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
        "date_parsing": "日期格式应为 YYYY-MM-DD", "enum": "取值不在允许范围内",
        "literal_error": "取值不在允许范围内", "string_pattern_mismatch": "格式不正确",
        "json_invalid": "JSON 格式错误", "bool_parsing": "必须是布尔值",
        "union_tag_invalid": "类型标识无效", "model_attributes_type": "应为对象", "model_type": "应为对象",
        "dict_type": "应为对象", "list_type": "应为列表", "string_type": "应为字符串",
    }
    if kind == "value_error":
        return str(err.get("msg", "")).removeprefix("Value error, ")
    if kind.endswith("_type") and err.get("input", "") is None:
        return "必填项缺失"  # null for a required value: nothing was chosen (e.g. an empty picker)
    return table.get(kind, str(err.get("msg", "输入有误")))


def _document_problem(app: FastAPI) -> None:
    """Add the Problem schema to the OpenAPI components once; every error response refers to it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]


async def audit_refused(request: Request, status: int) -> None:
    """A signed-in user asked for something out of scope (or missing), or for what their role may
    not do: one audit entry, since that is how misuse is noticed. The caller's answer is the same
    404 for out of scope and missing."""
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        return
    try:
        await audit_only(request.app.state.pool, principal, "access.refused", None, None,
                         {"method": request.method, "path": request.url.path, "status": status})
    except Exception:  # the 404 must not become a 500 because the trail is unavailable
        log.exception("could not audit a refused access", extra={"path": request.url.path})


def install(app: FastAPI) -> None:
    """Register the exception handlers (and document their problem+json responses)."""
    _document_problem(app)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, NotFound | RoleRefused):
            await audit_refused(request, exc.status)
        return problem(exc.status, exc.title, exc.detail, exc.code, request.url.path,
                       exc.errors, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        detail = "；".join(f"{e['field'] or e['location']}：{e['message']}" for e in errors[:5])
        return problem(422, "输入不符合要求", detail, "validation-failed", request.url.path, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code in (404, 405) and not request.url.path.startswith("/api") \
                and "text/html" in request.headers.get("accept", ""):
            # A browser at a mistyped page address gets the Chinese error page, not JSON.
            from service.web.page_route import error_page  # lazily: the web package imports this module
            return error_page(request, exc.status_code, "您访问的页面不存在，请检查地址，或从菜单进入。")
        title = status_text(exc.status_code)
        return problem(exc.status_code, title, title, f"http-{exc.status_code}", request.url.path,
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(asyncpg.IntegrityConstraintViolationError)
    async def _constraint(request: Request, exc: asyncpg.IntegrityConstraintViolationError) -> JSONResponse:
        # A rule the database keeps that no check above it caught: the input's fault, never a 500.
        conflict = isinstance(exc, asyncpg.UniqueViolationError | asyncpg.ExclusionViolationError)
        field = getattr(exc, "column_name", None) or "body"
        message = ("与已有数据冲突" if conflict else
                   "引用的对象不存在或不可用" if isinstance(exc, asyncpg.ForeignKeyViolationError)
                   else "数据不符合规则（如日期先后、取值范围）")
        log.info("constraint refused", extra={"path": request.url.path,
                                               "constraint": getattr(exc, "constraint_name", None)})
        status = 409 if conflict else 422
        return problem(status, status_text(status), message,
                       "conflict" if conflict else "validation-failed", request.url.path,
                       [{"field": field, "message": message}])

    @app.exception_handler(asyncpg.DataError)  # class 22 errors of the server (out of range, …)
    @app.exception_handler(asyncpg.exceptions._base.DataError)  # an argument asyncpg cannot encode
    async def _data(request: Request, exc: Exception) -> JSONResponse:
        # A value PostgreSQL cannot take (out of range, bad encoding): refused as input.
        log.info("data refused", extra={"path": request.url.path})
        message = "取值超出允许范围或格式无效"
        return problem(422, "输入不符合要求", message, "validation-failed", request.url.path,
                       [{"field": "body", "message": message}])

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Normally reached only through RequestContextMiddleware, which answers without
        # re-raising (Starlette's outermost handler re-raises, and uvicorn then drops the
        # keep-alive connection under the next request).
        return unexpected(request.url.path, exc)


def unexpected(path: str, exc: BaseException) -> JSONResponse:
    """The answer to an exception no handler took: 503/507 when a dependency is down, else 500."""
    outage = outages.classify(exc)
    if outage is None:
        log.error("unhandled error", exc_info=exc, extra={"path": path})
        return problem(500, STATUS_TEXT[500], "服务器内部错误，请联系管理员", "internal", path)
    log.warning("dependency unavailable: %s", outage.code, extra={"path": path, "error": repr(exc)})
    return problem(outage.status, outage.title, outage.detail, outage.code, path,
                   headers={"Retry-After": str(outages.RETRY_AFTER_S)})
