"""Structured logs: one JSON object per line, with the request id."""

import json
import logging
import re
from datetime import UTC, datetime

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


def configure_logging(level: int = logging.INFO) -> None:
    """Send every log line to stderr as JSON."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).disabled = True
