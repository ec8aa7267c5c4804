"""Relevance order of the first results, computed here (Meilisearch has no term frequency).

Meilisearch returns the first WINDOW matches (title matches before people, before text); they
are then ordered by, in turn:
1. the title is the query itself, then the title contains the whole query as one phrase (a
   term typed in pinyin stands for the names, units and posts it matches in the item);
2. how many terms occur in the item's own title or text (not only in the names and units of
   the people it concerns);
3. how often they occur (a title occurrence counts three times; at most ten per term);
4. verified before claimed before disputed evidence (records and cadres count as claimed);
5. newer before older.
In candidate mode a cadre's place is that of their strongest matching evidence, then how many
of their evidence items match.
"""

from collections.abc import Sequence
from functools import lru_cache
from itertools import islice, product
from typing import Any

from schemas.pinyin_terms import name_tokens, phrase_piece
from schemas.textfold import fold, fold_lines, latin_words, stand_in, unpairs_lines_stood_in, unpairs_stood_in
from service.search.query import Query, Term

WINDOW = 100
CANDIDATE_WINDOW = 200
VERIFICATION = {"verified": 2, "claimed": 1, "disputed": 0}
PER_TERM_CAP = 10
MAX_WHOLES = 16  # phrase readings of a query whose pinyin terms match several names

Key = tuple[int, ...]


def _pinyin_hit(term: Term, tokens: Sequence[str]) -> bool:
    return term.text in tokens


def pinyin_names(term: Term, doc: dict[str, Any]) -> list[str]:
    """The names, units and posts of a document whose pinyin a pinyin term matches."""
    out = [n for n in doc.get("cadre_names") or [] if _pinyin_hit(term, name_tokens(n))]
    if doc.get("type") == "cadre":
        out += [piece for u in [*(doc.get("unit_path") or []), *(doc.get("posts") or [])]
                if (piece := phrase_piece(u, term.text))]
    return out


def needles(query: Query, doc: dict[str, Any]) -> list[str]:
    """Folded strings to mark in a document's title and text."""
    out: list[str] = []
    for term in query.terms:
        if term.kind == "chars":
            out += term.forms()
        else:
            out += [fold(n) for n in pinyin_names(term, doc)] + [term.text]
    return out


def _folded(doc: dict[str, Any]) -> tuple[str, str, list[str]]:
    """Folded title, text and context entries of a hit, digits and letters stood in, computed once.

    The index's own folded fields (title_c, body_c: character pairs) when the hit carries
    them — what Meilisearch matched, without folding the text again — else folded here. The
    texts keep the stored alphabet (schemas.textfold.stand_in): what is looked for in them is
    stood in too (_stood), which is a bijection, so every comparison is unchanged.
    """
    cached: tuple[str, str, list[str]] | None = doc.get("_folded")
    if cached is None:
        title_c, body_c = doc.get("title_c"), doc.get("body_c")
        if isinstance(title_c, str) and isinstance(body_c, list):
            title = unpairs_stood_in(title_c)
            body = unpairs_lines_stood_in(body_c)
        else:
            title = stand_in(fold(doc.get("title") or ""))
            body = stand_in(fold_lines(doc.get("text") or ""))
        ctx = [unpairs_stood_in(c) for c in doc.get("ctx_c") or []]
        cached = doc["_folded"] = (title, body, ctx)
    return cached


@lru_cache(maxsize=4096)
def _stood(folded: str) -> str:
    return stand_in(folded)


def _stood_forms(term: Term) -> tuple[str, ...]:
    return _stood_forms_of(term.text)


@lru_cache(maxsize=1024)
def _stood_forms_of(text: str) -> tuple[str, ...]:
    # Asked for every term of every hit in the window: computed once per term.
    return tuple(_stood(f) for f in Term(text, "chars").forms())


def names_in(docs: Sequence[dict[str, Any]]) -> frozenset[str]:
    """The folded names of the people the items are about."""
    return frozenset(fold(n) for d in docs for n in d.get("cadre_names") or [])


