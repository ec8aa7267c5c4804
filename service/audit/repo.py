"""SQL of the append-only audit trail: entries, the hash chain that seals them, the unsealed queue."""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import asyncpg

from schemas.national_id import mask_deep, mask_national_ids_in

GENESIS = "0" * 64


@dataclass(frozen=True)
class NewEntry:
    """An audit entry as a request writes it (its content hash is computed from these fields)."""

    at: datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    object_type: str | None
    object_id: str | None
    source_ip: str | None
    details: dict[str, Any]


def canonical_content(
    at: datetime, actor_id: int | None, actor_name: str | None, action: str,
    object_type: str | None, object_id: str | None, source_ip: str | None, details: dict[str, Any],
) -> str:
    """The canonical text of an entry's content, hashed into the chain."""
    return json.dumps(
        {"at": at.isoformat(), "actor_id": actor_id, "actor_name": actor_name, "action": action,
         "object_type": object_type, "object_id": object_id, "source_ip": source_ip,
         "details": details},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )


def content_hash(canonical: str) -> str:
    """SHA-256 of canonical content, hex."""
    return hashlib.sha256(canonical.encode()).hexdigest()


def entry_digest(entry: NewEntry | asyncpg.Record) -> str:
    """The content hash of an entry (a new one, or a row read back from audit_log)."""
    if isinstance(entry, NewEntry):
        fields = (entry.at, entry.actor_id, entry.actor_name, entry.action, entry.object_type,
                  entry.object_id, entry.source_ip, entry.details)
    else:
        fields = (entry["at"], entry["actor_id"], entry["actor_name"], entry["action"],
                  entry["object_type"], entry["object_id"], entry["source_ip"], entry["details"])
    return content_hash(canonical_content(*fields))


def chain_hash(prev_hash: str, content_digest: str) -> str:
    """The link hash: SHA-256 of the previous hash followed by this entry's content hash."""
    return hashlib.sha256((prev_hash + content_digest).encode()).hexdigest()


# One statement, no lock: the entries and their places in the sealer's queue.
_INSERT = """
WITH e AS (
  INSERT INTO audit_log (at, actor_id, actor_name, action, object_type, object_id, source_ip,
                         details, content_hash)
  SELECT x.at, x.actor_id, x.actor_name, x.action, x.object_type, x.object_id, x.source_ip,
         x.details::jsonb, x.content_hash
  FROM unnest($1::timestamptz[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
              $7::text[], $8::text[], $9::text[])
       AS x(at, actor_id, actor_name, action, object_type, object_id, source_ip, details, content_hash)
  RETURNING id)
INSERT INTO audit_unsealed (entry_id) SELECT id FROM e RETURNING entry_id"""


async def insert_entries(conn: asyncpg.Connection, entries: Sequence[NewEntry]) -> list[int]:
    """Insert entries with their content hashes, queued for the sealer; their ids."""
    columns: list[list[Any]] = [[] for _ in range(9)]
    for e in entries:
        # The trail can never be erased, so no whole ID number typed anywhere (a search query, a
        # seed reason, a user name tried at sign-in) is written into it: masked here, for every
        # writer. Round-trip details through JSON so what is hashed equals what jsonb hands back.
        text = json.dumps(mask_deep(e.details), ensure_ascii=False, default=str)
        e = replace(e, actor_name=e.actor_name and mask_national_ids_in(e.actor_name))
        entry = NewEntry(e.at, e.actor_id, e.actor_name, e.action, e.object_type, e.object_id,
                         e.source_ip, json.loads(text))
        for column, value in zip(columns, (e.at, e.actor_id, e.actor_name, e.action, e.object_type,
                                           e.object_id, e.source_ip, text, entry_digest(entry)),
                                 strict=True):
            column.append(value)
    rows = await conn.fetch(_INSERT, *columns)
    return sorted(r["entry_id"] for r in rows)


# ----------------------------------------------------------------------------------- sealing

async def try_seal_lock(conn: asyncpg.Connection, lock_key: int, wait: bool) -> bool:
    """Take the sealer's transaction-scoped advisory lock (or report that another sealer holds it)."""
    if wait:
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key)
        return True
    got: bool = await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", lock_key)
    return got


async def chain_head(conn: asyncpg.Connection) -> tuple[int, str]:
    """(seq, hash) of the last sealed link, (0, GENESIS) for an empty chain."""
    row = await conn.fetchrow("SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1")
    return (0, GENESIS) if row is None else (row["seq"], row["hash"])


