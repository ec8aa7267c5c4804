"""Index settings, applied idempotently from code."""

from typing import Any

import meilisearch

from indexer.client import wait
from schemas.search import CHAR_LOCALE, FILTERABLE, LOCALIZED, MAX_TOTAL_HITS, SEARCHABLE, SORTABLE

RANGED = ("date",)  # filtered with >= / <= (service/search/filters.py)


def index_settings() -> dict[str, Any]:
    """The complete settings of the library index."""
    return {
        "searchableAttributes": SEARCHABLE,
        # Only the date is compared (date ranges); everything else is matched for equality, and
        # no value is searched through /facet-search: fewer facet structures to keep per update.
        "filterableAttributes": [
            {"attributePatterns": [a for a in FILTERABLE if a not in RANGED],
             "features": {"facetSearch": False, "filter": {"equality": True, "comparison": False}}},
            {"attributePatterns": [a for a in FILTERABLE if a in RANGED],
             "features": {"facetSearch": False, "filter": {"equality": True, "comparison": True}}}],
        "facetSearch": False,
        # Every query term is sent as a phrase, which never matches by prefix: the prefix
        # databases would be rebuilt on every update for nothing.
        "prefixSearch": "disabled",
        "sortableAttributes": SORTABLE,
        "displayedAttributes": ["*"],
        # `sort` first: a date sort is a pure date order; without one it does nothing. The
        # service re-ranks the first results itself (service/search/rank.py).
        "rankingRules": ["sort", "words", "attribute", "proximity", "exactness"],
        # Characters, pinyin and Latin words match exactly; near matches are the service's own,
        # clearly separated stage (service/search/near.py), never Meilisearch typos.
        "typoTolerance": {"enabled": False},
        # No field is segmented natively (every character pair is a word), so neither synonyms nor
        # a segmentation dictionary apply; the vocabulary is expanded into the documents instead.
        "synonyms": {},
        "dictionary": [],
        "localizedAttributes": [{"attributePatterns": LOCALIZED, "locales": [CHAR_LOCALE]}],
        # A phrase of character pairs needs its words in one field, not their distances: the
        # service checks the whole term in every hit. Keeping the distance of every pair of
        # words up to eight apart ("byWord") was most of the indexing work.
        "proximityPrecision": "byAttribute",
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "faceting": {"maxValuesPerFacet": 200},
        # Candidate mode uses the search-time `distinct` on cadre_id; the index itself keeps all.
        "distinctAttribute": None,
    }


def _differs(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    for key, value in wanted.items():
        have = current.get(key)
        if key in ("typoTolerance", "pagination", "faceting"):
            have = {k: (have or {}).get(k) for k in value}
        if key == "localizedAttributes":
            have = [{"attributePatterns": a.get("attributePatterns"), "locales": a.get("locales")}
                    for a in (have or [])]
        if have != value:
            return True
    return False


def apply_settings(client: meilisearch.Client, uid: str) -> bool:
    """Bring the index's settings to the wanted state; returns whether anything changed."""
    wanted = index_settings()
    raw = client.http.get(f"indexes/{uid}/settings")
    if not _differs(raw, wanted):
        return False
    task = client.index(uid).update_settings(wanted)
    wait(client, task.task_uid)
    return True
