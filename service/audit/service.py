"""Verifying the audit chain (sealed links, the unsealed tail, signed checkpoints) and querying it."""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

from schemas.audit import AuditEntryOut, AuditPage, ChainReportOut, CheckpointExport, CheckpointOut
from service.audit import checkpoints, repo
from service.audit.checkpoints import Checkpoint
from service.config import Settings
from service.principal import Principal
from service.uow import audit_only


@dataclass
class ChainReport:
    """Outcome of walking the audit chain."""

    checked: int
    ok: bool
    broken_id: int | None = None
    reason: str = ""
    unsealed: int = 0
    oldest_unsealed_at: datetime | None = None
    checkpoints_matched: int = 0
    last_good_checkpoint_seq: int | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Walk:
    """State of a walk along the chain."""

    prev: str = repo.GENESIS
    seq: int = 0
    checked: int = 0
    matched: int = 0
    last_good: int | None = None
    first_after_good: int | None = None  # entry id of the first link after the last good checkpoint


def _link_problem(row: asyncpg.Record, walk: _Walk) -> str | None:
    """Why this link does not hold, or None."""
    if row["seq"] != walk.seq + 1:
        return "链序号不连续（封链记录被删除或插入）"
    if row["id"] is None:
        return "记录已被删除（链中仍留有它的哈希）"
    digest = repo.entry_digest(row)
    if digest != row["content_hash"]:
        return "内容与其哈希不符（记录被篡改）"
    if row["prev_hash"] != walk.prev:
        return "与上一条记录的链接断开（记录被删除或插入）"
    if repo.chain_hash(walk.prev, digest) != row["hash"]:
        return "链哈希不符"
    return None


def _rewritten(cp: Checkpoint, walk: _Walk, entry_id: int) -> ChainReport:
    first = walk.first_after_good if walk.first_after_good is not None else entry_id
    good = (f"最后一个相符的检查点在链序号 {walk.last_good}" if walk.last_good is not None
            else "此前没有相符的检查点")
    return ChainReport(walk.checked, False, first,
                       f"与签名检查点不符：链序号 {cp.seq} 在 {cp.at} 签名时的哈希与现在不同，"
                       f"链已被改写；{good}，其后第一条记录（第 {first} 号）起不可信",
                       checkpoints_matched=walk.matched, last_good_checkpoint_seq=walk.last_good)


async def verify_chain(conn: asyncpg.Connection, batch: int = 5000,
                       anchors: list[Checkpoint] | None = None) -> ChainReport:
    """Recompute every sealed link (and check it against signed checkpoints), then the unsealed tail.

    `anchors` are checkpoints whose signatures were already checked; with them, a chain that was
    rewritten and re-hashed from some entry on is caught, and the report names the first entry
    after the last checkpoint that still matches.
    """
    by_seq: dict[int, list[Checkpoint]] = {}
    for cp in anchors or []:
        by_seq.setdefault(cp.seq, []).append(cp)
    walk = _Walk()
    while rows := await repo.iterate_chain(conn, walk.seq, batch):
        for row in rows:
            if walk.first_after_good is None:
                walk.first_after_good = row["entry_id"]
            problem = _link_problem(row, walk)
            if problem:
                return ChainReport(walk.checked, False, row["entry_id"], problem,
                                   checkpoints_matched=walk.matched,
                                   last_good_checkpoint_seq=walk.last_good)
            for cp in by_seq.get(row["seq"], []):
                if cp.hash != row["hash"] or cp.entry_id != row["entry_id"]:
                    return _rewritten(cp, walk, row["entry_id"])
                walk.matched += 1
                walk.last_good, walk.first_after_good = cp.seq, None
            walk.prev, walk.seq = row["hash"], row["seq"]
            walk.checked += 1
    beyond = [cp for cp in anchors or [] if cp.seq > walk.seq]
    if beyond:
        cp = min(beyond, key=lambda c: c.seq)
        return ChainReport(walk.checked, False, walk.first_after_good,
                           f"链比签名检查点短：检查点记载链序号 {cp.seq}，现在的链只到 {walk.seq}"
                           "（封链记录被删除）",
                           checkpoints_matched=walk.matched, last_good_checkpoint_seq=walk.last_good)
    return await _check_tail(conn, ChainReport(walk.checked, True, checkpoints_matched=walk.matched,
                                               last_good_checkpoint_seq=walk.last_good))


async def _check_tail(conn: asyncpg.Connection, report: ChainReport) -> ChainReport:
    """Entries not yet sealed: their contents must match their hashes and they must be queued."""
    tail = await repo.unsealed_entries(conn)
    for row in tail:
        if repo.entry_digest(row) != row["content_hash"]:
            report.ok, report.broken_id = False, row["id"]
            report.reason = "未封链记录的内容与其哈希不符（记录被篡改）"
            return report
        if not row["queued"]:
            report.ok, report.broken_id = False, row["id"]
            report.reason = "记录既不在链中也不在待封链队列中（队列被改动）"
            return report
    report.unsealed = len(tail)
    report.oldest_unsealed_at = tail[0]["at"] if tail else None
    return report


