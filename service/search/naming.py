"""The people a record hit concerns, as its reader may see them (service.access).

A record concerning several cadres is readable through any one of them, and its search document
holds every one's name, unit path and post (ctx_c, pinyin). The record page names only the
cadres its reader may read; so do the search's hits, and a record is matched only through those
cadres: a reader who searched for the name, unit or post of a cadre they may not read found the
records that cadre shares with one of theirs. Every answer is therefore read through a Reader,
which strips the unreadable people from each record hit before anything checks, ranks, counts or
shows it (rank.verified then no longer finds the term in them, so the hit is dropped).
"""

from typing import Any, Protocol

import asyncpg

from service.cadres import repo as cadres_repo
from service.principal import Principal, SearchScope
from service.search import filters, repo

# What judging and stripping a record hit reads (added to a request that retrieves its people).
JUDGED = ["type", "cadre_ids", "cadre_names", "cadre_scope_keys", "cadre_facets", "ctx_owners"]
_PEOPLE_FIELDS = {"ctx_c", "cadre_names", "cadre_ids", "title_c", "body_c"}


class Searcher(Protocol):
    """What the search service sends Meilisearch requests through."""

    async def search(self, q: str, params: dict[str, Any]) -> dict[str, Any]:
        """One search of the library index."""

    async def multi_search(self, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Several searches of the library index in one request."""


class Reader:
    """The search client as one reader sees the index: record hits keep only readable people."""

    def __init__(self, client: Searcher, pool: asyncpg.Pool, principal: Principal,
                 scope: SearchScope, wanted: dict[str, set[str]] | None = None) -> None:
        self._client, self._pool, self._principal, self._scope = client, pool, principal, scope
        # The caller's rank and post-level filters: Meilisearch matched them on any cadre a
        # record concerns; a stripped record must still hold one through a readable cadre.
        self._wanted = {k: v for k, v in (wanted or {}).items() if v}
        self._readable: set[int] = set()
        self._judged: set[int] = set()

    async def search(self, q: str, params: dict[str, Any]) -> dict[str, Any]:
        """One search; its record hits stripped of the people the reader may not read."""
        answer = await self._client.search(q, _asking(params))
        await self._strip(answer.get("hits") or [])
        return answer

    async def multi_search(self, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Several searches; their record hits stripped likewise."""
        answers = await self._client.multi_search([_asking(q) for q in queries])
        await self._strip([h for a in answers for h in a.get("hits") or []])
        return answers

    async def _strip(self, hits: list[dict[str, Any]]) -> None:
        records = [h for h in hits if h.get("type") == "record" and h.get("cadre_ids")]
        if not records:
            return
        readable, judged = filters.readable_cadres(self._principal, self._scope, records)
        self._readable |= readable
        self._judged |= judged
        unknown = sorted({c for h in records for c in h["cadre_ids"]} - self._judged)
        if unknown:
            async with self._pool.acquire() as conn:
                self._readable |= await cadres_repo.visible_ids(conn, self._principal, unknown)
            self._judged.update(unknown)
        for hit in records:
            strip(hit, self._readable)
            if hit.get("_stripped") and any(not values.intersection(hit.get(name) or [])
                                            for name, values in self._wanted.items()):
                hit["_unmatched"] = True  # rank.verified drops it


def _asking(params: dict[str, Any]) -> dict[str, Any]:
    """The request, retrieving what judging its hits needs when it retrieves their people."""
    wanted = params.get("attributesToRetrieve")
    cropped = set(params.get("attributesToCrop") or [])
    if wanted is None or not (_PEOPLE_FIELDS & (set(wanted) | cropped)):
        return params
    missing = [f for f in JUDGED if f not in wanted]
    return {**params, "attributesToRetrieve": [*wanted, *missing]} if missing else params


def strip(hit: dict[str, Any], readable: set[int]) -> None:
    """Leave in a record hit only the people in `readable`: names, ids, keys and context."""
    ids: list[int] = hit["cadre_ids"]
    keep = [i for i, c in enumerate(ids) if c in readable]
    if len(keep) == len(ids):
        return
    kept = set(keep)
    owners: list[list[int]] = hit.get("ctx_owners") or []

    def context(entries: list[str]) -> list[str]:
        # Entries that belong to no readable cadre go; so do all when they cannot be told apart.
        if len(owners) != len(entries):
            return []
        return [e for e, own in zip(entries, owners, strict=True) if kept.intersection(own)]

    for doc in (hit, hit.get("_formatted")):
        if not isinstance(doc, dict):
            continue
        for name in ("cadre_ids", "cadre_names", "cadre_scope_keys", "cadre_facets"):
            values = doc.get(name)
            if isinstance(values, list) and len(values) == len(ids):
                doc[name] = [values[i] for i in keep]
        per_cadre = doc.get("cadre_facets")
        if isinstance(per_cadre, list) and len(per_cadre) == len(keep):
            # The facets the hit is counted under: its readable cadres' tiers, ranks, levels.
            for place, name in enumerate(("tiers", "ranks", "post_levels")):
                doc[name] = sorted({c[place] for c in per_cadre if c[place]})
        else:
            doc.update(tiers=[], ranks=[], post_levels=[])
        if isinstance(doc.get("ctx_c"), list):
            doc["ctx_c"] = context(doc["ctx_c"])
        if 0 not in kept:
            doc["unit_path"] = []  # the first cadre's, the one a hit shows
        doc["posts"] = []
        doc.pop("_folded", None)
        doc.pop("_places", None)
    hit["ctx_owners"] = []
    hit["_stripped"] = True


async def in_reach(pool: asyncpg.Pool, principal: Principal, *, scope: SearchScope,
                   unit_id: int | None) -> bool:
    """Whether a unit filter lies on the reader's lines: off them, a unit holds no cadre they may
    read and could match records only through the other people they concern."""
    if unit_id is None:
        return True
    async with pool.acquire() as conn:
        return await repo.unit_in_reach(conn, unit_id, filters.scope_units(principal, scope))
