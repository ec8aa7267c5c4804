"""Searching the library: query language, access filter, ranking, near matches, highlighting, audit."""

import asyncio
from datetime import date
from typing import Any

import asyncpg

from schemas.cadres import mask_national_ids_in
from schemas.search import CHAR_FIELDS
from schemas.search_api import NearResult, SearchHit, SearchParams, SearchResult
from service.principal import Principal
from service.search import filters, highlight, near, rank, repo
from service.search.client import SearchClient
from service.search.query import Query, parse
from service.uow import audit_only

FACETS = ["type", "kind", "domain", "ranks", "post_levels", "tiers", "year", "verification"]
RETRIEVE = ["id", "type", "entity_id", "title", "text", "kind", "domain", "date", "cadre_id",
            "cadre_ids", "cadre_names", "unit_path", "posts", "ctx_c", "verification", "judgement"]
NEAR_SHOWN = 20


def encode_query(q: str) -> tuple[str, str, list[str] | None]:
    """(query sent to Meilisearch, match mode, attributes to search on)."""
    query = parse(q)
    if query.empty:
        return "", "all", None
    return query.meili(), "long" if query.long else "terms", None


def _params(params: SearchParams, access: str, attributes: list[str] | None = None) -> dict[str, Any]:
    """The Meilisearch request for the page the caller asked for (Meilisearch's own order)."""
    out: dict[str, Any] = {
        "filter": [f"({access})", *filters.user_filter(params)],
        "facets": FACETS, "attributesToRetrieve": RETRIEVE, "matchingStrategy": "all",
        "page": params.page, "hitsPerPage": params.per_page, "locales": ["cmn"],
    }
    if attributes:
        out["attributesToSearchOn"] = attributes
    if params.sort != "relevance":
        out["sort"] = ["date:desc" if params.sort == "date_desc" else "date:asc"]
    if params.mode == "candidates":
        out["distinct"] = "cadre_id"
    return out


def _hit(doc: dict[str, Any], q: str | Query) -> SearchHit:
    query = parse(q) if isinstance(q, str) else q
    marks = rank.needles(query, doc)
    day = doc.get("date")
    return SearchHit(
        id=doc["id"], type=doc["type"], entity_id=doc["entity_id"], title=doc["title"],
        title_html=highlight.title_html(doc["title"], marks),
        snippet_html=highlight.snippet(doc.get("text") or "", marks), kind=doc["kind"],
        domain=doc.get("domain"),
        date=date(day // 10000, day // 100 % 100, day % 100) if day else None,
        cadre_ids=doc.get("cadre_ids") or [], cadre_names=doc.get("cadre_names") or [],
        unit_path=doc.get("unit_path") or [], verification=doc.get("verification"),
        judgement=doc.get("judgement"))


async def _ranked_page(client: SearchClient, query: Query, params: SearchParams,
                       base: dict[str, Any]) -> tuple[list[dict[str, Any]], int, dict[str, Any]]:
    """(documents of the page, total, facet distribution), re-ranked within the first window."""
    start, end = (params.page - 1) * params.per_page, params.page * params.per_page
    q = query.meili()

    def checked(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [h for h in hits if rank.verified(query, h)]

    if params.mode == "candidates":
        window = {**base, "page": 1, "hitsPerPage": rank.CANDIDATE_WINDOW}
        window.pop("distinct", None)
        raw = await client.search(q, window)
        groups = rank.best_per_cadre(query, checked(raw["hits"]))
        total = len(groups)
        if raw.get("totalHits", 0) > rank.CANDIDATE_WINDOW:
            # More evidence than the window: count cadres (and serve pages past it) with distinct.
            deep = await client.search(q, {**base, "facets": []})
            total = max(total, deep.get("totalHits", 0))
            if end > len(groups):
                return checked(deep["hits"]), total, raw.get("facetDistribution") or {}
        return groups[start:end], total, raw.get("facetDistribution") or {}
    raw = await client.search(q, {**base, "page": 1, "hitsPerPage": rank.WINDOW})
    found = raw.get("totalHits", 0)
    window_hits = checked(raw["hits"])
    # Exact when everything fits the window; past it, unchecked hits are counted as found.
    total = len(window_hits) + max(0, found - rank.WINDOW)
    docs = rank.rerank(query, window_hits)[start:end]
    if end > rank.WINDOW and found > rank.WINDOW:
        rest = {k: v for k, v in base.items() if k not in ("page", "hitsPerPage")}
        offset = max(start, rank.WINDOW)
        more = await client.search(q, {**rest, "facets": [], "offset": offset, "limit": end - offset})
        docs += checked(more["hits"])
    return docs, total, raw.get("facetDistribution") or {}


async def _near(client: SearchClient, query: Query, params: SearchParams,
                base: dict[str, Any]) -> NearResult | None:
    """相近结果 for a query the exact search found (almost) nothing for (service.search.near)."""
    specs = near.specs(query)
    if not specs:
        return None
    pieces = near.piece_queries(query, specs)
    retrieve = ["id", *CHAR_FIELDS]
    common = {"filter": base["filter"], "matchingStrategy": "all", "limit": near.CANDIDATES,
              "attributesToRetrieve": retrieve, "locales": ["cmn"]}
    raws = await client.multi_search([{**common, "q": q} for _, q in pieces])
    results = {k: r["hits"] for (k, _), r in zip(pieces, raws, strict=True)}
    found = near.corrections(query, specs, results)
    if not found:
        return None
    better = near.suggestion(query, found[0])
    page = SearchParams(**{**params.model_dump(), "page": 1, "per_page": NEAR_SHOWN})
    docs, total, _ = await _ranked_page(client, better, page, {**base, "facets": []})
    if not total:
        return None
    return NearResult(suggestion=better.text(), total=total, hits=[_hit(d, better) for d in docs])


async def search(pool: asyncpg.Pool, client: SearchClient, principal: Principal,
                 params: SearchParams) -> SearchResult:
    """Search within the caller's scope; the search and its filters are audited."""
    async with pool.acquire() as conn:
        scope = await repo.load_scope(conn, principal.user_id)
    access = filters.access_filter(principal, scope)
    query = parse(params.q)
    details = params.model_dump(mode="json", exclude_defaults=True)
    if "q" in details:
        # The trail keeps what was searched, but not a whole ID number: it can never be erased.
        details["q"] = mask_national_ids_in(details["q"])
    base = _params(params, access)
    if query.empty or params.sort != "relevance":
        q = query.meili()
        search_task = client.search(q, base)
    else:
        search_task = None
    # The audit write runs while Meilisearch answers, so it adds no latency.
    audit = audit_only(pool, principal, "search", "search", None, details)
    if search_task is not None:
        raw, _ = await asyncio.gather(search_task, audit)
        docs, total, facets = raw["hits"], raw.get("totalHits", 0), raw.get("facetDistribution") or {}
    else:
        (docs, total, facets), _ = await asyncio.gather(_ranked_page(client, query, params, base), audit)
    near_result = None
    if params.page == 1 and total < near.NEAR_BELOW and near.eligible(query):
        near_result = await _near(client, query, params, base)
    match = "all" if query.empty else "long" if query.long else "terms"
    return SearchResult(q=params.q, mode=params.mode, match=match, searched=query.text(),
                        total=total, page=params.page, per_page=params.per_page,
                        hits=[_hit(d, query) for d in docs],
                        facets={k: dict(v) for k, v in facets.items()}, near=near_result)
