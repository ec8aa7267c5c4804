"""The reference answers: which documents a query should find, computed here from the documents.

This restates the documented query semantics in the plainest possible way (substring tests over
folded texts), independently of the Meilisearch encoding, so the labelled set checks the index.
"""

from functools import cache
from typing import Any

from pypinyin import Style, lazy_pinyin, pinyin

from schemas.textfold import fold
from schemas.vocabulary import WINDOW, groups

COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "司徒", "夏侯")


_TEXTS: dict[str, list[str]] = {}


def texts(doc: dict[str, Any]) -> list[str]:
    """Folded title, text lines and context entries (names, unit path, posts) of a document."""
    cached = _TEXTS.get(doc["id"])
    if cached is None:
        own = [fold(doc["title"]), *(fold(line) for line in doc["text"].split("\n"))]
        cached = _TEXTS[doc["id"]] = own + [c.replace(" ", "") for c in doc["ctx_c"]]
    return cached


def _swaps() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for group in groups():
        folded = {fold(t) for t in group.terms}
        for term in folded:
            out.setdefault(term, set()).update(folded - {term})
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


def matching(docs: list[dict[str, Any]], terms: list[str], excluded: tuple[str, ...] = ()) -> set[str]:
    """Ids of documents containing every term and none of the excluded ones."""
    return {d["id"] for d in docs
            if all(has(d, t) for t in terms) and not any(has(d, x) for x in excluded)}


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


def phrase_forms(text: str) -> set[str]:
    """Full pinyin and initials of a unit name or post."""
    syl = lazy_pinyin(text)
    return {"".join(syl), "".join(s[0] for s in syl)}
