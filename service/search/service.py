"""Searching the library: query language, access filter, ranking, near matches, highlighting, audit."""

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from schemas.search import CHAR_FIELDS, CHAR_LOCALE
from schemas.search_api import NearResult, SearchHit, SearchParams, SearchResult
from service.principal import Principal, SearchScope
from service.search import exclusion, filters, highlight, naming, near, rank, repo, split
from service.search.naming import Reader, Searcher
from service.search.paging import Page
from service.search.query import Query, parse
from service.search.window import FACETS, deep_request, first_request, from_window, rest, windowed
from service.uow import audit_only

# title_c and body_c: the folded title and lines the index matched (in character pairs), so the
# window is checked and ranked without folding every hit's text again (service.search.rank._folded).
RETRIEVE = ["id", "type", "entity_id", "title", "text", "kind", "domain", "date", "cadre_id",
            "cadre_ids", "cadre_names", "unit_path", "posts", "ctx_c", "title_c", "body_c",
            "verification", "judgement", "cadre_scope_keys", "cadre_facets", "ctx_owners", "plain",
            "ranks", "post_levels", "tiers", "year"]
NEAR_SHOWN = 20


def encode_query(q: str) -> tuple[str, str, list[str] | None]:
    """(query sent to Meilisearch, match mode, attributes to search on)."""
    query = parse(q)
    return query.meili(), _match(query), None


def _match(query: Query) -> str:
    return "all" if query.empty else "long" if query.long else "terms"


def _params(params: SearchParams, principal: Principal, scope: SearchScope) -> dict[str, Any]:
    """The Meilisearch request for the page the caller asked for (Meilisearch's own order)."""
    access = filters.access_filter(principal, scope)
    out: dict[str, Any] = {
        "filter": [f"({access})", *filters.user_filter(params, principal, scope)],
        "facets": FACETS, "attributesToRetrieve": RETRIEVE, "matchingStrategy": "all",
        "page": params.page, "hitsPerPage": params.per_page, "locales": [CHAR_LOCALE],
    }
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
        title_html=highlight.title_html(doc["title"], marks, known_plain=doc.get("plain") is True),
        snippet_html=highlight.snippet(doc.get("text") or "", marks, known_plain=doc.get("plain") is True),
        kind=doc["kind"],
        domain=doc.get("domain"),
        date=date(day // 10000, day // 100 % 100, day % 100) if day else None,
        cadre_ids=doc.get("cadre_ids") or [], cadre_names=doc.get("cadre_names") or [],
        unit_path=doc.get("unit_path") or [], verification=doc.get("verification"),
        judgement=doc.get("judgement"))


@dataclass(frozen=True)
class MeiliRequest:
    """The first Meilisearch query the service sends: query text, match mode, search body."""

    q: str
    match: str
    body: dict[str, Any]


def meili_request(principal: Principal, scope: SearchScope, params: SearchParams) -> MeiliRequest:
    """The exact first request the service sends to Meilisearch for this caller and parameters."""
    query = parse(params.q)
    base = _params(params, principal, scope)
    return MeiliRequest(query.meili(), _match(query), first_request(query, params, base))


def build_result(raw: dict[str, Any], params: SearchParams, match: str) -> SearchResult:
    """The API answer built from Meilisearch's answer to the first request (see meili_request)."""
    query = parse(params.q)
    page = from_window(query, params, raw=raw)
    return _result(query, params, page, None)


def _result(query: Query, params: SearchParams, page: Page, near_result: NearResult | None) -> SearchResult:
    return SearchResult(q=params.q, mode=params.mode, match=_match(query), searched=query.text(),
                        total=page.total, total_exact=page.exact, page=params.page,
                        per_page=params.per_page,
                        hits=[_hit(d, query) for d in page.docs],
                        facets={k: dict(v) for k, v in page.facets.items()}, near=near_result)



async def _page(client: Searcher, query: Query, params: SearchParams, base: dict[str, Any]) -> Page:
    raw = await client.search(query.meili(), first_request(query, params, base))
    return await rest(client, query, params=params, base=base, page=from_window(query, params, raw=raw))


