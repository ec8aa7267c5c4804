"""Terms typed together: `唐嘉东城中村` meant as `唐嘉东 城中村` (a name and a topic, two topics).

Only when the exact search finds nothing, on its first page, and no near match
(service.search.near) was found either. Each character term of MIN_CHARS to MAX_CHARS
characters typed outside quotes (and not a vocabulary term) is cut in two, each part of two or
more characters, at every place; the index is asked for the cuts (CHECKED hits each; those with
a side of two or three characters, where a name stands, first, the rest only when those find
nothing) and the hits are checked here like exact ones (rank.verified). The best cut is the one
with a person's name as one of its parts (a name plus a topic is what people type most), then
the one found in most of the checked hits, then the most even one. Its query is the suggestion
("您是不是要找…"), shown apart from the exact results like a near match: the query the user
typed is never silently read another way.

A function word between two parts of two or more characters (的, 和, 与, 及, 在, 对, 关于, 以及:
`唐嘉东的城中村改造`, `唐嘉东和周建国`) also makes a cut, without the word; those cuts are asked
for in the first round and preferred, after a name, to plain cuts.

A request typed as a sentence (`关于唐嘉东同志在城中村改造方面的工作情况`, up to PHRASE_MAX
characters) also makes one cut into as many parts as it has: the words that frame it are dropped
at its ends (关于, 有关 before; 工作情况, 情况, 表现, 工作, 方面, 事迹, 的 after), 同志 after a
name wherever it stands, and it is cut at every function word (`唐嘉东 城中村改造`).
"""

from dataclasses import dataclass
from typing import Any

from schemas.search import CHAR_LOCALE
from schemas.vocabulary import is_term
from service.search import rank
from service.search.naming import Searcher
from service.search.query import Query, Term

MIN_CHARS = 4
MAX_CHARS = 16
MAX_CUTS = 24
# Words that join a name and a topic, or two topics, in a phrase typed as one term.
FUNCTION_WORDS = ("关于", "以及", "的", "和", "与", "及", "在", "对")
LEADING = ("关于", "有关")
TRAILING = ("工作情况", "情况", "表现", "工作", "方面", "事迹", "的")
HONORIFIC = "同志"  # after a name: 唐嘉东同志
PHRASE_MAX = 32
CHECKED = 10
PART_CHECKED = 3  # hits checked of a part asked for alone: is it found anywhere
# What rank.verified reads, and the people's names.
FIELDS = ["id", "cadre_names", "title_c", "body_c", "ctx_c"]


@dataclass(frozen=True)
class Cut:
    """A query with one of its terms cut in two (or, typed as a sentence, in more), the parts,
    and the words dropped between them (if any)."""

    query: Query
    parts: tuple[str, ...]
    dropped: str = ""

    def first_round(self) -> bool:
        """Whether the cut is asked for first: one part has two or three characters (where a name
        stands), or a function word was dropped."""
        return bool(self.dropped) or min(map(len, self.parts)) <= 3


def cuts(query: Query) -> list[Cut]:
    """Every query with one character term cut in two (at most MAX_CUTS, in order)."""
    if query.long or query.empty:
        return []
    out: list[Cut] = []
    for j, term in enumerate(query.terms):
        text = term.text
        if term.kind != "chars" or term.quoted or not MIN_CHARS <= len(text) <= PHRASE_MAX \
                or is_term(text):
            continue
        said = sentence(text)
        if said is not None:
            out.append(Cut(Query(query.terms[:j] + [Term(p, "chars") for p in said[0]]
                                 + query.terms[j + 1:], query.excluded), said[0], said[1]))
        if len(text) > MAX_CHARS:
            continue
        at = [(i, i) for i in range(2, len(text) - 1)]
        at = [(i, i + len(w)) for i in range(2, len(text) - 2) for w in FUNCTION_WORDS
              if text.startswith(w, i) and len(text) - i - len(w) >= 2] + at
        for left, right in at:
            parts = [Term(text[:left], "chars"), Term(text[right:], "chars")]
            cut = Cut(Query(query.terms[:j] + parts + query.terms[j + 1:], query.excluded),
                      (text[:left], text[right:]), text[left:right])
            if not (said and said[0] == cut.parts):
                out.append(cut)
    return out[:MAX_CUTS]


