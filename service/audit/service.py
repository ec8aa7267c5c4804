"""Verifying the audit chain and querying it."""

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from service.audit import repo


@dataclass
class ChainReport:
    """Outcome of walking the audit chain."""

    checked: int
    ok: bool
    broken_id: int | None = None
    reason: str = ""


async def verify_chain(conn: asyncpg.Connection, batch: int = 5000) -> ChainReport:
    """Recompute every entry's content hash and link; report the first broken one."""
    prev = repo.GENESIS
    after = 0
    checked = 0
    while rows := await repo.iterate(conn, after, batch):
        for row in rows:
            digest = repo.content_hash(repo.canonical_content(
                row["at"], row["actor_id"], row["actor_name"], row["action"], row["object_type"],
                row["object_id"], row["source_ip"], row["details"]))
            if digest != row["content_hash"]:
                return ChainReport(checked, False, row["id"], "内容与其哈希不符（记录被篡改）")
            if row["prev_hash"] != prev:
                return ChainReport(checked, False, row["id"], "与上一条记录的链接断开（记录被删除或插入）")
            if repo.chain_hash(prev, digest) != row["hash"]:
                return ChainReport(checked, False, row["id"], "链哈希不符")
            prev = row["hash"]
            after = row["id"]
            checked += 1
    return ChainReport(checked, True)


async def query(pool: asyncpg.Pool, actor_id: int | None, object_type: str | None,
                object_id: str | None, action: str | None, since: datetime | None,
                until: datetime | None, limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
    """Audit entries matching the filters."""
    async with pool.acquire() as conn:
        return await repo.search(conn, actor_id, object_type, object_id, action, since, until,
                                 limit, offset)
