"""Highlighting done on the server: escaped original text with <mark> around matched terms.

The text is folded once (schemas.textfold.fold_with_positions keeps, for every folded character,
the position of the original one) and one compiled pattern of every folded needle is run over it,
so a traditional-character text is marked where a simplified query matched it.
"""

import html
import re
from collections.abc import Iterable
from functools import lru_cache

from schemas.textfold import fold_with_positions


@lru_cache(maxsize=512)
def _pattern(needles: tuple[str, ...]) -> re.Pattern[str]:
    # A lookahead finds a match at every position, so overlapping terms are all marked.
    return re.compile("(?=(" + "|".join(re.escape(n) for n in needles) + "))")


def find_spans(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Merged spans of the original text where any folded needle occurs."""
    wanted = tuple(sorted({n for n in needles if n}, key=lambda n: (-len(n), n)))
    if not wanted or not text:
        return []
    folded, positions = fold_with_positions(text)
    merged: list[tuple[int, int]] = []
    for m in _pattern(wanted).finditer(folded):
        start, end = m.start(1), m.end(1)
        s, e = positions[start], positions[end - 1] + 1
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def mark(text: str, spans: list[tuple[int, int]], *, lo: int = 0, hi: int | None = None) -> str:
    """Escape text[lo:hi] and wrap the spans in <mark>."""
    hi = len(text) if hi is None else hi
    out: list[str] = []
    pos = lo
    for s, e in spans:
        if e <= lo or s >= hi:
            continue
        s, e = max(s, lo), min(e, hi)
        out += [html.escape(text[pos:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        pos = e
    out.append(html.escape(text[pos:hi]))
    return "".join(out)


def snippet(text: str, needles: Iterable[str], width: int = 90) -> str:
    """An escaped excerpt around the first match (or the start of the text)."""
    spans = find_spans(text, needles)
    if not spans:
        cut = text[:width]
        return html.escape(cut) + ("…" if len(text) > width else "")
    first = spans[0][0]
    lo = max(0, first - width // 3)
    hi = min(len(text), lo + width)
    return ("…" if lo else "") + mark(text, spans, lo=lo, hi=hi) + ("…" if hi < len(text) else "")


def title_html(title: str, needles: Iterable[str]) -> str:
    """The escaped title with matches marked."""
    return mark(title, find_spans(title, needles))