def sentence(text: str) -> tuple[tuple[str, ...], str] | None:
    """The parts of a term typed as a sentence and the words dropped, if it frames anything or has
    more than one function word; None otherwise (the plain cuts cover it)."""
    dropped: list[str] = []
    while (w := next((w for w in LEADING if text.startswith(w) and len(text) > len(w) + 1), None)):
        dropped.append(w)
        text = text[len(w):]
    while (w := next((w for w in TRAILING if text.endswith(w) and len(text) > len(w) + 1), None)):
        dropped.append(w)
        text = text[:-len(w)]
    parts: list[str] = []
    start = i = 0
    while i < len(text):
        w = next((w for w in (HONORIFIC, *FUNCTION_WORDS) if text.startswith(w, i)), None)
        after_honorific = i == start and dropped[-1:] == [HONORIFIC]  # 同志的: only a joint
        if w is not None and (after_honorific or (i - start >= 2 and (
                w == HONORIFIC or len(text) - i - len(w) >= 2))):
            if i > start:
                parts.append(_inside(text[start:i], dropped))
            dropped.append(w)
            start = i = i + len(w)
            continue
        i += 1
    parts.append(_inside(text[start:], dropped))
    parts = [p for p in parts if len(p) >= 2]
    if not parts or (len(dropped) < 2 and len(parts) <= 2):
        return None
    return tuple(parts), "".join(dropped)


@dataclass(frozen=True)
class Suggestion:
    """A cut to suggest: found as it stands (`exact`), or with one part found and the other
    found nowhere, to be corrected by a near match (service.search.near)."""

    query: Query
    exact: bool


async def suggest(client: Searcher, *, query: Query, base: dict[str, Any]) -> Suggestion | None:
    """The query with one term cut in two that finds something, if there is one.

    The cuts that leave two or three characters on one side (where a name stands) or drop a
    function word are asked for first, together with each of their parts alone; the others only
    when none of those finds anything. When no cut finds anything, a first-round cut with one
    part found alone (a name first) and the other found nowhere is returned for a near match of
    that part: `唐嘉东招商引姿` → `唐嘉东 招商引资`.
    """
    common = {"filter": base["filter"], "matchingStrategy": "all", "locales": [CHAR_LOCALE],
              "limit": CHECKED, "attributesToRetrieve": FIELDS}
    every = cuts(query)
    first = [c for c in every if c.first_round()]
    parts = list(dict.fromkeys(p for c in first for p in c.parts))
    alone: dict[str, list[dict[str, Any]]] = {}
    if first:
        answers = await client.multi_search(
            [{**common, "q": c.query.meili()} for c in first]
            + [{**common, "limit": PART_CHECKED, "q": _alone(p).meili()} for p in parts])
        found = best(first, answers[:len(first)])
        if found is not None:
            return Suggestion(found.query, exact=True)
        alone = {p: [h for h in a.get("hits", []) if rank.verified(_alone(p), h)]
                 for p, a in zip(parts, answers[len(first):], strict=True)}
    rest = [c for c in every if not c.first_round()]
    if rest:
        found = best(rest, await client.multi_search([{**common, "q": c.query.meili()} for c in rest]))
        if found is not None:
            return Suggestion(found.query, exact=True)
    fix = to_correct(first, alone)
    return Suggestion(fix.query, exact=False) if fix is not None else None


def _inside(part: str, dropped: list[str]) -> str:
    """A part without the 中 that closes 在…中 (在招商引资中)."""
    if dropped[-1:] == ["在"] and part.endswith("中") and len(part) > 3:
        return part[:-1]
    return part


def _alone(part: str) -> Query:
    return Query([Term(part, "chars")])


def to_correct(candidates: list[Cut], alone: dict[str, list[dict[str, Any]]]) -> Cut | None:
    """The cut whose parts but one are found alone and that one nowhere (so a near match may
    correct it): a found part a person's name first, then a dropped function word, then the
    longest found part."""
    scored: list[tuple[tuple[int, int, int], int]] = []
    for k, cut in enumerate(candidates):
        found = {p: alone[p] for p in cut.parts if alone.get(p)}
        if len(cut.parts) - len(found) != 1:
            continue
        named = int(any(p in rank.names_in(hits) for p, hits in found.items()))
        scored.append(((named, int(bool(cut.dropped)), max(map(len, found))), k))
    if not scored:
        return None
    return candidates[max(scored, key=lambda s: (s[0], -s[1]))[1]]


def best(candidates: list[Cut], answers: list[dict[str, Any]]) -> Cut | None:
    """The cut to suggest, given Meilisearch's answer to each one (None when none is found)."""
    scored: list[tuple[tuple[int, int, int, int], int]] = []
    for k, (cut, answer) in enumerate(zip(candidates, answers, strict=True)):
        hits = [h for h in answer.get("hits", []) if rank.verified(cut.query, h)]
        if not hits:
            continue
        named = int(any(p in rank.names_in(hits) for p in cut.parts))
        scored.append(((named, int(bool(cut.dropped)), len(hits), min(map(len, cut.parts))), k))
    if not scored:
        return None
    return candidates[max(scored, key=lambda s: (s[0], -s[1]))[1]]
