"""Domain errors raised below the routes, rendered as RFC 9457 problem+json by one handler."""

from typing import Any

# The one table of HTTP status texts: problem+json titles, error page headings, OpenAPI descriptions.
STATUS_TEXT = {
    400: "请求有误", 401: "未登录或登录已失效，请先登录", 403: "您的角色无权访问此页面或执行此操作",
    404: "对象不存在（或不在您的查看范围内）", 405: "不支持该请求方法", 406: "无法提供所需格式",
    409: "与当前状态冲突", 412: "版本不匹配，请刷新后重试", 413: "内容超过大小限制",
    415: "不支持的内容类型", 422: "输入不符合要求", 428: "更新必须携带版本号（If-Match 或 version）",
    429: "请求过于频繁，请稍后再试", 500: "服务器内部错误", 503: "服务暂不可用，请稍后再试",
    507: "存储空间不足",
}


def status_text(status: int) -> str:
    """The Chinese text of an HTTP status."""
    return STATUS_TEXT.get(status, "请求有误" if status < 500 else "服务器内部错误")


class DomainError(Exception):
    """Base of every error the service reports to a client."""

    status: int = 400
    code: str = "bad-request"
    title: str = STATUS_TEXT[400]

    def __init__(self, detail: str | None = None, *, errors: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers
        self.extra = extra


class BadRequest(DomainError):
    """Malformed request."""


class Unauthorized(DomainError):
    """No valid credentials."""

    status, code, title = 401, "unauthorized", STATUS_TEXT[401]


class Forbidden(DomainError):
    """Authenticated but the role may not do this."""

    status, code, title = 403, "forbidden", STATUS_TEXT[403]


class RoleRefused(Forbidden):
    """The route's role rule refuses the caller's role (audited as a refused access)."""


class NotFound(DomainError):
    """Missing or outside the caller's scope (never tells which)."""

    status, code, title = 404, "not-found", STATUS_TEXT[404]


class Conflict(DomainError):
    """The request conflicts with the current state."""

    status, code, title = 409, "conflict", STATUS_TEXT[409]


class StaleVersion(Conflict):
    """The update was based on an outdated version."""

    code, title = "stale-version", "数据已被他人修改，请刷新后重试"


class PreconditionFailed(DomainError):
    """If-Match did not match the current version."""

    status, code, title = 412, "precondition-failed", STATUS_TEXT[412]


class PreconditionRequired(DomainError):
    """An update arrived without the version it was based on."""

    status, code, title = 428, "precondition-required", STATUS_TEXT[428]


class PayloadTooLarge(DomainError):
    """Body or upload above the configured limit."""

    status, code, title = 413, "payload-too-large", STATUS_TEXT[413]


class UnsupportedMediaType(DomainError):
    """Upload type not on the allow-list."""

    status, code, title = 415, "unsupported-media-type", "不支持的文件类型"


class ValidationFailed(DomainError):
    """Input that parses but breaks a rule."""

    status, code, title = 422, "validation-failed", STATUS_TEXT[422]


class TooManyRequests(DomainError):
    """Throttled."""

    status, code, title = 429, "too-many-requests", STATUS_TEXT[429]


class ServiceUnavailable(DomainError):
    """A dependency (search, PDF fonts) is not available right now."""

    status, code, title = 503, "service-unavailable", STATUS_TEXT[503]
