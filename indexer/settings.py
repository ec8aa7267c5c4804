"""Index settings, applied idempotently from code."""

from typing import Any

import meilisearch

from indexer.client import wait
from schemas.search import FILTERABLE, SEARCHABLE, SORTABLE, synonym_groups

GRAM_ATTRIBUTES = ["title_grams", "grams", "pinyin", "latin"]


def synonyms() -> dict[str, list[str]]:
    """Synonyms for the natively segmented fields, from the maintained vocabulary file."""
    out: dict[str, list[str]] = {}
    for group in synonym_groups():
        for term in group:
            out.setdefault(term, [])
            out[term] += [t for t in group if t != term and t not in out[term]]
    return out


def index_settings() -> dict[str, Any]:
    """The complete settings of the library index."""
    return {
        "searchableAttributes": SEARCHABLE,
        "filterableAttributes": FILTERABLE,
        "sortableAttributes": SORTABLE,
        "displayedAttributes": ["*"],
        "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
        # Encoded bigrams and pinyin must match exactly; numbers never get typo derivations.
        "typoTolerance": {"enabled": True, "disableOnAttributes": GRAM_ATTRIBUTES,
                          "disableOnNumbers": True},
        "synonyms": synonyms(),
        "localizedAttributes": [
            {"attributePatterns": ["title", "text", "cadre_names", "unit_path"], "locales": ["cmn"]},
        ],
        "pagination": {"maxTotalHits": 10000},
        "faceting": {"maxValuesPerFacet": 200},
        # Candidate mode uses the search-time `distinct` on cadre_id; the index itself keeps all.
        "distinctAttribute": None,
    }


def _differs(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    for key, value in wanted.items():
        have = current.get(key)
        if key == "typoTolerance":
            have = {k: (have or {}).get(k) for k in value}
            have["disableOnAttributes"] = sorted(have["disableOnAttributes"] or [])
            value = {**value, "disableOnAttributes": sorted(value["disableOnAttributes"])}
        if key == "synonyms":
            have = {k: sorted(v) for k, v in (have or {}).items()}
            value = {k: sorted(v) for k, v in value.items()}
        if key == "pagination" or key == "faceting":
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
