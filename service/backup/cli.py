"""`cadre backup --out FILE` and `cadre restore FILE`."""

import argparse
import asyncio
import sys
from contextlib import ExitStack
from pathlib import Path

from service.config import Settings


def _say(text: str) -> None:
    print(f"· {text} …", flush=True)


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Back up the database, the attachment store and the checkpoints into one verified file."""
    from service.backup.archive import BadArchive
    from service.backup.pgtools import ToolError
    from service.backup.service import backup
    from service.cli import _need_db

    out: Path = args.out.resolve()
    with ExitStack() as stack:
        s = _need_db(settings, stack)  # a running embedded server is used, not stopped
        try:
            manifest = backup(s, out, _say)
        except (ToolError, BadArchive, OSError) as exc:
            print(f"备份失败：{exc}", file=sys.stderr)
            return 1
    files = len(manifest.files)
    print(f"备份完成：{out}（{out.stat().st_size / 1e6:.1f} MB，{files} 个部分，"
          f"结构版本 {manifest.schema_revision}，{sum(manifest.tables.values())} 行，"
          f"审计链头 #{manifest.audit['seq']} {str(manifest.audit['hash'])[:12]}…）")
    return 0


async def _verify_chain(settings: Settings) -> tuple[bool, str]:
    import asyncpg

    from service.audit.service import verify_with_settings
    from service.db import init_connection

    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url)
    try:
        await init_connection(conn)
        report = await verify_with_settings(conn, settings)
    finally:
        await conn.close()
    return report.ok, (f"{report.checked} 条已封链记录完好" if report.ok
                       else f"第 {report.broken_id} 号记录：{report.reason}")


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    """Restore a backup into an empty target, rebuild the index and verify the audit chain."""
    from indexer.reindex import reindex
    from service.backup.archive import BadArchive
    from service.backup.pgtools import ToolError
    from service.backup.service import RestoreRefused, restore
    from service.cli import _need_db
    from service.runtime.stack import DataDirBusy, data_dir_lock, local_stack

    try:
        with ExitStack() as stack:
            stack.enter_context(data_dir_lock(settings.data_dir))  # never under a running serve
            s = _need_db(settings, stack)
            done = restore(s, args.file.resolve(), _say)
            _say("重建检索索引")
            full = stack.enter_context(local_stack(s, stack))
            count = reindex(full, progress=True)
            _say("校验审计链（对照清单中的链头与签名检查点）")
            ok, detail = asyncio.run(_verify_chain(full))
    except (DataDirBusy, RestoreRefused, BadArchive, ToolError) as exc:
        print(f"恢复失败：{exc}", file=sys.stderr)
        return 1
    head = done.manifest.audit
    print(f"恢复完成：{done.tables} 张表 {done.rows} 行（与清单一致），{done.attachments} 个附件，"
          f"检索索引 {count} 个文档，审计链头 #{head['seq']} 与清单一致；审计链校验："
          f"{'通过' if ok else '未通过'}（{detail}）"
          + (f"；数据库已迁移到 {done.migrated_to}" if done.migrated_to else ""))
    return 0 if ok else 1


def add_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Register `cadre backup` and `cadre restore`."""
    b = sub.add_parser("backup", help="备份数据库、附件与审计检查点到一个文件")
    b.add_argument("--out", type=Path, required=True, help="备份文件路径（.tar）")
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="把备份恢复到空的目标（数据库、附件、索引、审计链校验）")
    r.add_argument("file", type=Path, help="cadre backup 生成的文件")
    r.set_defaults(func=cmd_restore)
