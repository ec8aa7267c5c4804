"""Highlighting done on the server: escaped text with <mark> around the query's occurrences."""

import html
import unicodedata

from schemas.search import expand_synonyms, normalize


def _normalized_with_positions(text: str) -> tuple[str, list[int]]:
    chars: list[str] = []
    positions: list[int] = []
    for i, ch in enumerate(text):
        for folded in normalize(unicodedata.normalize("NFKC", ch)):
            chars.append(folded)
            positions.append(i)
    return "".join(chars), positions


def find_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Spans of the original text where the query (or a vocabulary variant) occurs."""
    norm, positions = _normalized_with_positions(text)
    spans: list[tuple[int, int]] = []
    for variant in {normalize(v) for v in expand_synonyms(query)}:
        if not variant:
            continue
        start = norm.find(variant)
        while start != -1:
            end = start + len(variant) - 1
            spans.append((positions[start], positions[end] + 1))
            start = norm.find(variant, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def mark(text: str, spans: list[tuple[int, int]], lo: int = 0, hi: int | None = None) -> str:
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


def snippet(text: str, query: str, width: int = 90) -> str:
    """An escaped excerpt around the first match (or the start of the text)."""
    spans = find_spans(text, query) if query else []
    if not spans:
        cut = text[:width]
        return html.escape(cut) + ("…" if len(text) > width else "")
    first = spans[0][0]
    lo = max(0, first - width // 3)
    hi = min(len(text), lo + width)
    return ("…" if lo else "") + mark(text, spans, lo, hi) + ("…" if hi < len(text) else "")


def title_html(title: str, query: str) -> str:
    """The escaped title with matches marked."""
    return mark(title, find_spans(title, query) if query else [])
