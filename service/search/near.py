"""Near matches ("相近结果"): a term with one wrong, missing or extra character.

Only when the exact search finds fewer than NEAR_BELOW items, on its first page, for terms of
MIN_CHARS or more characters typed outside quotes (MISSING_MIN or more for a missing one). For
one such term at a time (the other terms stay exact), the index is asked for the pieces (of two
or more characters) left around each possible error: the term without one character (the query
had an extra one), and the parts before and after one character (a wrong one) or between two (a
missing one). Only Chinese characters are corrected: a number or a Latin word is never
changed into another one. A wrong middle character of a three-character term, or either
character of a two-character one (SOUND_MIN), leaves no such piece; the term's pinyin is asked
for instead, which the index holds for names, units and posts. The candidates' folded text is
checked here for a real one-edit match, and every match found is a correction. The best
correction is: a same-sound substitution (homophone, tones ignored) or an extra character that
repeats its neighbour (a double key press, 招商引资资) before a similar sound (z/zh, c/ch, s/sh,
l/n, -n/-ng), an extra or missing character or another substitution; then the longest; then the
most frequent. A wrong first or last character is told from an extra one by what the rest is
next to: when nearly every item holding the rest (DOMINANT) holds it with the same character in
that place, the rest is not offered — the term was that word with one character wrong
(安置房建没: 安置房建设, not 安置房建). The near results are the exact results of the query with
that correction (the suggestion, "您是不是要找…"), shown apart from the exact ones.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pypinyin import Style, lazy_pinyin, pinyin

from schemas.textfold import has_cjk, stand_in, stood_back, unpairs_stood_in
from service.search.query import Query, Term

NEAR_BELOW = 3
MIN_CHARS = 3
MISSING_MIN = 4
SOUND_MIN = 2  # a two-character term of Chinese characters found nowhere: corrected by its sound
MAX_CHARS = 16
CANDIDATES = 60  # per piece query
MORE_CANDIDATES = 400  # per crowded piece query, asked again when nothing was found (cropped)
CROP_MARGIN = 4  # pairs around the longest term, so a one-edit match around any piece is whole
DOMINANT = 0.8  # share of the rest's items a first/last-character substitution must hold
_SIMILAR = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ang", "an"), ("eng", "en"), ("ing", "in"),
            ("n", "l"))


@dataclass(frozen=True)
class Spec:
    """One way the term may be wrong: the pieces the item must contain, and its check."""

    term_index: int
    pieces: tuple[str, ...]
    pattern: str  # regex over folded text; group 1 is the unknown character, if any
    kind: str  # "deletion", "substitution" or "insertion"
    position: int


def eligible(query: Query, found: int = 0, names: frozenset[str] = frozenset()) -> list[int]:
    """Indexes of the terms near matching applies to, when the exact search found `found` items
    about people named `names` (folded).

    A two-character term only when nothing was found, and never, once something was found, a
    term that is the name of a person those items are about: a real name found once or twice
    should not be offered the other names that look or sound like it (黄丽坤 found twice is not
    "corrected" to 黄坤).
    """
    if query.long or query.empty:
        return []
    return [i for i, t in enumerate(query.terms)
            if t.kind == "chars" and not t.quoted and len(t.text) <= MAX_CHARS
            and not (found and t.text in names)
            and (len(t.text) >= MIN_CHARS
                 or (len(t.text) == SOUND_MIN and not found and _sound(t.text)))]


def specs(query: Query, found: int = 0, names: frozenset[str] = frozenset()) -> list[Spec]:
    """Every single-edit explanation of every eligible term."""
    out: dict[tuple[int, tuple[str, ...], str], Spec] = {}
    for j in eligible(query, found, names):
        t = query.terms[j].text
        n = len(t)
        for i in range(n):
            if not has_cjk(t[i]):  # digits and Latin letters are facts, not slips of the ear
                continue
            joined = t[:i] + t[i + 1:]
            if n >= MIN_CHARS:  # a two-character term is only corrected by its sound
                out[(j, (joined,), "d")] = Spec(j, (joined,), re.escape(joined), "deletion", i)
            pieces = tuple(p for p in (t[:i], t[i + 1:]) if p)
            pat = re.escape(t[:i]) + "(.)" + re.escape(t[i + 1:])
            out[(j, pieces, f"s{i}")] = Spec(j, pieces, pat, "substitution", i)
        # A missing character is only guessed in terms of MISSING_MIN or more characters: in a
        # shorter one nearly any insertion is a plausible word.
        for i in range(1, n if n >= MISSING_MIN else 1):
            pat = re.escape(t[:i]) + "(.)" + re.escape(t[i:])
            out[(j, (t[:i], t[i:]), f"i{i}")] = Spec(j, (t[:i], t[i:]), pat, "insertion", i)
    return list(out.values())


def crop_length(query: Query, all_specs: list[Spec]) -> int:
    """Words (character pairs) of each candidate line to read around its match."""
    return max(len(query.terms[s.term_index].text) for s in all_specs) + CROP_MARGIN


def piece_queries(query: Query, all_specs: list[Spec]) -> list[tuple[tuple[int, tuple[str, ...]], str]]:
    """One Meilisearch query string per distinct (term, pieces), other terms kept exact."""
    seen: dict[tuple[int, tuple[str, ...]], str] = {}
    for spec in all_specs:
        k = (spec.term_index, spec.pieces)
        if k in seen:
            continue
        # A piece of one character is left to the check here: the index finds single characters
        # only in titles and people's names, units and posts (schemas.search), and in a text it
        # would admit nearly every item anyway.
        pieces = [Term(p, "chars") for p in spec.pieces if len(p) >= 2]
        if not pieces:
            # A wrong middle character of a three-character term leaves no piece to ask for:
            # the term's sound is asked for in the pinyin of names, units and posts instead (a
            # name typed by its sound with one wrong homophone, 雷建军 for 雷剑军).
            sound = _sound(query.terms[spec.term_index].text)
            if sound is None:
                continue
            pieces = [Term(sound, "pinyin")]
        terms = [t for i, t in enumerate(query.terms) if i != spec.term_index]
        seen[k] = Query(terms + pieces, query.excluded).meili()
    return list(seen.items())


def _sound(text: str) -> str | None:
    """The toneless pinyin of a term of Chinese characters only, as the index stores names."""
    if not all(has_cjk(ch) for ch in text):
        return None
    return "".join(lazy_pinyin(text)).lower() or None


@lru_cache(maxsize=8192)
def _readings(ch: str) -> frozenset[str]:
    return frozenset(r for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0] if r != ch)


def _loose(syllable: str) -> str:
    for a, b in _SIMILAR:
        syllable = syllable.replace(a, b)
    return syllable


def tier(spec: Spec, typed: str, found: str) -> int:
    """0 same sound, 1 similar sound / missing / extra character, 2 other substitution."""
    if spec.kind != "substitution":
        return 1
    a, b = _readings(typed), _readings(found)
    if a & b:
        return 0
    if {_loose(s) for s in a} & {_loose(s) for s in b}:
        return 1
    return 2


def _texts(doc: dict[str, Any]) -> list[str]:
    """The candidate's folded texts in the stored alphabet (digits and letters stood in)."""
    fields = [doc.get("title_c") or "", *(doc.get("ctx_c") or []), *(doc.get("body_c") or []),
              *(doc.get("alt_c") or [])]
    return [unpairs_stood_in(f) for f in fields]


