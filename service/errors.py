"""Domain errors raised below the routes, rendered as RFC 9457 problem+json by one handler."""

from typing import Any


class DomainError(Exception):
    """Base of every error the service reports to a client."""

    status: int = 400
    code: str = "bad-request"
    title: str = "请求有误"

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

    status, code, title = 401, "unauthorized", "未登录或登录已失效"


class Forbidden(DomainError):
    """Authenticated but the role may not do this."""

    status, code, title = 403, "forbidden", "无权执行此操作"


class NotFound(DomainError):
    """Missing or outside the caller's scope (never tells which)."""

    status, code, title = 404, "not-found", "对象不存在"


class Conflict(DomainError):
    """The request conflicts with the current state."""

    status, code, title = 409, "conflict", "与当前状态冲突"


class StaleVersion(Conflict):
    """The update was based on an outdated version."""

    code, title = "stale-version", "数据已被他人修改，请刷新后重试"


class PreconditionFailed(DomainError):
    """If-Match did not match the current version."""

    status, code, title = 412, "precondition-failed", "版本不匹配，请刷新后重试"


class PreconditionRequired(DomainError):
    """An update arrived without the version it was based on."""

    status, code, title = 428, "precondition-required", "更新必须携带版本号（If-Match 或 version）"


class PayloadTooLarge(DomainError):
    """Body or upload above the configured limit."""

    status, code, title = 413, "payload-too-large", "内容超过大小限制"


class UnsupportedMediaType(DomainError):
    """Upload type not on the allow-list."""

    status, code, title = 415, "unsupported-media-type", "不支持的文件类型"


class ValidationFailed(DomainError):
    """Input that parses but breaks a rule."""

    status, code, title = 422, "validation-failed", "输入不符合要求"


class TooManyRequests(DomainError):
    """Throttled."""

    status, code, title = 429, "too-many-requests", "请求过于频繁，请稍后再试"


class ServiceUnavailable(DomainError):
    """A dependency (search, PDF fonts) is not available right now."""

    status, code, title = 503, "service-unavailable", "服务暂不可用，请稍后再试"
