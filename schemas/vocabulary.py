"""The maintained domain vocabulary (vocabulary.json): groups of interchangeable terms.

A text that contains one term of a group is indexed with the other terms too (a short window of
the surrounding text around each one, so a query may run on past the term), and highlighting
marks every term of the group. All terms are compared in folded form (schemas.textfold).

A group whose name (its first term) stands for a set of things (两违: illegal land use and
illegal building) may list the things it `covers` (违法用地, 违法建设 …): a text naming one of
them is indexed with the group's name too, so a search for the name finds it, but not the other
way round (a search for 违法建设 does not find a text that only says 两违, which may be about
land). Only the name covers: a longer form that spells the set out (违法用地和违章建筑) keeps
its plain meaning.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from schemas.textfold import fold

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.json")
WINDOW = 4  # characters kept either side of a swapped term
MAX_VARIANTS = 40  # per document: a long text full of one abbreviation adds no new words


@dataclass(frozen=True)
class Group:
    """Interchangeable terms and why they belong together."""

    terms: tuple[str, ...]
    note: str
    covers: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def groups() -> tuple[Group, ...]:
    """Every group of the vocabulary file, in file order."""
    data = json.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    return tuple(Group(tuple(g["terms"]), g["note"], tuple(g.get("covers", ())))
                 for g in data["groups"])


def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """The terms of every group (the original, unfolded spelling)."""
    return tuple(g.terms for g in groups())


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, tuple[str, ...]]:
    """Folded term -> the other folded terms of its group."""
    out: dict[str, dict[str, None]] = {}
    for group in groups():
        folded = [fold(t) for t in group.terms]
        for term in folded:
            out.setdefault(term, {}).update(dict.fromkeys(t for t in folded if t != term))
    return {k: tuple(v) for k, v in out.items() if v}


def _covered(group: Group) -> list[str]:
    """The folded things a group covers, with their own group's spellings."""
    syn = _synonyms()
    return list(dict.fromkeys(f for c in group.covers for f in (fold(c), *syn.get(fold(c), ()))))


@lru_cache(maxsize=1)
def _others() -> dict[str, tuple[str, ...]]:
    """Folded term -> the folded terms that count as it in a query (its group's; for a group's
    name, what the group covers)."""
    out = {k: dict.fromkeys(v) for k, v in _synonyms().items()}
    for group in groups():
        out[fold(group.terms[0])].update(dict.fromkeys(_covered(group)))
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _stands_for() -> dict[str, tuple[str, ...]]:
    """Folded term -> the folded terms a text holding it is indexed with (its group's, and the
    name of every group that covers it)."""
    out = {k: dict.fromkeys(v) for k, v in _synonyms().items()}
    for group in groups():
        for thing in _covered(group):
            out.setdefault(thing, {})[fold(group.terms[0])] = None
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _by_first() -> dict[str, tuple[str, ...]]:
    """Folded terms by their first character."""
    out: dict[str, list[str]] = {}
    for term in {**_others(), **_stands_for()}:
        out.setdefault(term[0], []).append(term)
    return {k: tuple(v) for k, v in out.items()}


def _found(folded: str) -> list[tuple[int, str]]:
    """(position, term) of every vocabulary term in a folded text, nested ones included
    (个人有关事项报告 inside the long form of 凡提四必, 干部人事档案 inside 干部人事档案专项审核)."""
    first = _by_first()
    return [(i, term) for i, ch in enumerate(folded) for term in first.get(ch, ())
            if folded.startswith(term, i)]


def is_term(folded: str) -> bool:
    """Whether a folded string is one of the vocabulary's terms."""
    return folded in _synonyms()


def variants(folded: str, window: int = WINDOW, limit: int = MAX_VARIANTS) -> list[str]:
    """Folded snippets of a folded text with one vocabulary term swapped for another."""
    out: dict[str, None] = {}
    others = _stands_for()
    for start, term in _found(folded):
        if term not in others:
            continue
        end = start + len(term)
        before = folded[max(0, start - window):start]
        after = folded[end:end + window]
        for other in others[term]:
            out[before + other + after] = None
            if len(out) >= limit:
                return list(out)
    return list(out)


def alternatives(folded: str, window: int = WINDOW) -> list[str]:
    """A folded query term and its forms with one vocabulary term swapped.

    Only swaps with at most `window` characters of the term either side count: the index holds
    no more around a variant, so a longer stretch could not be found that way anyway.
    """
    out = {folded: None}
    others = _others()
    for start, term in _found(folded):
        end = start + len(term)
        if term not in others or start > window or len(folded) - end > window:
            continue
        for other in others[term]:
            out[folded[:start] + other + folded[end:]] = None
    return list(out)
