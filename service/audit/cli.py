"""`cadre audit ...`: verify the chain (against signed checkpoints), seal, checkpoint, make a key."""

import argparse
import asyncio
import json
from contextlib import ExitStack
from pathlib import Path

from service.config import Settings


async def _verify(settings: Settings, path: Path | None, public_key: str | None) -> int:
    import asyncpg

    from service.audit.service import verify_with_settings
    from service.db import init_connection

    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url)
    try:
        await init_connection(conn)
        report = await verify_with_settings(conn, settings, path=path, public_key_hex=public_key)
    finally:
        await conn.close()
    for warning in report.warnings:
        print(f"警告：{warning}")
    anchored = (f"，与 {report.checkpoints_matched} 个签名检查点相符（最后一个在链序号 "
                f"{report.last_good_checkpoint_seq}）" if report.checkpoints_matched
                else "，没有可用的签名检查点")
    if report.ok:
        tail = (f"；另有 {report.unsealed} 条尚待封链（内容与哈希相符，最早 {report.oldest_unsealed_at}）"
                if report.unsealed else "")
        print(f"审计链完整：共校验 {report.checked} 条已封链记录{anchored}{tail}")
        return 0
    print(f"审计链断裂：第 {report.broken_id} 号记录——{report.reason}（此前 {report.checked} 条完好）")
    return 1


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Walk the chain against the checkpoint file (or an auditor's exported copy) and report."""
    with ExitStack() as stack:
        s = _need_db(settings, stack)
        return asyncio.run(_verify(s, args.checkpoints, args.public_key))


async def _seal_and_checkpoint(settings: Settings) -> int:
    from service.audit.sealer import seal_all, signer_of, write_checkpoint
    from service.db import create_pool

    assert settings.database_url
    signer = signer_of(settings)
    pool = await create_pool(settings.database_url, 1, 2)
    try:
        sealed = await seal_all(pool)
        print(f"已封链 {sealed} 条记录")
        if signer is None:
            print("未设置 CADRE_AUDIT_SIGNING_KEY：不写检查点")
            return 1
        cp = await write_checkpoint(pool, signer, settings.audit_checkpoint_path)
        if cp is not None:
            print(f"已写入检查点：链序号 {cp.seq}，记录 {cp.entry_id}，文件 {settings.audit_checkpoint_path}")
        return 0
    finally:
        await pool.close()


def cmd_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    """Seal what is queued and write a signed checkpoint of the head now."""
    with ExitStack() as stack:
        return asyncio.run(_seal_and_checkpoint(_need_db(settings, stack)))


def cmd_keygen(args: argparse.Namespace, settings: Settings) -> int:
    """Print a new checkpoint signing key and its public key."""
    from service.audit.checkpoints import generate_key

    private, public = generate_key()
    print(json.dumps({"CADRE_AUDIT_SIGNING_KEY": private, "public_key": public}, indent=2))
    return 0


def _need_db(settings: Settings, stack: ExitStack) -> Settings:
    from service.cli import _need_db as need

    return need(settings, stack)


def add_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Register `cadre audit verify|checkpoint|keygen`."""
    audit = sub.add_parser("audit", help="审计").add_subparsers(dest="audit_command", required=True)
    verify = audit.add_parser("verify", help="校验审计链（含签名检查点与未封链记录）")
    verify.add_argument("--checkpoints", type=Path,
                        help="检查点文件（默认为设置中的文件；也可用审计员导出的副本）")
    verify.add_argument("--public-key", help="检查点公钥（十六进制；默认由签名密钥推出）")
    verify.set_defaults(func=cmd_verify)
    audit.add_parser("checkpoint", help="立即封链并写入签名检查点").set_defaults(func=cmd_checkpoint)
    audit.add_parser("keygen", help="生成检查点签名密钥").set_defaults(func=cmd_keygen)
