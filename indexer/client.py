"""Meilisearch access for the indexer: its own key, index names, task waiting."""

from typing import Any

import meilisearch
from meilisearch.index import Index

from schemas.search import ENCODING
from service.config import Settings

META_ID = "meta-build"


class IndexerConfigError(RuntimeError):
    """The indexer was started without what it needs."""


def index_name(settings: Settings) -> str:
    """The live library index."""
    return settings.library_index


def make_client(settings: Settings, timeout_s: float = 30.0) -> meilisearch.Client:
    """A client with the indexer's key (never the search key)."""
    if not settings.meili_url or not settings.meili_index_key:
        raise IndexerConfigError("需要设置 CADRE_MEILI_URL 和 CADRE_MEILI_INDEX_KEY")
    return meilisearch.Client(settings.meili_url, settings.meili_index_key.get_secret_value(),
                              timeout=int(timeout_s) or 1)


def live_marker(client: meilisearch.Client, uid: str) -> dict[str, Any] | None:
    """The build marker document of an index (written by indexer.reindex), or None."""
    try:
        return dict(client.index(uid).get_document(META_ID))
    except meilisearch.errors.MeilisearchApiError:
        return None


def current_encoding(marker: dict[str, Any] | None) -> bool:
    """Whether a build marker says its index holds documents of the current encoding."""
    # An index built before the encoding changed would not find what the service asks for.
    return marker is not None and marker.get("encoding") == ENCODING


def index_exists(settings: Settings) -> bool:
    """Whether the live index exists and holds a build marker of the current document encoding."""
    return current_encoding(live_marker(make_client(settings, 5), index_name(settings)))


def wait(client: meilisearch.Client, task_uid: int, timeout_s: float = 120.0) -> Any:
    """Wait for a task; raise if it did not succeed."""
    task = client.wait_for_task(task_uid, timeout_in_ms=int(timeout_s * 1000), interval_in_ms=20)
    if task.status != "succeeded":
        raise RuntimeError(f"Meilisearch task {task_uid} {task.status}: {task.error}")
    return task


def live_index(client: meilisearch.Client, settings: Settings) -> Index:
    """The live library index handle."""
    return client.index(index_name(settings))