@dataclass
class Correction:
    """One string found in place of a term, how good a fix it is, and where it was found."""

    term_index: int
    text: str
    tier: int
    docs: set[str]
    edits: set[tuple[str, int]] = field(default_factory=set)  # (kind, position) explaining it


def corrections(query: Query, all_specs: list[Spec],
                results: dict[tuple[int, tuple[str, ...]], list[dict[str, Any]]]) -> list[Correction]:
    """Every verified correction, best first."""
    found: dict[tuple[int, str], Correction] = {}
    # A candidate comes back for several specs: unpaired once. By object, not by id: the same
    # item can come back whole for one piece and cropped for another.
    texts: dict[int, list[str]] = {}
    for spec in all_specs:
        typed = query.terms[spec.term_index].text
        # The pattern's literals are escaped folded text, whose digits and letters are never
        # escaped: stood in, it matches the stored alphabet of _texts.
        pattern, typed_in = re.compile(stand_in(spec.pattern)), stand_in(typed)
        for doc in results.get((spec.term_index, spec.pieces), []):
            doc_texts = texts.get(id(doc))
            if doc_texts is None:
                doc_texts = texts[id(doc)] = _texts(doc)
            for text in doc_texts:
                for m in pattern.finditer(text):
                    fixed = stood_back(m.group(0))
                    if fixed == typed or typed_in in text:
                        continue
                    unknown = stood_back(m.group(1)) if spec.kind != "deletion" else ""
                    if unknown and not has_cjk(unknown):
                        continue
                    level = tier(spec, typed[spec.position], unknown) if unknown else _extra_tier(
                        typed, spec.position)
                    item = found.setdefault((spec.term_index, fixed),
                                            Correction(spec.term_index, fixed, level, set()))
                    item.tier = min(item.tier, level)
                    item.docs.add(doc["id"])
                    item.edits.add((spec.kind, spec.position))
    return sorted(_cut_short(query, list(found.values())),
                  key=lambda c: (c.tier, -len(c.text), -len(c.docs), c.text))


def _extra_tier(typed: str, position: int) -> int:
    """An extra character that repeats its neighbour is a double key press: as likely as a
    homophone."""
    ch = typed[position]
    return 0 if ch in typed[max(0, position - 1):position] + typed[position + 1:position + 2] else 1


def _cut_short(query: Query, found: list[Correction]) -> list[Correction]:
    """The corrections without a first or last character dropped (the term had an extra one)
    where nearly every item of the shorter text holds the same place filled by one character:
    the shorter text is then only ever that word cut short, and the typed character was wrong."""
    out = []
    for cut in found:
        typed = query.terms[cut.term_index].text
        if not any(kind == "deletion" and position in (0, len(typed) - 1)
                   and _extra_tier(typed, position)  # a character typed twice stays the likeliest
                   and any(w.term_index == cut.term_index and ("substitution", position) in w.edits
                           and len(w.docs) >= DOMINANT * len(cut.docs) for w in found)
                   for kind, position in cut.edits):
            out.append(cut)
    return out


def suggestion(query: Query, best: Correction) -> Query:
    """The query with the best correction in place of its term."""
    terms = list(query.terms)
    terms[best.term_index] = Term(best.text, "chars")
    return Query(terms, query.excluded)
