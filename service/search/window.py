"""The window of a real query: the first request, the page checked and re-ranked out of its answer,
and what is fetched past the window (service.search.service sends them)."""

from typing import Any

from schemas.search import MAX_TOTAL_HITS
from schemas.search_api import SearchParams
from service.search import exclusion, paging, rank
from service.search.naming import Searcher
from service.search.paging import Page
from service.search.query import Query

# The facets every search asks Meilisearch to count (service.search.service._params).
FACETS = ["type", "kind", "domain", "ranks", "post_levels", "tiers", "year", "verification"]


def windowed(query: Query, params: SearchParams) -> bool:
    """Whether the service checks the first hits itself (and, by relevance, orders them).

    A real query's hits are checked in a window (Meilisearch's phrase of character pairs can
    match pairs that do not stand together): in relevance order, and in date order too, so a
    list sorted by date shows only real matches. Candidate mode sorted by date keeps
    Meilisearch's one hit per cadre.
    """
    return not query.empty and (params.sort == "relevance" or params.mode != "candidates")


def first_request(query: Query, params: SearchParams, base: dict[str, Any]) -> dict[str, Any]:
    """The first request: the caller's page, or the window the service re-ranks and checks."""
    if not windowed(query, params):
        if not paging.sliced(query, params):
            return base
        end = params.page * params.per_page
        body = {**base, "page": 1, "hitsPerPage": end}
        if paging.ids_only(end):
            body["attributesToRetrieve"] = ["id"]
        return body
    if params.mode == "candidates":
        body = {**base, "page": 1, "hitsPerPage": rank.CANDIDATE_WINDOW}
        body.pop("distinct", None)  # one cadre's strongest evidence is chosen here, not by Meilisearch
        return body
    return {**base, "page": 1, "hitsPerPage": rank.WINDOW}


def _with_rescued(params: SearchParams, hits: list[dict[str, Any]], found: int, window: int,
                  rescued: exclusion.Rescued) -> tuple[list[dict[str, Any]], bool]:
    """The window's hits with the wrongly excluded items put back, and whether all of them were."""
    if not rescued.docs:
        return hits, rescued.complete
    if params.sort == "relevance":
        return hits + rescued.docs, rescued.complete
    if found > window:
        return hits, False  # their place in date order may lie past the window
    # Meilisearch's date order of the rest, the put-back items merged in by date (stable).
    merged = sorted(hits + rescued.docs, key=lambda d: d.get("date") or 0,
                    reverse=params.sort == "date_desc")
    return merged, rescued.complete


def from_window(query: Query, params: SearchParams, *, raw: dict[str, Any],
                rescued: exclusion.Rescued | None = None) -> Page:
    """The page out of the first answer: checked, re-ranked within the window, sliced."""
    facets = raw.get("facetDistribution") or {}
    start, end = (params.page - 1) * params.per_page, params.page * params.per_page
    if not windowed(query, params):
        if not paging.sliced(query, params):
            return Page(raw["hits"], raw.get("totalHits", 0), facets, exact=query.empty)
        return Page(raw["hits"][start:end], raw.get("totalHits", 0), facets,
                    by_id=paging.ids_only(end), exact=False)
    found = raw.get("totalHits", 0)
    hits = [h for h in raw["hits"] if rank.verified(query, h)]
    stripped = any(h.get("_stripped") for h in hits)
    if (len(hits) < len(raw["hits"]) or stripped) and found <= len(raw["hits"]) \
            and params.mode != "candidates":
        # Every match was read and some were not real (pairs apart, people the reader may not
        # read), or some concern people the reader may not read: the facets count the real ones,
        # as the total does, under what the reader may see of them.
        facets = exclusion.count_facets({k: {} for k in FACETS}, hits)
    complete = True
    if rescued is not None:
        window = rank.CANDIDATE_WINDOW if params.mode == "candidates" else rank.WINDOW
        hits, complete = _with_rescued(params, hits, found, window, rescued)
        facets = exclusion.count_facets(facets, rescued.docs)
    if params.mode == "candidates":
        groups = rank.best_per_cadre(query, hits)
        deep = found > rank.CANDIDATE_WINDOW
        return Page(groups[start:end], len(groups), facets, deep=deep, exact=not deep and complete,
                    window_cadres=frozenset(g["cadre_id"] for g in groups))
    # Exact when everything fits the window; past it, unchecked hits are counted as found.
    kept = len(hits)
    total = kept + max(0, found - rank.WINDOW)
    ordered = rank.rerank(query, hits) if params.sort == "relevance" else hits
    page = Page(ordered[start:end], total, facets, exact=found <= rank.WINDOW and complete)
    if end > kept and found > rank.WINDOW:
        # The list goes on with the checked hits after the window, in Meilisearch's order.
        first = max(start, kept)
        page.more_skip, page.more_limit = first - kept, end - first
        page.window, page.kept = len(raw["hits"]), kept
    return page


def deep_request(base: dict[str, Any]) -> dict[str, Any]:
    """Candidate mode past the evidence window: the cadres counted by Meilisearch's distinct."""
    return {**base, "facets": [], "page": 1, "hitsPerPage": 1, "attributesToRetrieve": ["id"]}


async def rest(client: Searcher, query: Query, *, params: SearchParams, base: dict[str, Any],
               page: Page, deep_ahead: dict[str, Any] | None = None) -> Page:
    """Fetch what the window could not give: hits past it, or cadres past the evidence window.

    `deep_ahead`: the answer to the deep request when it was already sent beside the first one.
    """
    q = query.meili()
    if page.by_id:
        page.docs = await paging.by_id(client, q=q, base=base, ids=[h["id"] for h in page.docs])
    if page.more_skip is not None:
        page.docs += await paging.past_window(client, query=query, base=base, page=page)
    if page.deep:
        # More evidence than the window: the cadres are counted with distinct, and the list goes
        # on past the window's ranked cadres with Meilisearch's distinct list without them — its
        # first `end` entries hold every one a page up to `end` needs.
        deep = deep_ahead if deep_ahead is not None else await client.search(q, deep_request(base))
        page.total = max(page.total, deep.get("totalHits", 0))
        start, end = (params.page - 1) * params.per_page, params.page * params.per_page
        ranked = len(page.window_cadres)
        if end > ranked:
            listed = await client.search(
                q, paging.prefix_request(base, min(end + params.per_page, MAX_TOTAL_HITS)))
            beyond = [h for h in listed["hits"]
                      if h.get("cadre_id") not in page.window_cadres and rank.verified(query, h)]
            page.docs += beyond[max(0, start - ranked):end - ranked]
    return page
