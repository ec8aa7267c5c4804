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
"""

from dataclasses import dataclass
from typing import Any

from schemas.search import CHAR_LOCALE
from schemas.vocabulary import is_term
from service.search import rank
from service.search.client import SearchClient
from service.search.query import Query, Term

MIN_CHARS = 4
MAX_CHARS = 16
MAX_CUTS = 24
# Words that join a name and a topic, or two topics, in a phrase typed as one term.
FUNCTION_WORDS = ("关于", "以及", "的", "和", "与", "及", "在", "对")
CHECKED = 10
PART_CHECKED = 3  # hits checked of a part asked for alone: is it found anywhere
# What rank.verified reads, and the people's names.
FIELDS = ["id", "cadre_names", "title_c", "body_c", "ctx_c"]


@dataclass(frozen=True)
class Cut:
    """A query with one of its terms cut in two, the two parts, and the function word dropped
    between them (if any)."""

    query: Query
    parts: tuple[str, str]
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
        if term.kind != "chars" or term.quoted or not MIN_CHARS <= len(text) <= MAX_CHARS \
                or is_term(text):
            continue
        at = [(i, i) for i in range(2, len(text) - 1)]
        at = [(i, i + len(w)) for i in range(2, len(text) - 2) for w in FUNCTION_WORDS
              if text.startswith(w, i) and len(text) - i - len(w) >= 2] + at
        for left, right in at:
            parts = [Term(text[:left], "chars"), Term(text[right:], "chars")]
            out.append(Cut(Query(query.terms[:j] + parts + query.terms[j + 1:], query.excluded),
                           (text[:left], text[right:]), text[left:right]))
    return out[:MAX_CUTS]


@dataclass(frozen=True)
class Suggestion:
    """A cut to suggest: found as it stands (`exact`), or with one part found and the other
    found nowhere, to be corrected by a near match (service.search.near)."""

    query: Query
    exact: bool


async def suggest(client: SearchClient, *, query: Query, base: dict[str, Any]) -> Suggestion | None:
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


def _alone(part: str) -> Query:
    return Query([Term(part, "chars")])


def to_correct(candidates: list[Cut], alone: dict[str, list[dict[str, Any]]]) -> Cut | None:
    """The cut whose one part is found alone and the other nowhere (so a near match may correct
    it): the found part a person's name first, then a dropped function word, then the longest
    found part."""
    scored: list[tuple[tuple[int, int, int], int]] = []
    for k, cut in enumerate(candidates):
        hits = [alone.get(p, []) for p in cut.parts]
        if bool(hits[0]) == bool(hits[1]):
            continue
        part, found = (cut.parts[0], hits[0]) if hits[0] else (cut.parts[1], hits[1])
        scored.append(((int(part in rank.names_in(found)), int(bool(cut.dropped)), len(part)), k))
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
