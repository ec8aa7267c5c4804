"""Searching the library: query encoding, access filter, facets, highlighting, audit."""

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from schemas.search import bigram_tokens, has_cjk, normalize
from schemas.search_api import SearchHit, SearchParams, SearchResult
from service.principal import Principal, SearchScope
from service.search import filters, highlight, repo
from service.search.client import SearchClient
from service.uow import audit_only

FACETS = ["type", "kind", "domain", "ranks", "post_levels", "tiers", "year", "verification"]
RETRIEVE = ["id", "type", "entity_id", "title", "text", "kind", "domain", "date", "cadre_id",
            "cadre_ids", "cadre_names", "unit_path", "verification", "judgement"]


def encode_query(q: str) -> tuple[str, str, list[str] | None]:
    """(query sent to Meilisearch, match mode, attributes to search on)."""
    norm = normalize(q)
    if not norm:
        return "", "all", None
    if len(norm) >= 2 and (has_cjk(norm) or any(c.isdigit() for c in norm)):
        # A phrase of the query's bigrams: they must stand next to each other, in order, so a
        # document matches exactly when one of its texts contains the query contiguously.
        return f'"{" ".join(bigram_tokens(norm))}"', "substring", ["title_grams", "grams"]
    if has_cjk(norm):
        return norm, "word", ["title", "text"]
    return " ".join(q.lower().split()), "pinyin", ["pinyin", "latin"]


def _params(params: SearchParams, access: str, attributes: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "filter": [f"({access})", *filters.user_filter(params)],
        "facets": FACETS, "attributesToRetrieve": RETRIEVE, "matchingStrategy": "all",
        "page": params.page, "hitsPerPage": params.per_page,
    }
    if attributes:
        out["attributesToSearchOn"] = attributes
    if params.sort != "relevance":
        out["sort"] = ["date:desc" if params.sort == "date_desc" else "date:asc"]
    if params.mode == "candidates":
        out["distinct"] = "cadre_id"
    return out


def _hit(doc: dict[str, Any], q: str) -> SearchHit:
    day = doc.get("date")
    return SearchHit(
        id=doc["id"], type=doc["type"], entity_id=doc["entity_id"], title=doc["title"],
        title_html=highlight.title_html(doc["title"], q),
        snippet_html=highlight.snippet(doc.get("text") or "", q), kind=doc["kind"],
        domain=doc.get("domain"),
        date=date(day // 10000, day // 100 % 100, day % 100) if day else None,
        cadre_ids=doc.get("cadre_ids") or [], cadre_names=doc.get("cadre_names") or [],
        unit_path=doc.get("unit_path") or [], verification=doc.get("verification"),
        judgement=doc.get("judgement"))


@dataclass(frozen=True)
class MeiliRequest:
    """The Meilisearch query the service sends: query text, match mode, search body."""

    q: str
    match: str
    body: dict[str, Any]


def meili_request(principal: Principal, scope: SearchScope, params: SearchParams) -> MeiliRequest:
    """The exact request the service sends to Meilisearch for this caller and these parameters."""
    encoded, match, attributes = encode_query(params.q)
    return MeiliRequest(encoded, match,
                        _params(params, filters.access_filter(principal, scope), attributes))


def build_result(raw: dict[str, Any], params: SearchParams, match: str) -> SearchResult:
    """The API answer built from Meilisearch's (highlighting, hits, facets)."""
    facets = {k: dict(v) for k, v in (raw.get("facetDistribution") or {}).items()}
    return SearchResult(q=params.q, mode=params.mode, match=match,
                        total=raw.get("totalHits", 0), page=params.page, per_page=params.per_page,
                        hits=[_hit(d, params.q) for d in raw["hits"]], facets=facets)


async def search(pool: asyncpg.Pool, client: SearchClient, principal: Principal,
                 params: SearchParams) -> SearchResult:
    """Search within the caller's scope; the search and its filters are audited."""
    scope = principal.search_scope
    if scope is None:
        async with pool.acquire() as conn:
            scope = await repo.load_scope(conn, principal.user_id)
    request = meili_request(principal, scope, params)
    details = params.model_dump(mode="json", exclude_defaults=True)
    # The audit write runs while Meilisearch answers, so it adds no latency.
    raw, _ = await asyncio.gather(client.search(request.q, request.body),
                                  audit_only(pool, principal, "search", "search", None, details))
    return build_result(raw, params, request.match)
