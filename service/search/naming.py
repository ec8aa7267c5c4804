"""Which cadres a record hit names: only those its reader may read (service.access)."""

from typing import Any

import asyncpg

from schemas.search_api import SearchHit, SearchResult
from service.cadres import repo as cadres_repo
from service.principal import Principal, SearchScope
from service.search import filters


async def named_for_reader(pool: asyncpg.Pool, principal: Principal, *, scope: SearchScope,
                           docs: list[dict[str, Any]], result: SearchResult) -> SearchResult:
    """The result with each record hit naming only the cadres the reader may read.

    A record concerning several cadres is readable through any one of them (service.access), and
    its search document lists them all; the record page names only the readable ones, and so does
    the hit. A cadre's or an evidence item's document is readable only through its one cadre. The
    documents carry each cadre's scope keys, so an officer's hits are judged without the database
    (filters.readable_cadres, the search filter's mirror of the SQL rule); the cadres they cannot
    judge (a researcher's, the 相近结果) are asked of the database in one query.
    """
    hits = [*result.hits, *(result.near.hits if result.near is not None else [])]
    ids = {c for h in hits if h.type == "record" for c in h.cadre_ids}
    if not ids:
        return result
    seen, judged = filters.readable_cadres(principal, scope, docs)
    unknown = sorted(ids - judged)
    if unknown:
        async with pool.acquire() as conn:
            seen |= await cadres_repo.visible_ids(conn, principal, unknown)
    if seen.issuperset(ids):
        return result

    def named(hit: SearchHit) -> SearchHit:
        if hit.type != "record":
            return hit
        # The two lists are aligned (the indexer orders both by cadre id).
        pairs = [(c, n) for c, n in zip(hit.cadre_ids, hit.cadre_names, strict=False) if c in seen]
        return hit.model_copy(update={"cadre_ids": [c for c, _ in pairs],
                                      "cadre_names": [n for _, n in pairs]})

    near_result = result.near
    if near_result is not None:
        near_result = near_result.model_copy(update={"hits": [named(h) for h in near_result.hits]})
    return result.model_copy(update={"hits": [named(h) for h in result.hits], "near": near_result})
