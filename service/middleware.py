"""ASGI middleware: request ids and access logs, body size limits, security headers."""

import logging
import time
import uuid
from contextvars import ContextVar

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.problems import unexpected

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
log = logging.getLogger("cadre.access")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
     b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"cache-control", b"no-store"),
]


# Routes that take file uploads (streamed, with the upload limit instead of the body limit).
UPLOAD_PREFIXES = ("/api/attachments", "/api/lrmx/imports", "/api/rosters/imports", "/api/rosters/check")


class BodyTooLarge(HTTPException):
    """Raised from receive() when a body passes its limit; FastAPI lets HTTPException through."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="内容超过大小限制")


class RequestContextMiddleware:
    """Assigns a request id, limits body size while streaming, adds headers, logs one line."""

    def __init__(self, app: ASGIApp, max_body: int, max_upload: int,
                 upload_prefix: tuple[str, ...] = UPLOAD_PREFIXES, hsts: bool = False) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.upload_prefix = upload_prefix
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")[:64]
        rid = rid if rid.isalnum() else uuid.uuid4().hex
        token = request_id_var.set(rid)
        # Multipart framing adds a little to the file itself.
        limit = (self.max_upload + 64 * 1024 if scope["path"].startswith(self.upload_prefix)
                 else self.max_body)
        seen = 0
        status = 500
        started_response = False
        started = time.perf_counter()

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge()
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                started_response = True
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                headers.append((b"x-request-id", rid.encode()))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        declared = dict(scope["headers"]).get(b"content-length")
        try:
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await _reject_too_large(send_with_headers)
                return
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            # Raised wherever the body is read, inside a route or by a middleware below this one.
            if started_response:
                raise
            await _reject_too_large(send_with_headers)
        except Exception as exc:
            if started_response:
                raise  # a truncated response: the server must close the connection
            # Answer here and do not re-raise: an exception escaping the app makes uvicorn close
            # the keep-alive connection, dropping the client's next request unanswered.
            await unexpected(scope["path"], exc)(scope, _empty_receive, send_with_headers)
        finally:
            log.info("request", extra={
                "method": scope["method"], "path": scope["path"], "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1)})
            request_id_var.reset(token)


async def _empty_receive() -> Message:
    return {"type": "http.disconnect"}


async def _reject_too_large(send: Send) -> None:
    body = ('{"type":"urn:cadre:problem:payload-too-large","title":"内容超过大小限制",'
            '"status":413,"detail":"请求内容超过大小限制"}').encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
