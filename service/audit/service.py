"""Verifying the audit chain and querying it."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from schemas.audit import AuditEntryOut, AuditPage, ChainReportOut
from service.audit import repo
from service.principal import Principal
from service.uow import audit_only


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
    """Audit entries matching the filters (action is a literal prefix)."""
    prefix = None if action is None else (
        action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
    async with pool.acquire() as conn:
        return await repo.search(conn, actor_id, object_type, object_id, prefix, since, until,
                                 limit, offset)


async def read_trail(pool: asyncpg.Pool, principal: Principal, filters: dict[str, Any],
                     limit: int, offset: int) -> AuditPage:
    """An auditor's query of the trail; the query itself is recorded in the trail."""
    rows, total = await query(pool, filters.get("actor_id"), filters.get("object_type"),
                              filters.get("object_id"), filters.get("action"), filters.get("since"),
                              filters.get("until"), limit, offset)
    await audit_only(pool, principal, "audit.read", "audit_log", None,
                     {**{k: v for k, v in filters.items() if v is not None},
                      "limit": limit, "offset": offset, "returned": len(rows)})
    return AuditPage(items=[AuditEntryOut(**dict(r)) for r in rows], total=total, limit=limit,
                     offset=offset)


async def verify_report(pool: asyncpg.Pool, principal: Principal) -> ChainReportOut:
    """Walk the chain for an auditor and record that it was checked, with the outcome."""
    async with pool.acquire() as conn:
        report = await verify_chain(conn)
    await audit_only(pool, principal, "audit.verify", "audit_log", None,
                     {"checked": report.checked, "ok": report.ok, "broken_id": report.broken_id})
    return ChainReportOut(checked=report.checked, ok=report.ok, broken_id=report.broken_id,
                          reason=report.reason)