async def _near(client: Searcher, query: Query, params: SearchParams, base: dict[str, Any],
                exact_total: int, names: frozenset[str] = frozenset()) -> NearResult | None:
    """相近结果 for a query the exact search found (almost) nothing for (service.search.near)."""
    specs = near.specs(query, exact_total, names)
    if not specs:
        return None
    pieces = near.piece_queries(query, specs)
    # Different pieces can make the same query (both characters of a two-character term are
    # asked for by its one sound): each is sent once.
    sent = list(dict.fromkeys(q for _, q in pieces))
    common = {"filter": base["filter"], "matchingStrategy": "all", "locales": [CHAR_LOCALE]}
    full = {**common, "limit": near.CANDIDATES, "attributesToRetrieve": ["id", *CHAR_FIELDS]}
    answers = await client.multi_search([{**full, "q": q} for q in sent])
    hits = {q: r["hits"] for q, r in zip(sent, answers, strict=True)}
    found = near.corrections(query, specs, {k: hits[q] for k, q in pieces})
    crowded = [q for q in sent if len(hits[q]) >= near.CANDIDATES]
    if (not found or found[0].tier > 0) and crowded:
        # A common piece (成员 of 成员凡映) fills its candidates before the item that holds the
        # fix: when no same-sound fix was found, those pieces are asked again for many more
        # candidates, their texts cropped around the piece (near.crop_length pairs a line) so
        # the answer stays small.
        cropped = {**common, "limit": near.MORE_CANDIDATES, "attributesToRetrieve": ["id"],
                   "attributesToCrop": CHAR_FIELDS, "cropLength": near.crop_length(query, specs),
                   "cropMarker": ""}
        again = await client.multi_search([{**cropped, "q": q} for q in crowded])
        hits.update({q: [{**h["_formatted"], "id": h["id"]} for h in r["hits"]]
                     for q, r in zip(crowded, again, strict=True)})
        found = near.corrections(query, specs, {k: hits[q] for k, q in pieces})
    if not found:
        return None
    return await _suggested(client, near.suggestion(query, found[0]), params, base)


async def _suggested(client: Searcher, better: Query, params: SearchParams,
                     base: dict[str, Any]) -> NearResult | None:
    """The first results of a suggested query, shown apart from the exact ones."""
    first = SearchParams(**{**params.model_dump(), "page": 1, "per_page": NEAR_SHOWN})
    page = await _page(client, better, first, {**base, "page": 1, "hitsPerPage": NEAR_SHOWN, "facets": []})
    if not page.total:
        return None
    return NearResult(suggestion=better.text(), total=page.total, hits=[_hit(d, better) for d in page.docs])


async def _nothing() -> None:
    return None


async def search(pool: asyncpg.Pool, principal: Principal, *, client: Searcher,
                 params: SearchParams) -> SearchResult:
    """Search within the caller's scope; the search and its filters are audited."""
    scope = principal.search_scope
    if scope is None:
        async with pool.acquire() as conn:
            scope = await repo.load_scope(conn, principal.user_id)
    query = parse(params.q)
    base = _params(params, principal, scope)
    details = params.model_dump(mode="json", exclude_defaults=True)
    client = Reader(client, pool, principal, scope, {
        "ranks": {r.value for r in params.rank or []},
        "post_levels": {p.value for p in params.post_level or []}})
    # The audit write runs while Meilisearch answers, so it adds no latency. In candidate mode the
    # cadre count is asked for at the same time: a query with more evidence than the window needs
    # it, and for one with less (whose answer is then not used) it costs Meilisearch little.
    first = client.search(query.meili(), first_request(query, params, base))
    audit = audit_only(pool, principal, "search", "search", None, details)
    deep = (client.search(query.meili(), deep_request(base))
            if params.mode == "candidates" and windowed(query, params) else _nothing())
    excluded = (client.multi_search(exclusion.requests(query, base, RETRIEVE))
                if exclusion.applies(query, params) else _nothing())
    reach = naming.in_reach(pool, principal, scope=scope, unit_id=params.unit_id)
    raw, _, deep_ahead, rescue, reached = await asyncio.gather(first, audit, deep, excluded, reach)
    if not reached:
        return _result(query, params, Page([], 0, {}), None)
    rescued = exclusion.rescued(query, rescue) if rescue is not None else None
    page = await rest(client, query, params=params, base=base,
                      page=from_window(query, params, raw=raw, rescued=rescued), deep_ahead=deep_ahead)
    near_result = None
    if params.page == 1 and page.total < near.NEAR_BELOW:
        names = rank.names_in(page.docs)  # the people the few found items are about
        if near.eligible(query, page.total, names):
            near_result = await _near(client, query, params, base, page.total, names)
    if near_result is None and params.page == 1 and not page.total:
        cut = await split.suggest(client, query=query, base=base)
        if cut is not None:
            near_result = (await _suggested(client, cut.query, params, base) if cut.exact
                           else await _near(client, cut.query, params, base, 0))
    if near_result is not None and near_result.total <= page.total and {
            h.id for h in near_result.hits} <= {d["id"] for d in page.docs}:
        near_result = None  # it finds nothing the query did not (年终考核 standing for 年度考核)
    return _result(query, params, page, near_result)
