"""ID numbers in free text, masked in every JSON and HTML answer to a role that may not read them.

The fields that hold ID numbers (`national_id`) are masked by their domains; this covers
everything else a user typed — record bodies, evidence descriptions, notes, titles, search
snippets, error messages — in one place, after the route built its answer, so no view can be
forgotten. Officers (`sees_sensitive`) get the original bytes. PDFs are masked where they are
built (service/dossier/masking.py); search documents by the indexer.
"""

import json
import re
import unicodedata
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schemas.national_id import contains_national_id, mask_deep, mask_national_ids_in
from service.cadres.service import sees_sensitive
from service.principal import Principal

_TEXT_TYPES = (b"application/json", b"application/problem+json", b"text/html")
# A JSON escape: \uXXXX or a backslash and one character (\f, \n, \", \\ …).
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))", re.DOTALL)
_SHORT = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescaped(match: re.Match[str]) -> str:
    code, char = match.group(1), match.group(2)
    return chr(int(code, 16)) if code else _SHORT.get(char, char)


# In a page: a JSON escape (a script's or data attribute's JSON: \uXXXX, \f …) or an HTML
# character reference (&#8203; &#x200B; &nbsp;) of one character.
_PAGE_ESCAPE = re.compile(
    r"\\(?:u([0-9a-fA-F]{4})|([bfnrtv/]))|&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));|&nbsp;")


def _spelled(match: re.Match[str]) -> str:
    """A digit or X written as an escape spelled out, a blank or invisible one as a space, any
    other escape kept: what the reader's browser shows, as far as an ID number goes."""
    hex4, short, hexref, decref = match.groups()
    if match.group(0) == "&nbsp;":
        return " "
    try:
        ch = (chr(int(hex4, 16)) if hex4 else _SHORT.get(short, " ") if short
              else chr(int(hexref, 16)) if hexref else chr(int(decref)))
    except (ValueError, OverflowError):
        return match.group(0)
    if unicodedata.normalize("NFKC", ch) in "0123456789Xx":
        return ch
    if ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs"):
        return " "
    return match.group(0)


def _mask_page(text: str) -> str:
    """A page with its ID numbers masked, also those written through JSON escapes or character
    references (a JSON object embedded for a form's script)."""
    masked = mask_national_ids_in(text)
    if "\\" not in masked and "&" not in masked:
        return masked
    spelled = _PAGE_ESCAPE.sub(_spelled, masked)
    if spelled == masked or not contains_national_id(spelled):
        return masked
    # Only a page that hides a number behind escapes is rewritten (its escapes of blanks become
    # spaces); every other page keeps its bytes.
    return mask_national_ids_in(spelled)


def mask_body(body: bytes, content_type: bytes) -> bytes:
    """The body with every ID number in its text masked (JSON: inside every string)."""
    text = body.decode("utf-8", errors="replace")
    if content_type.startswith(b"text/html"):
        return _mask_page(text).encode()
    # The probe reads the strings as a client will, through every escape the JSON writer chose
    # (a number split by a form feed is written "\f", a full-width digit may be "\uff11").
    if "\\" in text:
        probe = _ESCAPE.sub(_unescaped, text)
    else:
        probe = text
    if not contains_national_id(probe):
        return body
    try:
        data: Any = json.loads(text)
    except ValueError:
        return mask_national_ids_in(text).encode()
    return json.dumps(mask_deep(data), ensure_ascii=False, separators=(",", ":")).encode()


class IdMaskingMiddleware:
    """Buffers JSON/HTML answers to non-officers and masks ID numbers in them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The principal dependency stores the caller in this dict (request.state).
        state: dict[str, Any] = scope.setdefault("state", {})
        start: Message | None = None
        chunks: list[bytes] = []

        def masked_for() -> bytes | None:
            principal = state.get("principal")
            if not isinstance(principal, Principal) or sees_sensitive(principal) or start is None:
                return None
            headers = dict(start.get("headers", []))
            ctype = headers.get(b"content-type", b"").lower()
            return ctype if ctype.startswith(_TEXT_TYPES) else None

        async def send_masked(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                if masked_for() is None:
                    await send(message)
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            ctype = masked_for()
            if ctype is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = mask_body(b"".join(chunks), ctype)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_masked)
