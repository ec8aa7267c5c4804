"""检索: one search box over the library with facets, highlighted fragments, candidate mode, pages.

The query lives in the URL (`/search?q=…&domain=…&page=2`), so a search can be bookmarked and
shared; the page calls the search service directly with the signed-in principal.
"""

from typing import Any

import asyncpg
from fastapi import Request, Response

from schemas.common import Domain, PostLevel, Rank, RecordKind, Tier, Verification
from schemas.labels import DOC_TYPE
from schemas.search_api import SearchParams, SearchResult
from service.deps import Pool, Reader
from service.errors import DomainError
from service.search import service as search_service
from service.search.client import SearchClient
from service.units import repo as units_repo
from service.web.page_route import page_router, query_model
from service.web.render import render

router = page_router()

KIND_EXTRA = {"cadre": "干部信息", "evidence": "实绩"}
YEAR_OPTIONS = 12


def _options(values: list[str], counts: dict[str, int], chosen: list[str]) -> list[dict[str, Any]]:
    """Checkbox options of a facet: those with hits, and those chosen (so they can be unchosen).

    Options of one facet are ORed, so once one is ticked its siblings stay on offer; their counts
    under the current filter would be wrong (the ticked option narrows them), so none is shown."""
    if chosen:
        return [{"value": v, "count": counts.get(v, 0) if v in chosen else None, "checked": v in chosen}
                for v in values]
    return [{"value": v, "count": counts.get(v, 0), "checked": False} for v in values if counts.get(v, 0)]


def facet_groups(params: SearchParams, result: SearchResult | None) -> list[dict[str, Any]]:
    """The facets shown beside the results, each with its options and counts."""
    facets = result.facets if result else {}
    groups: list[tuple[str, str, list[str], str, list[Any]]] = [
        ("type", "类别", ["cadre", "record", "evidence"], "type", params.type),
        ("domain", "工作领域", [d.value for d in Domain], "domain", params.domain),
        ("kind", "记录类型", [k.value for k in RecordKind] + ["evidence", "cadre"], "kind", params.kind),
        ("tier", "管理层级", [t.value for t in Tier], "tiers", params.tier),
        ("rank", "职级", [r.value for r in Rank], "ranks", params.rank),
        ("post_level", "职务层次", [p.value for p in PostLevel], "post_levels", params.post_level),
        ("verification", "核实状态", [v.value for v in Verification], "verification",
         params.verification),
    ]
    out = []
    for name, legend, values, key, chosen in groups:
        options = _options(values, facets.get(key, {}), [str(c) for c in chosen])
        if options:
            out.append({"name": name, "legend": legend, "options": options})
    return out


def year_options(params: SearchParams, result: SearchResult | None) -> list[dict[str, Any]]:
    """Years with hits, newest first (and the chosen one)."""
    counts = (result.facets if result else {}).get("year", {})
    years = sorted({int(y) for y in counts} | ({params.year} if params.year else set()), reverse=True)
    return [{"value": y, "count": counts.get(str(y), 0)} for y in years[:YEAR_OPTIONS]]


def pages(result: SearchResult) -> list[int]:
    """Page numbers around the current one."""
    last = min(500, max(1, -(-result.total // result.per_page)))
    lo = max(1, result.page - 3)
    return list(range(lo, min(last, lo + 6) + 1))


async def _units(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """The city and its direct sub-units, for the unit filter (units are not secret)."""
    async with pool.acquire() as conn:
        roots = await units_repo.children(conn, None)
        out = [{"id": r["id"], "name": r["name"], "depth": 0} for r in roots]
        for root in roots:
            out += [{"id": c["id"], "name": c["name"], "depth": 1}
                    for c in await units_repo.children(conn, root["id"])]
    return out


def _searched(params: SearchParams) -> bool:
    return bool(params.model_dump(exclude_defaults=True, exclude={"per_page", "sort"}))


# What the 筛选 panel holds: the query box, the result mode and the page number are outside it.
OUTSIDE_FILTERS = frozenset({"q", "mode", "page", "per_page"})


def filters_set(current: dict[str, Any]) -> bool:
    """Whether a condition of the 筛选 panel differs from its default (its toggle says so)."""
    return any(key not in OUTSIDE_FILTERS for key in current)


@router.get("/search")
async def search_page(request: Request, pool: Pool, user: Reader) -> Response:
    """The search page; with a query or filters in the URL (SearchParams) it shows results too."""
    params = query_model(request, SearchParams)
    result: SearchResult | None = None
    error: str | None = None
    if _searched(params):
        client: SearchClient | None = getattr(request.app.state, "search", None)
        try:
            if client is None:
                raise DomainError("检索服务未配置")
            result = await search_service.search(pool, user, client=client, params=params)
        except DomainError as exc:
            # Shown on the page, with the form still there to try again.
            error = exc.detail
    current = params.model_dump(mode="json", exclude_defaults=True)
    return render(request, "search.html", {
        "params": params, "current": current, "result": result, "error": error,
        "filters_set": filters_set(current),
        "facets": facet_groups(params, result), "years": year_options(params, result),
        "units": await _units(pool), "pages": pages(result) if result else [],
        "type_labels": DOC_TYPE, "kind_extra": KIND_EXTRA,
    }, title=f"检索：{params.q}" if params.q else "检索")
