"""`cadre export dossiers`: the batch job's work run from the command line, as a named user."""

import argparse
import sys
from pathlib import Path

import anyio
import asyncpg
from tqdm import tqdm

from schemas.common import Role
from service.access.roles import OFFICE
from service.auth import repo as auth_repo
from service.config import Settings
from service.db import create_pool
from service.errors import DomainError
from service.exports.batch import finalize, unique_ids, write_dossier_zip
from service.principal import Principal
from service.shortlists.pdf import shortlist_cadre_ids


async def _principal(pool: asyncpg.Pool, username: str) -> Principal | None:
    async with pool.acquire() as conn:
        user = await auth_repo.get_user_by_username(conn, username)
    if user is None or not user["active"] or Role(user["role"]) not in OFFICE:
        return None
    return Principal(user["id"], user["username"], user["display_name"], Role(user["role"]), "cli")


async def _cadre_ids(pool: asyncpg.Pool, principal: Principal, args: argparse.Namespace) -> list[int]:
    if args.shortlist is None:
        return unique_ids(args.cadre_id)
    async with pool.acquire() as conn:
        return await shortlist_cadre_ids(conn, principal, position_id=args.shortlist,
                                         version=args.version) or []


async def export_dossiers(settings: Settings, args: argparse.Namespace) -> int:
    """Write the dossiers of the given cadres (or shortlist) into one zip; returns the exit code."""
    assert settings.database_url
    pool = await create_pool(settings.database_url, 1, 4)
    try:
        principal = await _principal(pool, args.as_user)
        if principal is None:
            print(f"用户 {args.as_user} 不存在、已停用，或其角色不能导出（仅干部工作人员和领导可以）",
                  file=sys.stderr)
            return 2
        ids = await _cadre_ids(pool, principal, args)
        if not ids:
            print("没有要导出的干部：请用 --cadre-id 指定，或 --shortlist 与 --version 指定名单",
                  file=sys.stderr)
            return 2
        out = Path(await anyio.Path(args.out).absolute())
        with tqdm(total=len(ids), unit="份", desc="导出干部档案", file=sys.stderr) as bar:

            async def progress(done: int, exported: int, not_found: list[int]) -> bool:
                bar.update(done - bar.n)
                bar.set_postfix(已导出=exported, 未找到=len(not_found))
                return True

            try:
                outcome = await write_dossier_zip(pool, principal, settings=settings, cadre_ids=ids, out=out,
                                                  progress=progress)
            except DomainError as exc:
                print(exc.detail, file=sys.stderr)
                return 1
        finalize(outcome, out)
    finally:
        await pool.close()
    print(f"已写入 {out}：{len(outcome.entries)} 份档案，SHA-256 {outcome.sha256}")
    if outcome.not_found:
        print("未找到（不存在或不在 " + args.as_user + " 的查阅范围内）："
              + "、".join(str(i) for i in outcome.not_found))
    return 0
