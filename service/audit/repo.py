"""SQL of the append-only, hash-chained audit trail."""

import hashlib
import json
from datetime import datetime
from typing import Any

import asyncpg

GENESIS = "0" * 64


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


def chain_hash(prev_hash: str, content_digest: str) -> str:
    """The link hash: SHA-256 of the previous hash followed by this entry's content hash."""
    return hashlib.sha256((prev_hash + content_digest).encode()).hexdigest()


async def append(
    conn: asyncpg.Connection, at: datetime, actor_id: int | None, actor_name: str | None,
    action: str, object_type: str | None, object_id: str | None, source_ip: str | None,
    details: dict[str, Any],
) -> int:
    """Append one entry; the database function chains it under an advisory lock."""
    # Round-trip details through JSON so what is hashed equals what jsonb will hand back.
    details = json.loads(json.dumps(details, ensure_ascii=False, default=str))
    digest = content_hash(canonical_content(at, actor_id, actor_name, action, object_type,
                                            object_id, source_ip, details))
    entry_id: int = await conn.fetchval(
        "SELECT audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        at, actor_id, actor_name, action, object_type, object_id, source_ip, details, digest,
    )
    return entry_id


async def iterate(conn: asyncpg.Connection, after_id: int, batch: int) -> list[asyncpg.Record]:
    """A batch of entries in chain order after the given id."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT * FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2", after_id, batch
    )
    return rows


async def search(
    conn: asyncpg.Connection, actor_id: int | None, object_type: str | None,
    object_id: str | None, action: str | None, since: datetime | None, until: datetime | None,
    limit: int, offset: int,
) -> tuple[list[asyncpg.Record], int]:
    """Entries matching the filters, newest first, and their total."""
    where = """($1::bigint IS NULL OR actor_id = $1) AND ($2::text IS NULL OR object_type = $2)
      AND ($3::text IS NULL OR object_id = $3) AND ($4::text IS NULL OR action LIKE $4 || '%')
      AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)"""
    args = (actor_id, object_type, object_id, action, since, until)
    total: int = await conn.fetchval(f"SELECT count(*) FROM audit_log WHERE {where}", *args)
    rows = await conn.fetch(
        f"SELECT * FROM audit_log WHERE {where} ORDER BY id DESC LIMIT $7 OFFSET $8",
        *args, limit, offset,
    )
    return rows, total
