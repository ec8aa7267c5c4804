"""Excluded terms (`-建设`) apply to an item's own text, not to the index's helper fields.

Meilisearch drops an item when an excluded phrase occurs in any searchable field, and the index
also holds, per item, its vocabulary variants (`alt_c`: 党建 stored as 党的建设 too) and its
texts as character pairs (a phrase of pairs also matches pairs that do not stand together). So
`城中村 -建设` dropped an item that says 党建 but never 建设. Beside the first request, each
excluded character term is therefore asked for as a positive one (the query's terms plus it);
the hits whose own title, text and people hold none of the excluded terms were dropped wrongly
and are put back into the window: counted in the total and the facets, and ranked with the rest.
"""

from dataclasses import dataclass, field
from typing import Any

from schemas.search import CHAR_LOCALE, FACETS
from schemas.search_api import SearchParams
from service.search import rank
from service.search.query import Query, Term

LIMIT = 200  # hits read per excluded term; more than this makes the total an estimate


@dataclass
class Rescued:
    """Items Meilisearch dropped for an excluded term they do not hold in their own text."""

    docs: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = True  # every item holding an excluded term somewhere was read


def _checked(query: Query) -> list[str]:
    return [t.text for t in query.excluded if t.kind == "chars"]


def requests(query: Query, base: dict[str, Any], retrieve: list[str]) -> list[dict[str, Any]]:
    """One search per excluded character term: the query's terms and that term, none excluded."""
    common = {"filter": base["filter"], "matchingStrategy": "all", "locales": [CHAR_LOCALE],
              "limit": LIMIT, "attributesToRetrieve": [*retrieve, *FACETS]}
    return [{**common, "q": Query([*query.terms, Term(text, "chars")]).meili()}
            for text in _checked(query)]


def applies(query: Query, params: SearchParams) -> bool:
    """Whether wrongly dropped items are looked for: a checked window with an excluded term."""
    return bool(_checked(query)) and (params.sort == "relevance" or params.mode != "candidates")


def rescued(query: Query, answers: list[dict[str, Any]]) -> Rescued:
    """The hits of the exclusion requests that match the query and hold no excluded term."""
    seen: dict[str, dict[str, Any]] = {}
    for answer in answers:
        for hit in answer["hits"]:
            seen.setdefault(hit["id"], hit)
    docs = [d for d in seen.values() if rank.verified(query, d) and not rank.holds_excluded(query, d)]
    complete = all(a.get("totalHits", a.get("estimatedTotalHits", 0)) <= LIMIT for a in answers)
    return Rescued(docs, complete)


def count_facets(facets: dict[str, dict[str, int]], docs: list[dict[str, Any]]) -> dict[str, Any]:
    """The facet counts with these documents added (Meilisearch's keys: values as strings)."""
    out = {k: dict(v) for k, v in facets.items()}
    for doc in docs:
        for name in FACETS:
            value = doc.get(name)
            values = value if isinstance(value, list) else [] if value is None else [value]
            counts = out.setdefault(name, {})
            for v in values:
                key = str(v).lower() if isinstance(v, bool) else str(v)
                counts[key] = counts.get(key, 0) + 1
    return out
