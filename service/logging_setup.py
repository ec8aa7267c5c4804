"""Structured logs: one JSON object per line, with the request id."""

import json
import logging
import re
from datetime import UTC, datetime

from schemas import clock
from schemas.national_id import mask_deep, mask_national_ids_in
from service.middleware import request_id_var

_STD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
_SECRET_FIELD = re.compile(
    r"(?i)((?:password|access_token|csrf_token|token|secret[a-z_]*)[\\\"']*\s*[:=]\s*[\\\"']*)"
    r"[^\\\"'\s,}&]+")


def redact(text: str) -> str:
    """Mask national ID numbers, bearer tokens and password/token fields in a log line."""
    text = mask_national_ids_in(text)
    text = _BEARER.sub(r"\1[redacted]", text)
    return _SECRET_FIELD.sub(r"\1[redacted]", text)


class JsonFormatter(logging.Formatter):
    """Formats a record as a single JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        data = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname, "logger": record.name, "msg": record.getMessage(),
                "request_id": request_id_var.get()}
        data.update({k: v for k, v in record.__dict__.items() if k not in _STD})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        # Last line of defence: database errors and third-party messages can quote values. Strings
        # are masked before encoding too, where a tab or line break inside a number is still one.
        return redact(json.dumps(mask_deep(data), ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    """One readable line per record (development): time, level, and for requests the essentials."""

    def format(self, record: logging.LogRecord) -> str:
        when = clock.to_local(datetime.fromtimestamp(record.created, UTC)).strftime("%H:%M:%S")
        if record.name == "cadre.access" and hasattr(record, "status"):
            data = record.__dict__
            line = f"{when} {data['method']:<6} {data['path']} → {data['status']} {data['ms']} ms"
        else:
            line = f"{when} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def _wants_text() -> bool:
    from service.config import get_settings

    try:
        settings = get_settings()
    except ValueError:  # invalid settings are reported by whoever reads them next
        return False
    if settings.log_format != "auto":
        return settings.log_format == "text"
    return settings.env == "development"


def configure_logging(level: int = logging.INFO, text: bool | None = None) -> None:
    """Send log lines to stderr: JSON (production, tests) or readable text (development)."""
    text = _wants_text() if text is None else text
    handler = logging.StreamHandler()
    handler.setFormatter(TextFormatter() if text else JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).disabled = True
    # Per-call chatter of the HTTP client and Alembic's plugin list bury what matters.
    for chatty in ("httpx", "httpcore", "alembic.runtime.plugins"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    if text:
        for chatty in ("alembic", "uvicorn.error"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
