"""Display formatting shared by the export payloads: Beijing time, form-style
dates, numbers without float noise, file sizes, and soft line-break marks."""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from schemas import clock
from schemas.export import Number

DASH = "—"
ZWSP = "\u200b"
# Runs of Latin letters, digits and ASCII punctuation have no line-break opportunity
# (file names, URLs, ids) and would overflow a narrow table cell; every WRAP_EVERY
# characters a zero-width space marks one. The templates replace it with an empty
# box, so it still breaks the line but never ends up in copied text.
WRAP_EVERY = 8
LONG_RUN = re.compile(rf"[!-~\u00a0-\u024f]{{{WRAP_EVERY + 1},}}")
UNWRAPPED_KEYS = frozenset({"meta", "watermark", "fonts", "photo", "sha256", "inputs_hash"})


def to_beijing(moment: datetime) -> datetime:
    """The moment in business (Beijing) time; a naive datetime is taken as UTC."""
    return clock.to_local(moment)


def fmt_month(day: date | None) -> str:
    """`2015.03`, the year.month style of the appointment approval form."""
    return "" if day is None else f"{day.year}.{day.month:02d}"


def fmt_date(day: date | None) -> str:
    """`2024.05.12`, or an empty string."""
    return "" if day is None else f"{day.year}.{day.month:02d}.{day.day:02d}"


def fmt_time(moment: datetime | None) -> str:
    """`2024.05.12 14:05` in Beijing time, or an empty string."""
    if moment is None:
        return ""
    local = to_beijing(moment)
    return f"{fmt_date(local.date())} {local:%H:%M}"


def fmt_span(start: date | None, end: date | None, fmt: Callable[[date | None], str] = fmt_date) -> str:
    """`start—end`; an open end prints as `start—` (up to now)."""
    if start is None and end is None:
        return ""
    return f"{fmt(start)}{DASH}{fmt(end)}"


def fmt_number(value: Number) -> str:
    """A number without float noise or exponent: 3.50 -> 3.5, 1e6 -> 1000000."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    number = Decimal(str(value)) if isinstance(value, float) else value
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def fmt_size(size: int) -> str:
    """Human file size: 512 B, 12.3 KB, 4.5 MB."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            break
    return f"{value:.1f} {unit}"


def chunks(text: str, width: int) -> list[str]:
    """Split a long unbreakable token (a hash) into printable lines."""
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def soft_wrap(text: str) -> str:
    """Mark a line-break opportunity every few characters of long Latin/digit runs."""

    def split(match: re.Match[str]) -> str:
        run = match.group(0)
        return ZWSP.join(run[i : i + WRAP_EVERY] for i in range(0, len(run), WRAP_EVERY))

    return LONG_RUN.sub(split, text)


def wrap_tree(value: Any) -> Any:
    """`soft_wrap` every display string of a payload (metadata and hashes left alone)."""
    if isinstance(value, str):
        return soft_wrap(value)
    if isinstance(value, list):
        return [wrap_tree(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k in UNWRAPPED_KEYS else wrap_tree(v) for k, v in value.items()}
    return value


def fmt_score(value: Number, places: int = 2) -> str:
    """A score rounded to `places` decimals, trailing zeros dropped: 92.30 -> 92.3."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return fmt_number(number.quantize(Decimal(1).scaleb(-places)))
