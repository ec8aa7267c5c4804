"""The one gate for characters no field may hold and JSON that is ambiguous.

Before any route runs: a NUL byte or a lone surrogate in the path, a query parameter, a form
field or a JSON string (PostgreSQL text cannot store either), a duplicate key in a JSON object
(which value was meant?), JSON nested deeper than the parser can follow, or a path segment
that is a number written unusually (`+1`, `1_000`, ` 1`, `01`) is refused with 422 problem+json
naming the field, and nothing runs.
"""

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.problems import problem

# A path segment that reads as a number but not in the one canonical form (digits, no leading 0).
_ODD_NUMBER = re.compile(r"\s*[+-]?\s*\d[\d_\s]*")
_CANONICAL = re.compile(r"[1-9][0-9]*|0")


class Refused(Exception):
    """A request part that no route may see; carries the field and the Chinese message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _bad_char(text: str) -> str | None:
    if "\x00" in text:
        return "不能包含空字符（NUL）"
    if any("\ud800" <= c <= "\udfff" for c in text):
        return "包含无效的 Unicode 字符"
    return None


def check_text(field: str, text: str) -> None:
    """Refuse a NUL byte or a lone surrogate in a value (or a key)."""
    message = _bad_char(text)
    if message:
        raise Refused(field, message)


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its key/value pairs in order, so duplicates can be named with their path."""


def _walk(value: Any, where: str) -> None:
    if isinstance(value, str):
        check_text(where, value)
    elif isinstance(value, _Pairs):
        seen: set[str] = set()
        for key, item in value:
            check_text(f"{where}.{key[:50]}", key)
            if key in seen:
                raise Refused(f"{where}.{key[:50]}", f"JSON 对象中字段“{key[:50]}”重复出现")
            seen.add(key)
            _walk(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{where}.{index}")


def check_json(body: bytes) -> None:
    """Refuse duplicate keys anywhere and NUL/surrogates in any string of a JSON body."""
    try:
        data = json.loads(body, object_pairs_hook=_Pairs)
        _walk(data, "body")
    except ValueError:
        return  # malformed JSON: the route's own validation answers 422 for it
    except RecursionError:  # nested deeper than the parser's recursion limit (about 1 000 levels)
        raise Refused("body", "JSON 嵌套层数过多") from None


def check_path(path: str) -> None:
    """Refuse bad characters anywhere in the path and numbers in unusual forms as segments."""
    check_text("path", path)
    for segment in path.split("/"):
        if segment and _ODD_NUMBER.fullmatch(segment) and not _CANONICAL.fullmatch(segment):
            raise Refused("path", f"路径中的编号“{segment[:30]}”格式不正确（应为不带符号和分隔符的正整数）")


def check_query(query: bytes) -> None:
    """Refuse bad characters in any query parameter name or value."""
    # Decoded exactly as Starlette decodes query strings and forms for the routes.
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        check_text(name[:50], name)
        check_text(name[:50], value)


class InputGuardMiddleware:
    """Runs the checks above on every HTTP request before the app sees it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        replay: list[Message] = []
        # An error reading the body (e.g. over the size limit) is raised where the app reads it,
        # so it is answered as it always was (413), not as a failure of this gate.
        deferred: Exception | None = None
        try:
            check_path(scope["path"])
            check_query(scope.get("query_string", b""))
            if ctype in (b"application/json", b"application/x-www-form-urlencoded") \
                    or ctype.endswith(b"+json"):
                body = b""
                while True:
                    try:
                        message = await receive()
                    except Exception as exc:  # re-raised to the app below
                        deferred = exc
                        break
                    replay.append(message)
                    if message["type"] != "http.request":
                        break
                    body += message.get("body", b"")
                    if not message.get("more_body", False):
                        break
                if deferred is None and ctype == b"application/x-www-form-urlencoded":
                    check_query(body)
                elif deferred is None:
                    check_json(body)
        except Refused as exc:
            response = problem(422, "输入不符合要求", f"{exc.field}：{exc.message}", "validation-failed",
                               scope["path"], [{"field": exc.field, "location": exc.field.split(".")[0],
                                                "message": exc.message}])
            await response(scope, receive, send)
            return

        async def replayed() -> Message:
            if replay:
                return replay.pop(0)
            if deferred is not None:
                raise deferred
            return await receive()

        await self.app(scope, replayed, send)