def load_anchors(path: Path, public_key_hex: str | None) -> tuple[list[Checkpoint], list[str]]:
    """Checkpoints of a file whose signatures hold, and a warning per one that does not."""
    found, bad_lines = checkpoints.load(path)
    warnings = [f"检查点文件第 {n} 行无法解析" for n in bad_lines]
    if public_key_hex is None:
        return [], warnings + ([f"有 {len(found)} 个检查点，但未提供公钥，无法校验"] if found else [])
    good = [cp for cp in found if checkpoints.valid(cp, public_key_hex)]
    warnings += [f"链序号 {cp.seq} 的检查点签名无效（伪造或损坏）" for cp in found
                 if cp not in good]
    return good, warnings


async def verify_with_settings(conn: asyncpg.Connection, settings: Settings,
                               *, path: Path | None = None, public_key_hex: str | None = None) -> ChainReport:
    """Walk the chain against the checkpoint file of the settings (or a given file and key)."""
    signer = _signer(settings)
    key = public_key_hex or (signer.public_hex if signer else None)
    anchors, warnings = load_anchors(path or settings.audit_checkpoint_path, key)
    report = await verify_chain(conn, anchors=anchors)
    report.warnings = warnings
    if warnings and report.ok:
        # A checkpoint that does not verify is itself evidence of tampering with the file.
        report.ok = False
        report.reason = "；".join(warnings)
    return report


def _signer(settings: Settings) -> checkpoints.Signer | None:
    key = settings.audit_signing_key
    return checkpoints.Signer(key.get_secret_value()) if key is not None else None


async def query(pool: asyncpg.Pool, actor_id: int | None, *, object_types: list[str] | None,
                object_id: str | None, action: str | None, action_exact: bool = False,
                since: datetime | None, until: datetime | None, limit: int,
                offset: int) -> tuple[list[asyncpg.Record], int]:
    """Audit entries matching the filters (action is a literal prefix, or the whole action)."""
    pattern = None if action is None else (
        action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        + ("" if action_exact else "%"))
    async with pool.acquire() as conn:
        return await repo.search(conn, actor_id, object_types, object_id, pattern, since, until,
                                 limit, offset)


@dataclass
class FilterChoices:
    """What the audit page's filters offer: the actions recorded and the accounts by name."""

    actions: list[str]
    accounts: list[tuple[int, str, str]]


async def filter_choices(pool: asyncpg.Pool) -> FilterChoices:
    """The recorded actions and every account (id, display name, username) for an auditor's filters."""
    async with pool.acquire() as conn:
        actions = await repo.recorded_actions(conn)
        accounts = [(r["id"], r["display_name"], r["username"]) for r in await repo.account_names(conn)]
    return FilterChoices(actions, accounts)


async def read_trail(pool: asyncpg.Pool, principal: Principal, *, filters: dict[str, Any],
                     limit: int, offset: int) -> AuditPage:
    """An auditor's query of the trail; the query itself is recorded in the trail."""
    object_type = filters.get("object_type")
    rows, total = await query(pool, filters.get("actor_id"),
                              object_types=filters.get("object_types") or (
                                  [object_type] if object_type is not None else None),
                              object_id=filters.get("object_id"), action=filters.get("action"),
                              action_exact=bool(filters.get("action_exact")),
                              since=filters.get("since"), until=filters.get("until"), limit=limit,
                              offset=offset)
    await audit_only(pool, principal, "audit.read", "audit_log", None,
                     {**{k: v for k, v in filters.items() if v is not None},
                      "limit": limit, "offset": offset, "returned": len(rows)})
    return AuditPage(items=[AuditEntryOut(**dict(r)) for r in rows], total=total, limit=limit,
                     offset=offset)


def report_out(report: ChainReport) -> ChainReportOut:
    """The API form of a chain report."""
    return ChainReportOut(
        checked=report.checked, ok=report.ok, broken_id=report.broken_id, reason=report.reason,
        unsealed=report.unsealed, oldest_unsealed_at=report.oldest_unsealed_at,
        checkpoints_matched=report.checkpoints_matched,
        last_good_checkpoint_seq=report.last_good_checkpoint_seq, warnings=report.warnings)


async def verify_report(pool: asyncpg.Pool, principal: Principal,
                        settings: Settings) -> ChainReportOut:
    """Walk the chain for an auditor and record that it was checked, with the outcome."""
    async with pool.acquire() as conn:
        report = await verify_with_settings(conn, settings)
    await audit_only(pool, principal, "audit.verify", "audit_log", None,
                     {"checked": report.checked, "ok": report.ok, "broken_id": report.broken_id,
                      "unsealed": report.unsealed, "checkpoints_matched": report.checkpoints_matched})
    return report_out(report)


async def export_checkpoints(pool: asyncpg.Pool, principal: Principal,
                             settings: Settings) -> CheckpointExport:
    """Every checkpoint in the file and the public key that verifies them (auditors keep a copy)."""
    found, _ = checkpoints.load(settings.audit_checkpoint_path)
    signer = _signer(settings)
    await audit_only(pool, principal, "audit.checkpoints.export", "audit_log", None,
                     {"returned": len(found)})
    return CheckpointExport(public_key=signer.public_hex if signer else None,
                            items=[CheckpointOut(**cp.__dict__) for cp in found])
