"""Backup (consistent dump + attachments + manifest) and restore into an empty target, verified."""

import asyncio
import functools
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from schemas import clock
from service.audit import repo as audit_repo
from service.backup import pgtools, repo
from service.backup.archive import DUMP, Manifest, Writer, extract
from service.config import Settings
from service.db import init_connection

ATTACHMENTS = "attachments"
CHECKPOINTS = "audit/checkpoints.jsonl"
Say = Callable[[str], None]


class RestoreRefused(RuntimeError):
    """The target is not empty, not compatible, or the restored data does not match the manifest."""


async def _connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    return conn


async def _audit_head(conn: asyncpg.Connection) -> dict[str, object]:
    head = await audit_repo.head_entry(conn)
    return {"seq": head["seq"] if head else 0, "entry_id": head["entry_id"] if head else None,
            "hash": head["hash"] if head else audit_repo.GENESIS,
            "unsealed": await audit_repo.unsealed_count(conn)}


async def _dump(settings: Settings, dump: Path) -> Manifest:
    """pg_dump inside an exported snapshot; the manifest's counts come from the same snapshot."""
    dsn = settings.owner_database_url
    assert dsn
    conn = await _connect(dsn)
    try:
        snapshot = await repo.export_snapshot(conn)
        major = await repo.server_major(conn)
        manifest = Manifest(created_at=clock.now().isoformat(), postgres_major=major,
                            schema_revision=await repo.schema_revision(conn),
                            tables=await repo.table_counts(conn), audit=await _audit_head(conn))
        tool = pgtools.tool_for("pg_dump", major)
        args, env = pgtools.libpq_args(dsn)
        await asyncio.to_thread(functools.partial(pgtools.run, tool, [
            "--format=custom", "--no-owner", f"--snapshot={snapshot}", "--file", str(dump),
            *args], env=env))
    finally:
        await conn.close()  # ends the snapshot's transaction
    return manifest


def _blobs(root: Path) -> list[Path]:
    """Stored attachment blobs (the staging directory tmp/ holds nothing committed)."""
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "tmp")


def backup(settings: Settings, out: Path, say: Say = print) -> Manifest:
    """Write a backup file: dump first, then the blobs (append-only, so every one it names exists)."""
    parts = out.parent / f".{out.name}.parts-{os.getpid()}"
    partial = out.parent / f".{out.name}.partial-{os.getpid()}"
    parts.mkdir(parents=True, exist_ok=True)
    try:
        say("导出数据库（一致性快照，使用服务器同一主版本的 pg_dump）")
        manifest = asyncio.run(_dump(settings, parts / DUMP))
        writer = Writer(partial)
        writer.add(parts / DUMP, DUMP)
        blobs = _blobs(settings.attachments_dir)
        say(f"复制附件存储（{len(blobs)} 个文件）")
        for blob in blobs:
            writer.add(blob, f"{ATTACHMENTS}/{blob.relative_to(settings.attachments_dir).as_posix()}")
        if settings.audit_checkpoint_path.exists():
            writer.add(settings.audit_checkpoint_path, CHECKPOINTS)
        writer.finish(manifest)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(parts, ignore_errors=True)
    return manifest


@dataclass
class Restored:
    """What a restore did."""

    manifest: Manifest
    tables: int
    rows: int
    attachments: int
    migrated_to: str | None


async def _check_target(settings: Settings, manifest: Manifest) -> int:
    dsn = settings.owner_database_url
    assert dsn
    conn = await _connect(dsn)
    try:
        if await repo.public_table_count(conn):
            raise RestoreRefused("目标数据库不是空的：只能恢复到新建的空数据库"
                                 "（可新建数据库，或换一个空的数据目录）")
        major = await repo.server_major(conn)
        if major < manifest.postgres_major:
            raise RestoreRefused(f"目标 PostgreSQL {major} 比备份来源 {manifest.postgres_major} 旧，无法恢复")
        if not await repo.ensure_app_role(conn):
            raise RestoreRefused("目标集群没有 cadre_app 角色，当前用户也无权创建；请管理员先执行 "
                                 "CREATE ROLE cadre_app NOLOGIN")
        return major
    finally:
        await conn.close()


async def _after_restore(settings: Settings, manifest: Manifest) -> None:
    dsn = settings.owner_database_url
    assert dsn
    conn = await _connect(dsn)
    try:
        await repo.grant_future_tables(conn)
        counts = await repo.table_counts(conn)
        if counts != manifest.tables:
            diff = {t: (manifest.tables.get(t), counts.get(t)) for t in set(counts) | set(manifest.tables)
                    if counts.get(t) != manifest.tables.get(t)}
            raise RestoreRefused(f"恢复后的行数与清单不符：{diff}")
        if await repo.schema_revision(conn) != manifest.schema_revision:
            raise RestoreRefused("恢复后的数据库结构版本与清单不符")
        head = await _audit_head(conn)
        if {k: head[k] for k in ("seq", "hash")} != {k: manifest.audit[k] for k in ("seq", "hash")}:
            raise RestoreRefused(f"审计链头与清单不符：清单 {manifest.audit}，恢复后 {head}")
    finally:
        await conn.close()


def _restore_pg(settings: Settings, major: int, dump: Path, work: Path) -> None:
    tool = pgtools.tool_for("pg_restore", major)
    args, env = pgtools.libpq_args(settings.owner_database_url or "")
    listing = pgtools.run(tool, ["--list", str(dump)], env=env)
    # Default privileges name the source's owner role; the target owner's are set afterwards.
    kept = [line for line in listing.splitlines() if " DEFAULT ACL " not in line]
    (work / "restore.list").write_text("\n".join(kept) + "\n")
    pgtools.run(tool, ["--no-owner", "--exit-on-error", "--single-transaction",
                       f"--use-list={work / 'restore.list'}", *args, str(dump)], env=env)


def restore(settings: Settings, archive: Path, say: Say = print) -> Restored:
    """Check the file, restore the database and attachments into an empty target, verify counts."""
    from service.migrate import upgrade_head

    store = settings.attachments_dir
    if _blobs(store):
        raise RestoreRefused(f"附件目录 {store} 不是空的：只能恢复到空的目标")
    work = settings.data_dir / f".restore-{os.getpid()}"
    try:
        say("校验备份文件（每个部分的 SHA-256）")
        manifest = extract(archive, work)
        major = asyncio.run(_check_target(settings, manifest))
        say(f"恢复数据库（pg_restore {major}，结构版本 {manifest.schema_revision}）")
        _restore_pg(settings, major, work / DUMP, work)
        asyncio.run(_after_restore(settings, manifest))
        say("恢复附件存储")
        count = 0
        if (work / ATTACHMENTS).exists():
            for blob in _blobs(work / ATTACHMENTS):
                target = store / blob.relative_to(work / ATTACHMENTS)
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.replace(blob, target)
                count += 1
        if (work / CHECKPOINTS).exists() and not settings.audit_checkpoint_path.exists():
            settings.audit_checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(work / CHECKPOINTS, settings.audit_checkpoint_path)
        say("检查数据库迁移（备份来自旧版本时升级到当前版本）")
        assert settings.owner_database_url
        upgrade_head(settings.owner_database_url)
        revision = asyncio.run(_revision(settings.owner_database_url))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Restored(manifest, len(manifest.tables), sum(manifest.tables.values()), count,
                    revision if revision != manifest.schema_revision else None)


async def _revision(dsn: str) -> str | None:
    conn = await _connect(dsn)
    try:
        return await repo.schema_revision(conn)
    finally:
        await conn.close()
