"""What a change is (the diff of two snapshots) and SQL for reading revisions of any entity."""

from collections.abc import Collection
from typing import Any

import asyncpg

# The one rule for what is not a change: bookkeeping that every write moves.
BOOKKEEPING = frozenset({"version", "updated_at"})


def diff_snapshots(before: dict[str, Any], after: dict[str, Any], *,
                   derived: Collection[str] = ()) -> dict[str, Any]:
    """What changed between two snapshots, as {field: [old, new]}, ignoring bookkeeping fields and
    the entity's `derived` fields (computed from others, e.g. a presentation's rank)."""
    return {k: [before.get(k), v] for k, v in after.items()
            if before.get(k) != v and k not in BOOKKEEPING and k not in derived}


async def list_revisions(conn: asyncpg.Connection, entity_type: str, entity_id: int) -> list[asyncpg.Record]:
    """Revisions of an entity, oldest first, with the actor's name."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT r.version, r.action, r.actor_id, u.display_name AS actor_name, r.at, r.changes
           FROM revisions r LEFT JOIN users u ON u.id = r.actor_id
           WHERE r.entity_type = $1 AND r.entity_id = $2 ORDER BY r.version, r.id""",
        entity_type, entity_id,
    )
    return rows


def linked_in_changes(revisions: list[asyncpg.Record], field: str) -> set[int]:
    """Every id a list-of-links field (e.g. a record's cadre_ids) held in the revisions' changes."""
    return {i for r in revisions for side in r["changes"].get(field) or [] if isinstance(side, list)
            for i in side}


def links_as_read(changes: dict[str, Any], field: str, readable: Collection[int]) -> dict[str, Any]:
    """A revision's changes whose list-of-links field names only the ids the reader may read; a change
    of links the reader may not see is left out altogether."""
    if not isinstance(changes.get(field), list):
        return changes
    sides = [[i for i in side if i in readable] if isinstance(side, list) else side
             for side in changes[field]]
    out = {**changes, field: sides}
    if len(sides) == 2 and sides[0] == sides[1]:
        del out[field]
    return out


def kept_links(stored: Collection[int], shown: Collection[int], sent: Collection[int]) -> list[int]:
    """The links an edit stores: those sent, plus the stored ones the writer was not shown."""
    return sorted(set(sent) | (set(stored) - set(shown)))
