"""Highlighting done on the server: escaped original text with <mark> around matched terms.

A text of simplified characters, ASCII and plain punctuation (most texts) is searched as it
stands, with dropped characters allowed between a needle's characters; any other text is folded
once (schemas.textfold.fold_with_positions keeps, for every folded character, the position of
the original one) and one compiled pattern of every folded needle is run over it, so a
traditional-character text is marked where a simplified query matched it."""

import html
import re
from collections.abc import Iterable
from functools import lru_cache

from schemas.textfold import DROP, fold_with_positions, simplify


@lru_cache(maxsize=512)
def _pattern(needles: tuple[str, ...]) -> re.Pattern[str]:
    # A lookahead finds a match at every position, so overlapping terms are all marked.
    return re.compile("(?=(" + "|".join(re.escape(n) for n in needles) + "))")


# Most texts hold only characters that fold to themselves (CJK ideographs, ASCII letters and
# digits, upper case folding to lower one for one) and punctuation or spaces that fold to
# nothing. In those the needles are found in the lower-cased text (same length) by a pattern
# that lets dropped characters stand between a needle's characters: no per-character position
# table. The gap is DROP's own class, which compiles in ~0.05 ms (a class of explicit ranges
# this wide, ~1.5-4 ms: a new query would pay it).
_KEPT = "a-z0-9\u3400-\u4dbf\u4e00-\u9fff"
# Punctuation and spaces that fold to nothing (a class of a regular expression).
DROPPED = (" \t\n\r!-/:-@\\[\\\\\\]^_`{-~\u3000-\u3003\u3008-\u3011\u2014\u2018\u2019\u201c\u201d"
           "\u2026\u00b7\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f\uff5e")
_SIMPLE_TEXT = re.compile(f"[{_KEPT}A-Z{DROPPED}]*")
_GAP = "[\\W_]*"  # what DROP removes


@lru_cache(maxsize=512)
def _gapped(needles: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = (_GAP.join(re.escape(ch) for ch in n) for n in needles)
    return re.compile("(?=(" + "|".join(alternatives) + "))")


def _merge(found: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def plain(text: str) -> bool:
    """Whether a text is searched as it stands: simplified characters, ASCII and plain
    punctuation only. Traditional or variant characters (or a phrase OpenCC reads differently
    once the punctuation is gone) need the folding with positions. The indexer stores it per
    item (`plain`), so a search does not run OpenCC over every shown text again."""
    if not _SIMPLE_TEXT.fullmatch(text):
        return False
    folded = DROP.sub("", text.lower())
    return simplify(folded) == folded


def find_spans(text: str, needles: Iterable[str], *, known_plain: bool = False) -> list[tuple[int, int]]:
    """Merged spans of the original text where any folded needle occurs (`known_plain`: the
    text is known to be plain, as the index records)."""
    wanted = tuple(sorted({n for n in needles if n}, key=lambda n: (-len(n), n)))
    if not wanted or not text:
        return []
    if known_plain or plain(text):
        return _merge((m.start(1), m.end(1)) for m in _gapped(wanted).finditer(text.lower()))
    return folded_spans(text, wanted)


def folded_spans(text: str, wanted: tuple[str, ...]) -> list[tuple[int, int]]:
    """find_spans through the folded text and its position table (any text)."""
    folded, positions = fold_with_positions(text)
    return _merge((positions[m.start(1)], positions[m.end(1) - 1] + 1)
                  for m in _pattern(wanted).finditer(folded))


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


def snippet(text: str, needles: Iterable[str], *, width: int = 90, known_plain: bool = False) -> str:
    """An escaped excerpt around the first match (or the start of the text)."""
    spans = find_spans(text, needles, known_plain=known_plain)
    if not spans:
        cut = text[:width]
        return html.escape(cut) + ("…" if len(text) > width else "")
    first = spans[0][0]
    lo = max(0, first - width // 3)
    hi = min(len(text), lo + width)
    return ("…" if lo else "") + mark(text, spans, lo=lo, hi=hi) + ("…" if hi < len(text) else "")


def title_html(title: str, needles: Iterable[str], *, known_plain: bool = False) -> str:
    """The escaped title with matches marked."""
    return mark(title, find_spans(title, needles, known_plain=known_plain))
