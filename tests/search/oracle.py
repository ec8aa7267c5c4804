"""The reference answers: which documents a query should find, computed here from the documents.

This restates the documented query semantics in the plainest possible way (substring tests over
folded texts), independently of the Meilisearch encoding, so the labelled set checks the index.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pypinyin import Style, lazy_pinyin, pinyin

from schemas.textfold import fold, unpairs
from schemas.vocabulary import WINDOW, groups

COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "司徒", "夏侯")


_TEXTS: dict[str, list[str]] = {}


def texts(doc: dict[str, Any]) -> list[str]:
    """Folded title, text lines and context entries (names, unit path, posts) of a document."""
    cached = _TEXTS.get(doc["id"])
    if cached is None:
        own = [fold(doc["title"]), *(fold(line) for line in doc["text"].split("\n"))]
        cached = _TEXTS[doc["id"]] = own + [unpairs(c) for c in doc["ctx_c"]]
    return cached


def _swaps() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for group in groups():
        folded = {fold(t) for t in group.terms}
        for term in folded:
            out.setdefault(term, set()).update(folded - {term})
    # A group's name also stands for what the group covers, spelled any way its own group allows.
    for group in groups():
        for thing in map(fold, group.covers):
            out[fold(group.terms[0])] |= {thing} | out.get(thing, set())
    return out


_SWAPS = _swaps()


@cache  # `matching` asks for the same term once per document: thousands of times per query
def forms(term: str) -> frozenset[str]:
    """A folded term and its spellings with one vocabulary term inside swapped for another.

    A swap counts when the query runs at most WINDOW characters past the vocabulary term.
    """
    out = {term}
    for v, others in _SWAPS.items():
        start = term.find(v)
        while start != -1:
            if start <= WINDOW and len(term) - start - len(v) <= WINDOW:
                out |= {term[:start] + o + term[start + len(v):] for o in others}
            start = term.find(v, start + 1)
    return frozenset(out)


def has(doc: dict[str, Any], term: str) -> bool:
    """Whether a folded term occurs in the document (or a vocabulary variant of it does)."""
    all_texts = texts(doc)
    return any(f in t for f in forms(term) for t in all_texts)


# Between two texts of one document, and after each document: characters no folded text holds,
# so a term found in the joined string lies inside one text of one document.
_TEXT_END, _DOC_END = "\x00", "\x01"


@dataclass
class _Joined:
    """Every document's texts in one string, to find a term in all of them with str.find."""

    docs: list[dict[str, Any]]
    starts: list[int]
    big: str
    found: dict[str, frozenset[int]] = field(default_factory=dict)

    def indexes(self, term: str) -> frozenset[int]:
        """Positions in `docs` of the documents for which `has(doc, term)` holds."""
        cached = self.found.get(term)
        if cached is not None:
            return cached
        out: set[int] = set()
        for f in forms(term):
            if not f:  # the empty string is in every text
                return self.found.setdefault(term, frozenset(range(len(self.docs))))
            at = self.big.find(f)
            while at != -1:
                k = bisect_right(self.starts, at) - 1
                out.add(k)
                at = self.big.find(f, self.starts[k + 1] if k + 1 < len(self.starts) else len(self.big))
        return self.found.setdefault(term, frozenset(out))


_JOINED: dict[int, _Joined] = {}


def _joined(docs: list[dict[str, Any]]) -> _Joined:
    hit = _JOINED.get(id(docs))
    if hit is not None and hit.docs is docs:
        return hit
    parts, starts, at = [], [], 0
    for d in docs:
        own = texts(d)
        assert not any(_TEXT_END in t or _DOC_END in t for t in own), d["id"]
        joined = _TEXT_END.join(own) + _DOC_END
        starts.append(at)
        parts.append(joined)
        at += len(joined)
    made = _JOINED[id(docs)] = _Joined(docs, starts, "".join(parts))
    return made


def containing(docs: list[dict[str, Any]], term: str) -> list[dict[str, Any]]:
    """The documents (in their order) for which `has(doc, term)` holds."""
    return [docs[k] for k in sorted(_joined(docs).indexes(term))]


def matching(docs: list[dict[str, Any]], terms: list[str], excluded: tuple[str, ...] = ()) -> set[str]:
    """Ids of documents containing every term and none of the excluded ones."""
    joined = _joined(docs)
    hit = set(range(len(docs)))
    for t in terms:
        hit &= joined.indexes(t)
    for x in excluded:
        hit -= joined.indexes(x)
    return {docs[k]["id"] for k in hit}


@cache  # asked for every cadre once per pinyin query
def name_forms(name: str) -> set[str]:
    """Pinyin spellings a cadre's name is found by: full, initials, given name, surname + initials."""
    split = 2 if name[:2] in COMPOUND else 1
    given = lazy_pinyin(name[split:])
    if split == 2:
        surnames = ["".join(lazy_pinyin(name[:2]))]
        initial = "".join(s[0] for s in lazy_pinyin(name[:2]))
    else:
        surnames = pinyin(name[0], style=Style.NORMAL, heteronym=True)[0]
        initial = ""
    out: set[str] = set()
    for s in surnames:
        gi = "".join(g[0] for g in given)
        for form in (s + "".join(given), (initial or s[0]) + gi, "".join(given), s + gi):
            out |= {form, form.replace("v", "u")}
    return out


@cache
def phrase_forms(text: str) -> set[str]:
    """Full pinyin and initials of a unit name or post and of each part between punctuation, and
    a part's full pinyin from any later syllable on, three syllables or more."""
    out: set[str] = set()
    for piece, tails in [(text, False), *((p, True) for p in re.split(r"[^\w]+|_", text))]:
        syl = [s for s in lazy_pinyin(piece, errors="ignore") if s]
        if syl:
            out |= {"".join(syl), "".join(s[0] for s in syl)}
            if tails:
                out |= {"".join(syl[i:]) for i in range(1, len(syl) - 2)}
    return out