async def head_entry(conn: asyncpg.Connection) -> asyncpg.Record | None:
    """The last sealed link (seq, entry_id, hash)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT seq, entry_id, hash FROM audit_chain ORDER BY seq DESC LIMIT 1")
    return row


async def pending(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """Committed entries waiting to be sealed, oldest id first, with their content hashes."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT u.entry_id, a.content_hash FROM audit_unsealed u
           JOIN audit_log a ON a.id = u.entry_id ORDER BY u.entry_id LIMIT $1""", limit)
    return rows


async def link(conn: asyncpg.Connection, seqs: list[int], entry_ids: list[int],
               prev_hashes: list[str], hashes: list[str]) -> None:
    """Append chain links and take their entries off the unsealed queue."""
    await conn.execute(
        """INSERT INTO audit_chain (seq, entry_id, prev_hash, hash, sealed_at)
           SELECT s, e, p, h, clock_timestamp()
           FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS x(s, e, p, h)""",
        seqs, entry_ids, prev_hashes, hashes)
    await conn.execute("DELETE FROM audit_unsealed WHERE entry_id = ANY($1::bigint[])", entry_ids)


async def seal_lag(conn: asyncpg.Connection, since: datetime) -> list[float]:
    """Seconds from each entry's time to its sealing, for entries written since a moment."""
    rows = await conn.fetch(
        """SELECT extract(epoch FROM c.sealed_at - a.at)::float8 AS lag FROM audit_chain c
           JOIN audit_log a ON a.id = c.entry_id WHERE a.at >= $1""", since)
    return [r["lag"] for r in rows]


async def unsealed_count(conn: asyncpg.Connection) -> int:
    """Entries in the sealer's queue."""
    n: int = await conn.fetchval("SELECT count(*) FROM audit_unsealed")
    return n


# ----------------------------------------------------------------------------------- reading

async def iterate_chain(conn: asyncpg.Connection, after_seq: int, batch: int) -> list[asyncpg.Record]:
    """Links in chain order after a seq, each with its entry (entry columns NULL when missing)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT c.seq, c.entry_id, c.prev_hash, c.hash, a.id, a.at, a.actor_id, a.actor_name,
                  a.action, a.object_type, a.object_id, a.source_ip, a.details, a.content_hash
           FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.entry_id
           WHERE c.seq > $1 ORDER BY c.seq LIMIT $2""", after_seq, batch)
    return rows


async def unsealed_entries(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Entries not (yet) in the chain, whether queued for the sealer or not."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT a.*, (u.entry_id IS NOT NULL) AS queued FROM audit_log a
           LEFT JOIN audit_unsealed u ON u.entry_id = a.id
           WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.entry_id = a.id) ORDER BY a.id""")
    return rows


async def search(
    conn: asyncpg.Connection, actor_id: int | None, object_types: list[str] | None,
    object_id: str | None, action_like: str | None, since: datetime | None, until: datetime | None,
    limit: int, offset: int,
) -> tuple[list[asyncpg.Record], int]:
    """Entries matching the filters (an object type among `object_types`, the action a LIKE pattern),
    newest first, with their links (NULL while unsealed), and their total."""
    where = """($1::bigint IS NULL OR actor_id = $1) AND ($2::text[] IS NULL OR object_type = ANY($2))
      AND ($3::text IS NULL OR object_id = $3) AND ($4::text IS NULL OR action LIKE $4)
      AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)"""
    args = (actor_id, object_types, object_id, action_like, since, until)
    total: int = await conn.fetchval(f"SELECT count(*) FROM audit_log WHERE {where}", *args)
    rows = await conn.fetch(
        f"""SELECT a.*, c.seq, c.prev_hash, c.hash FROM
              (SELECT * FROM audit_log WHERE {where} ORDER BY id DESC LIMIT $7 OFFSET $8) a
            LEFT JOIN audit_chain c ON c.entry_id = a.id ORDER BY a.id DESC""",
        *args, limit, offset,
    )
    return rows, total


async def recorded_actions(conn: asyncpg.Connection) -> list[str]:
    """Every distinct action in the trail, by a skip scan of the action index (one probe per action)."""
    rows = await conn.fetch(
        """WITH RECURSIVE a(action) AS (
             SELECT min(action) FROM audit_log
             UNION ALL
             SELECT (SELECT min(l.action) FROM audit_log l WHERE l.action > a.action)
             FROM a WHERE a.action IS NOT NULL)
           SELECT action FROM a WHERE action IS NOT NULL ORDER BY action""")
    return [r["action"] for r in rows]


async def account_names(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every account's id, display name and username (an auditor picks an actor by name)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, display_name, username FROM users ORDER BY display_name, username")
    return rows
