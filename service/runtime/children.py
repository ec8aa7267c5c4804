"""The processes `cadre serve` runs under its supervisor, besides PostgreSQL and Meilisearch.

To add a background process (for example a sealer), append a ChildSpec in `supervised_children`:
it is started after migrations and the index build, restarted with backoff when it dies,
reported in `/api/status`, and stopped (SIGTERM, then SIGKILL) before Meilisearch and PostgreSQL.
"""

import sys
from dataclasses import dataclass

from service.config import Settings


@dataclass(frozen=True)
class ChildSpec:
    """A supervised child process: a name and its command line (run with the stack's settings)."""

    name: str
    argv: tuple[str, ...]
    # Seconds the child gets after SIGTERM before SIGKILL.
    stop_timeout_s: float = 15.0
    # The child gets the Meilisearch indexer key (never the master key) when True.
    needs_index_key: bool = False


def supervised_children(settings: Settings, *, with_indexer: bool) -> list[ChildSpec]:
    """Every child process `cadre serve` supervises for these settings."""
    children: list[ChildSpec] = []
    if with_indexer and settings.meili_url:
        children.append(ChildSpec("indexer", (sys.executable, "-m", "indexer"), needs_index_key=True))
    return children
