"""Paging a real query: every request starts at Meilisearch's first hit, pages are cut out here.

Meilisearch (1.21) orders the hits of an offset, or of a page past the first, otherwise than the
same hits asked for from the start: tied hits and the ranking buckets cut at the offset come out
in another order, so pages asked for by offset repeat some hits and skip others. Prefixes from
the first hit agree with each other, so every page is sliced out of one.
"""

import math
from dataclasses import dataclass
from typing import Any

from schemas.search import MAX_TOTAL_HITS
from schemas.search_api import SearchParams
from service.search import filters, rank
from service.search.naming import Searcher
from service.search.query import Query

PREFIX_FULL = 200  # a page cut from at most this many first hits reads them whole (ids_only)
MIN_SHARE = 0.25  # the least share of real matches assumed past the window (past_window)


@dataclass
class Page:
    """Documents of the asked page, the total, facets, and what is still to be fetched."""

    docs: list[dict[str, Any]]
    total: int
    facets: dict[str, Any]
    # Library past the window: the page goes on with the checked hits after Meilisearch's first
    # `window` ones, `more_skip` of them skipped, `more_limit` taken; `kept` checked in the window.
    more_skip: int | None = None
    more_limit: int = 0
    window: int = 0
    kept: int = 0
    deep: bool = False  # candidates: more evidence than the window
    by_id: bool = False  # docs hold ids only: the documents are fetched by id
    exact: bool = True  # the total counts checked matches only (else an upper bound)
    window_cadres: frozenset[int] = frozenset()  # candidates: the cadres ranked from the window


def sliced(query: Query, params: SearchParams) -> bool:
    """Whether the caller's page is cut out of Meilisearch's first hits rather than asked for.

    For a real query, Meilisearch orders the hits of a page past the first (an offset) otherwise
    than the same hits asked for from the start: ties and the ranking buckets cut at the offset
    come out in another order, so paging would repeat some hits and skip others. Every request
    of a real query therefore starts at the first hit, and the page is sliced here.
    """
    return not query.empty and params.page > 1


def ids_only(end: int) -> bool:
    """A prefix longer than PREFIX_FULL is read as ids, and the page's documents fetched by id."""
    return end > PREFIX_FULL


def prefix_request(base: dict[str, Any], end: int) -> dict[str, Any]:
    """Meilisearch's first `end` hits (in candidate mode, one per cadre); see sliced."""
    rest = {k: v for k, v in base.items() if k not in ("page", "hitsPerPage")}
    return {**rest, "facets": [], "offset": 0, "limit": end}


async def by_id(client: Searcher, *, q: str, base: dict[str, Any],
                ids: list[str]) -> list[dict[str, Any]]:
    """The documents of these ids, in this order, still within the caller's filters and query."""
    if not ids:
        return []
    body = {**prefix_request(base, len(ids)), "filter": [*base["filter"], filters.ids_filter(ids)]}
    found = {h["id"]: h for h in (await client.search(q, body))["hits"]}
    return [found[i] for i in ids if i in found]


async def past_window(client: Searcher, *, query: Query, base: dict[str, Any],
                      page: Page) -> list[dict[str, Any]]:
    """The checked hits of a library page past the window (see sliced: always from the start).

    Meilisearch's phrase of character pairs also matches pairs that do not stand together; those
    are dropped, so the prefix asked for is long enough for the page at the window's share of
    real matches, and longer again while it falls short. When the whole list has been read, the
    total becomes exact.
    """
    assert page.more_skip is not None
    need = page.more_skip + page.more_limit
    share = max(page.kept / max(page.window, 1), MIN_SHARE)
    limit = min(MAX_TOTAL_HITS, page.window + math.ceil(need / share) + page.more_limit)
    while True:
        hits = (await client.search(query.meili(), prefix_request(base, limit)))["hits"]
        after = [h for h in hits[page.window:] if rank.verified(query, h)]
        read_all = len(hits) < limit
        if len(after) >= need or read_all or limit >= MAX_TOTAL_HITS:
            break
        limit = min(MAX_TOTAL_HITS, limit * 2)
    if read_all:
        page.total, page.exact = page.kept + len(after), True
    return after[page.more_skip:need]
