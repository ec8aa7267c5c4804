"""The one place errors become RFC 9457 problem+json responses."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service import outages
from service.errors import DomainError

log = logging.getLogger("cadre.errors")
PROBLEM = "application/problem+json"

_HTTP_TITLES = {
    400: "请求有误", 401: "未登录或登录已失效", 403: "无权执行此操作", 404: "对象不存在",
    405: "不支持该请求方法", 406: "无法提供所需格式", 409: "与当前状态冲突",
    413: "内容超过大小限制", 415: "不支持的内容类型", 422: "输入不符合要求",
    429: "请求过于频繁，请稍后再试", 500: "服务器内部错误", 503: "服务暂不可用，请稍后再试",
    507: "存储空间不足",
}


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
    status: {"description": _HTTP_TITLES.get(status, title),
             "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for status, title in ((400, "请求有误"), (401, ""), (403, ""), (404, ""), (409, ""),
                          (412, "版本不匹配"), (413, ""), (415, ""), (422, ""),
                          (428, "更新必须携带版本号"), (429, ""), (503, ""),
                          (507, "附件存储空间已满"))
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
        "int_parsing": "必须是整数", "float_parsing": "必须是数字",
        "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
        "date_parsing": "日期格式应为 YYYY-MM-DD", "enum": "取值不在允许范围内",
        "literal_error": "取值不在允许范围内", "string_pattern_mismatch": "格式不正确",
        "json_invalid": "JSON 格式错误", "bool_parsing": "必须是布尔值",
        "union_tag_invalid": "类型标识无效", "model_attributes_type": "应为对象",
        "dict_type": "应为对象", "list_type": "应为列表", "string_type": "应为字符串",
    }
    if kind == "value_error":
        return str(err.get("msg", "")).removeprefix("Value error, ")
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


def install(app: FastAPI) -> None:
    """Register the exception handlers (and document their problem+json responses)."""
    _document_problem(app)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, exc.code, request.url.path,
                       exc.errors, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        detail = "；".join(f"{e['field'] or e['location']}：{e['message']}" for e in errors[:5])
        return problem(422, "输入不符合要求", detail, "validation-failed", request.url.path, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = _HTTP_TITLES.get(exc.status_code, "请求有误")
        return problem(exc.status_code, title, title, f"http-{exc.status_code}", request.url.path,
                       headers=getattr(exc, "headers", None))

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
        return problem(500, "服务器内部错误", "服务器内部错误，请联系管理员", "internal", path)
    log.warning("dependency unavailable: %s", outage.code, extra={"path": path, "error": repr(exc)})
    return problem(outage.status, outage.title, outage.detail, outage.code, path,
                   headers={"Retry-After": str(outages.RETRY_AFTER_S)})