def verified(query: Query, doc: dict[str, Any]) -> bool:
    """Whether every character term really occurs in the hit (its title, text or people).

    Meilisearch checks a phrase by its neighbouring characters, not all at one place, so a long
    term can come back for an item holding its pieces apart; and an item that only has a
    vocabulary variant through a longer form would come back for a piece of that form. Both
    are dropped here.
    """
    if doc.get("_unmatched") or (
            doc.get("_stripped") and not all(_own_word(t, doc) for t in query.terms if t.kind == "pinyin")):
        return False
    places = _places(doc)
    return all(any(f in places for f in _stood_forms(t)) for t in query.terms if t.kind == "chars")


def _places(doc: dict[str, Any]) -> str:
    """Title, text and people of a hit in one string, computed once: one substring search per
    form instead of one per place (a term never holds the separator, which folding drops)."""
    joined: str | None = doc.get("_places")
    if joined is None:
        title, body, ctx = _folded(doc)
        joined = doc["_places"] = "\x00".join([title, body, *ctx])
    return joined


def _own_word(term: Term, doc: dict[str, Any]) -> bool:
    """Whether a pinyin or Latin word matches a record's readable people or its own words
    (a record stripped of people its reader may not read: service.search.naming)."""
    if pinyin_names(term, doc):
        return True
    return term.text in latin_words(doc.get("title") or "", doc.get("text") or "").split()


def holds_excluded(query: Query, doc: dict[str, Any]) -> bool:
    """Whether an excluded character term (or a vocabulary form of it) occurs in the hit's own
    title, text or people (service.search.exclusion)."""
    places = _places(doc)
    return any(f in places for t in query.excluded if t.kind == "chars" for f in _stood_forms(t))


def _wholes(query: Query, alternatives: list[tuple[str, ...]]) -> set[str]:
    """The query as one phrase, a pinyin term standing for the names it matches in this hit."""
    if all(t.kind == "chars" for t in query.terms):
        return {_stood("".join(t.text for t in query.terms))} - {""}
    return {"".join(combo) for combo in islice(product(*alternatives), MAX_WHOLES)} - {""}


def key(query: Query, doc: dict[str, Any]) -> Key:
    """The sort key of one document (larger is better)."""
    title, body, _ = _folded(doc)
    in_own = occurrences = 0
    alternatives: list[tuple[str, ...]] = []
    for term in query.terms:
        if term.kind == "chars":
            forms = _stood_forms(term)
            alternatives.append((_stood(term.text),))
            in_body = 0
        else:
            # A name typed in pinyin counts where the name stands, like the name typed in characters.
            forms = tuple(_stood(fold(n)) for n in pinyin_names(term, doc))
            alternatives.append(forms or (_stood(term.text),))
            in_body = body.count(_stood(term.text))
        in_title = sum(title.count(f) for f in forms)
        in_body += sum(body.count(f) for f in forms)
        if in_title or in_body:
            in_own += 1
        occurrences += min(3 * in_title + in_body, PER_TERM_CAP)
    wholes = _wholes(query, alternatives)
    verification = VERIFICATION.get(doc.get("verification") or "claimed", 1)
    return (int(title in wholes), int(any(w in title for w in wholes)), in_own,
            occurrences, verification, doc.get("date") or 0)


def rerank(query: Query, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Documents in relevance order (stable: Meilisearch's order breaks remaining ties)."""
    return sorted(docs, key=lambda d: key(query, d), reverse=True)


def best_per_cadre(query: Query, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One evidence item per cadre, its strongest, cadres ordered by it (then by how many)."""
    best: dict[int, tuple[Key, int, dict[str, Any]]] = {}
    for doc in docs:
        cadre = doc.get("cadre_id")
        if cadre is None:
            continue
        k = key(query, doc)
        have = best.get(cadre)
        if have is None:
            best[cadre] = (k, 1, doc)
        else:
            best[cadre] = (max(k, have[0]), have[1] + 1, doc if k > have[0] else have[2])
    ranked = sorted(best.values(), key=lambda v: (v[0], v[1]), reverse=True)
    return [doc for _, _, doc in ranked]
