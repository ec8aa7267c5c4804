"""Development logs are one readable line per request; production keeps one JSON object per line."""

import json
import logging

from service.logging_setup import JsonFormatter, TextFormatter


def _access_record() -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "cadre.access", "levelno": logging.INFO,
                                    "levelname": "INFO", "msg": "request"})
    record.__dict__.update({"method": "GET", "path": "/api/search", "status": 200, "ms": 12.3})
    return record


def test_a_request_is_one_readable_line_in_development() -> None:
    line = TextFormatter().format(_access_record())
    assert "\n" not in line
    assert line.endswith("GET    /api/search → 200 12.3 ms")


def test_a_request_is_one_json_object_in_production() -> None:
    data = json.loads(JsonFormatter().format(_access_record()))
    assert (data["method"], data["path"], data["status"], data["ms"]) == ("GET", "/api/search", 200, 12.3)


def test_readable_lines_are_redacted_like_json_ones() -> None:
    record = logging.makeLogRecord({"name": "cadre.auth", "levelno": logging.WARNING,
                                    "levelname": "WARNING",
                                    "msg": "login with Authorization: Bearer abc.def-ghi"})
    line = TextFormatter().format(record)
    assert "abc.def-ghi" not in line and "[redacted]" in line
