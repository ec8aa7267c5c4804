"""Unit of work: one transaction holding the change, its revision, outbox rows and audit entries."""

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import asyncpg

from schemas import clock
from service.audit import repo as audit_repo
from service.principal import Principal
from service.revisions import diff_snapshots

# Reads that run several statements and must see one snapshot ask for repeatable_read.
Isolation = Literal["read_committed", "repeatable_read"]


@dataclass
class UnitOfWork:
    """A transaction in progress on behalf of a principal."""

    conn: asyncpg.Connection
    principal: Principal
    _audit: list[tuple[str, str | None, str | None, dict[str, Any]]] = field(default_factory=list)
    _outbox: set[tuple[str, int]] = field(default_factory=set)

    async def revision(self, entity_type: str, entity_id: int, version: int, action: str,
                       snapshot: dict[str, Any], changes: dict[str, Any] | None = None) -> None:
        """Keep a revision of an entity: who, when, what changed, and the full new state."""
        await self.conn.execute(
            """INSERT INTO revisions (entity_type, entity_id, version, action, actor_id, changes,
                                      snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            entity_type, entity_id, version, action, self.actor_id, changes or {}, snapshot,
        )

    async def record_change(self, entity_type: str, entity_id: int, *, version: int, action: str,
                            snapshot: dict[str, Any], before: dict[str, Any] | None = None,
                            changes: dict[str, Any] | None = None, derived: Iterable[str] = (),
                            reindex: Iterable[tuple[str, int]] = (), audit: str | None = None,
                            details: dict[str, Any] | None = None,
                            audit_object: tuple[str, int] | None = None) -> dict[str, Any]:
        """Record a change in one call: its revision, the search rows to reindex, one audit entry.

        The revision's changes are `diff_snapshots(before, snapshot)` (when `before` is given) plus
        `changes`; the audit action defaults to "<entity_type>.<action>", its object to the entity
        (`audit_object` names another, e.g. the cadre a draft is about) and its details to the
        version. Returns the changes."""
        diff = diff_snapshots(before, snapshot, derived=frozenset(derived)) if before is not None else {}
        diff.update(changes or {})
        await self.revision(entity_type, entity_id, version, action, snapshot, diff)
        for target in reindex:
            self.outbox(*target)
        object_type, object_id = audit_object or (entity_type, entity_id)
        self.audit(audit or f"{entity_type}.{action}", object_type, object_id,
                   {"version": version} if details is None else details)
        return diff

    def outbox(self, entity_type: str, entity_id: int) -> None:
        """Queue a search-index update for the entity, written at commit."""
        self._outbox.add((entity_type, entity_id))

    def audit(self, action: str, object_type: str | None = None, object_id: object = None,
              details: dict[str, Any] | None = None) -> None:
        """Queue an audit entry, written with the transaction's other rows at commit (ID numbers
        in its details masked by audit_repo.insert_entries)."""
        self._audit.append((action, object_type, None if object_id is None else str(object_id),
                            details or {}))

    @property
    def actor_id(self) -> int | None:
        """The acting user's id (None for the system)."""
        return self.principal.user_id or None

    async def flush(self) -> None:
        """Write queued outbox rows and audit entries (called just before commit)."""
        if self._outbox:
            rows = sorted(self._outbox)
            # One round trip; the notification is delivered at commit and wakes the indexer.
            await self.conn.execute(
                """WITH o AS (INSERT INTO outbox (entity_type, entity_id)
                              SELECT * FROM unnest($1::text[], $2::bigint[]))
                   SELECT pg_notify('cadre_outbox', '')""",
                [t for t, _ in rows], [i for _, i in rows])
            self._outbox.clear()
        if self._audit:
            # No lock: the sealer links these into the hash chain after commit.
            at = clock.now()
            await audit_repo.insert_entries(self.conn, [
                audit_repo.NewEntry(at, self.actor_id, self.principal.username, action, object_type,
                                    object_id, self.principal.source_ip, details)
                for action, object_type, object_id, details in self._audit])
            self._audit.clear()


@asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool, principal: Principal, *,
                       isolation: Isolation = "read_committed") -> AsyncIterator[UnitOfWork]:
    """Open a transaction; on success flush outbox and audit, then commit."""
    async with pool.acquire() as conn, conn.transaction(isolation=isolation):
        uow = UnitOfWork(conn, principal)
        yield uow
        await uow.flush()


async def audit_only(pool: asyncpg.Pool, principal: Principal, action: str,
                     object_type: str | None = None, object_id: object = None,
                     details: dict[str, Any] | None = None) -> None:
    """Record a read or other event that changes nothing else; durable when this returns."""
    entry = audit_repo.NewEntry(
        clock.now(), principal.user_id or None, principal.username, action, object_type,
        None if object_id is None else str(object_id), principal.source_ip, details or {})
    async with pool.acquire() as conn:
        # One statement (entry + sealer queue row) commits on its own: one round trip, no BEGIN.
        await audit_repo.insert_entries(conn, [entry])


async def audited_revisions(pool: asyncpg.Pool, principal: Principal, entity_type: str, entity_id: int,
                            revisions: Sequence[Any]) -> None:
    """Record a read of an entity's revisions (they hold whole earlier snapshots): one entry naming
    the entity and the versions returned, `<entity_type>.revisions.read`."""
    await audit_only(pool, principal, f"{entity_type}.revisions.read", entity_type, entity_id,
                     {"versions": [r.version for r in revisions]})
