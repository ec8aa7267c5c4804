"""The one detector of national ID numbers (身份证号) inside free text, and their masked form.

Used wherever text leaves the place it was typed into: search documents (indexer), audit
details, logs and every view for a role that may not read ID numbers. It finds 18-character
numbers (17 digits and a check character, digit or X) and 15-digit legacy numbers, also with
full-width digits and letters, with spaces, hyphens, dots, slashes or underscores between the
characters, and with invisible characters (zero-width spaces, soft hyphens…) anywhere inside. A candidate
counts when its check character is right or the birth date inside it is a real date, so a
mistyped number is still masked. A candidate written with separators must also start with a
province code and hold a real birth date: runs of dates and counts ("2024 01 01 2024 03 31 …")
otherwise line up as 18 digits with a right check character by chance. Pure functions, no
project imports.
"""

import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import Any

# The detector's version, in the search index's build marker (schemas/search.py ENCODING): an index
# whose documents an earlier version masked is rebuilt at start.
DETECTOR = "ids-3"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

_DIGIT = "[0-9\uff10-\uff19]"
_LAST = "[0-9\uff10-\uff19Xx\uff38\uff58]"
_NO_DIGIT_AFTER = "(?![0-9\uff10-\uff19])"
# Characters that show nothing (zero-width spaces and joiners, soft hyphen, byte-order mark,
# direction marks): pasted text often carries them, and a number holding them reads as a whole.
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
_INVISIBLE_RUN = re.compile(f"[{_INVISIBLE}]+")
# Between two characters of a number: at most three separators — a run of spaces (a page shows
# many as one), a hyphen, dot, slash or underscore of any width ("6 - 8", "110105.19491231.002X") —
# with any invisible characters among them. Possessive, so a long run costs no backtracking.
_SEPARATOR = "\\-\u2010\u2011\u2012\u2013\u2014\u2212\uff0d./_\u00b7\u30fb\uff0e\uff0f\uff3f"
_SEP = f"[{_INVISIBLE}]*+(?:(?:\\s++|[{_SEPARATOR}])[{_INVISIBLE}]*+){{0,3}}"
_START = re.compile(f"(?<![0-9\uff10-\uff19]){_DIGIT}")
_FORMS = (re.compile(f"{_DIGIT}(?:{_SEP}{_DIGIT}){{16}}{_SEP}{_LAST}{_NO_DIGIT_AFTER}"),
          re.compile(f"{_DIGIT}(?:{_SEP}{_DIGIT}){{14}}{_NO_DIGIT_AFTER}"))


def check_char(first17: str) -> str:
    """Check character of an 18-character national ID number (GB 11643)."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _compact(raw: str) -> str:
    """The characters of a candidate without separators, full-width folded, X upper-case."""
    folded = unicodedata.normalize("NFKC", raw)
    return "".join(c for c in folded if c.isalnum()).upper()


# Province-level codes of GB/T 2260, plus 81–83 (Hong Kong, Macao, Taiwan residence permits) and
# 91 (foreigners' permanent residence, new format).
PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45,
                       46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91})


def _birth_date_real(compact: str) -> bool:
    if len(compact) == 18:
        return _real_date(int(compact[6:10]), int(compact[10:12]), int(compact[12:14]))
    return _real_date(1900 + int(compact[6:8]), int(compact[8:10]), int(compact[10:12]))


def is_national_id(compact: str, *, separated: bool = False) -> bool:
    """Whether 18 or 15 characters (separators removed) look like an ID number."""
    if len(compact) == 18 and compact[:17].isdigit() and (compact[17].isdigit() or compact[17] == "X"):
        plain = check_char(compact[:17]) == compact[17] or _birth_date_real(compact)
    elif len(compact) == 15 and compact.isdigit():
        plain = _birth_date_real(compact)
    else:
        return False
    if separated:
        return plain and int(compact[:2]) in PROVINCES and _birth_date_real(compact)
    return plain


def mask_compact(compact: str) -> str:
    """The masked form: first 6 and last 4 (18) or last 3 (15) characters kept."""
    keep = 4 if len(compact) == 18 else 3
    return compact[:6] + "*" * (len(compact) - 6 - keep) + compact[-keep:]


def find_national_ids(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, compact number) of every ID number in the text."""
    pos = 0
    while (first := _START.search(text, pos)) is not None:
        at = first.start()
        pos = at + 1
        for form in _FORMS:
            m = form.match(text, at)
            # Invisible characters do not separate: such a number looks like one typed plainly.
            shown = _INVISIBLE_RUN.sub("", m.group()) if m is not None else ""
            if m is not None and is_national_id(compact := _compact(shown),
                                                separated=len(compact) != len(shown)):
                yield at, m.end(), compact
                pos = m.end()
                break


def contains_national_id(text: str) -> bool:
    """Whether the text holds a whole national ID number."""
    return next(find_national_ids(text), None) is not None


def mask_national_ids_in(text: str) -> str:
    """The text with every ID number in it replaced by its masked form."""
    if not text:
        return text
    out, last = [], 0
    for start, end, compact in find_national_ids(text):
        out.append(text[last:start])
        out.append(mask_compact(compact))
        last = end
    if last == 0:
        return text
    out.append(text[last:])
    return "".join(out)


def mask_national_id(value: str | None) -> str | None:
    """Mask a value that is an ID number field: all but the first 6 and last 4 characters."""
    if not value:
        return value
    return value[:6] + "*" * 8 + value[-4:]


def mask_deep(value: Any) -> Any:
    """A JSON-like value with ID numbers masked in every string (keys included)."""
    if isinstance(value, str):
        return mask_national_ids_in(value)
    if isinstance(value, dict):
        return {mask_deep(k) if isinstance(k, str) else k: mask_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_deep(v) for v in value]
    return value
