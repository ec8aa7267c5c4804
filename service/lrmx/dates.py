"""Dates as the approval form writes them: yyyyMM, yyyyMMdd, yyyy.MM, yyyy-MM, yyyy.MM.dd, 2001年9月."""

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Precision(StrEnum):
    """How much of a date the source gave."""

    year = "year"
    month = "month"
    day = "day"


@dataclass(frozen=True)
class FormDate:
    """A date read from a form, with how precise it was (missing parts are 1)."""

    value: date
    precision: Precision


_STRIP = re.compile(r"[\s\u3000.．\-－/年月日]")


def parse_form_date(text: str) -> FormDate | None:
    """Read a form date; None when the text is not one (the caller reports it)."""
    digits = _STRIP.sub("", text)
    # "2001.9" has a one-digit month: pad before the separators are gone.
    parts = [p for p in re.split(r"[\s\u3000.．\-－/年月日]+", text.strip()) if p]
    if len(parts) >= 2 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        digits = parts[0] + "".join(p.zfill(2) for p in parts[1:3])
    if not digits.isdigit() or len(digits) not in (4, 6, 8):
        return None
    year = int(digits[:4])
    month = int(digits[4:6]) if len(digits) >= 6 else 1
    day = int(digits[6:8]) if len(digits) == 8 else 1
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    if not 1900 <= year <= 2100:
        return None
    precision = {4: Precision.year, 6: Precision.month, 8: Precision.day}[len(digits)]
    return FormDate(value, precision)


def yyyymm(value: date | None) -> str:
    """`200109`, the file's month format."""
    return "" if value is None else f"{value.year:04d}{value.month:02d}"


def yyyymmdd(value: date | None) -> str:
    """`20010915`, the file's reference-date format."""
    return "" if value is None else f"{value.year:04d}{value.month:02d}{value.day:02d}"


def dotted(value: date | None) -> str:
    """`2001.09`, as printed on the form."""
    return "" if value is None else f"{value.year:04d}.{value.month:02d}"
