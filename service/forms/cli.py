"""The command-line import and export flow shared by `cadre lrmx` and `cadre roster`.

Each command acts as a named officer (scoped and audited like a request); an import previews,
applies with --apply when the preview has no error, and prints the same report.
"""

import argparse
import json
import sys
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

import anyio
import asyncpg
from tqdm import tqdm

from schemas.common import Role
from schemas.formats import ImportOut
from service.auth import repo as auth_repo
from service.config import Settings
from service.db import create_pool
from service.errors import DomainError
from service.principal import Principal

NOT_OFFICER = ("用户 {name} 不存在、已停用，或不是干部工作人员"
               "（只有干部工作人员可以导入导出任免审批表和花名册）")
T = TypeVar("T")
STATUS = {"create": "新建", "update": "修改", "unchanged": "无变化", "error": "有错误"}


async def officer(pool: asyncpg.Pool, username: str) -> Principal | None:
    """The active officer account of that name, or None."""
    async with pool.acquire() as conn:
        user = await auth_repo.get_user_by_username(conn, username)
    if user is None or not user["active"] or Role(user["role"]) is not Role.officer:
        return None
    return Principal(user["id"], user["username"], user["display_name"], Role.officer, "cli")


async def as_officer(settings: Settings, username: str,
                     work: Callable[[asyncpg.Pool, Principal], Awaitable[T]]) -> T | int:
    """Run `work` as the named officer; an exit code (2: not an officer, 1: refused) when it cannot."""
    assert settings.database_url
    pool = await create_pool(settings.database_url, 1, 4)
    try:
        principal = await officer(pool, username)
        if principal is None:
            print(NOT_OFFICER.format(name=username), file=sys.stderr)
            return 2
        return await work(pool, principal)
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        for e in exc.errors or []:
            print(f"  {e.get('field', '')}：{e.get('message', '')}", file=sys.stderr)
        return 1
    finally:
        await pool.close()


def print_report(out: ImportOut) -> None:
    """One line per file or row, then its errors, warnings and changed fields."""
    s = out.summary
    print(f"{out.file_name}：共 {s.files}，新建 {s.create}，修改 {s.update}，"
          f"无变化 {s.unchanged}，有错误 {s.error}")
    for f in out.files:
        print(f"  [{STATUS[f.status]}] {f.name} {f.cadre_name}".rstrip())
        for e in f.errors:
            where = f"第{e.row}行{e.column or ''}列 " if e.row else ""
            print(f"      错误：{where}{e.field}：{e.message}")
        for w in f.warnings + f.checks:
            print(f"      提示：{w.field}：{w.message}")
        for c in f.changes:
            after = c.after.replace("\n", " / ")
            print(f"      {c.field}：{c.before.replace(chr(10), ' / ') or '（空）'} → {after}")


class Bar:
    """A tqdm bar driven by the services' progress callbacks (n > 0 sets the total, 0 ticks)."""

    def __init__(self, desc: str) -> None:
        self.bar = tqdm(total=0, unit="份", desc=desc, file=sys.stderr)

    def __call__(self, n: int) -> None:
        if n:
            self.bar.reset(total=n)
        else:
            self.bar.update(1)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.bar.close()


class ImportSteps(ABC):
    """An import's two service calls with their progress display (a context that closes its bars)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    @abstractmethod
    async def preview(self, pool: asyncpg.Pool, principal: Principal, file_name: str,
                      data: bytes) -> ImportOut:
        """Check and stage the file."""

    @abstractmethod
    async def apply(self, pool: asyncpg.Pool, principal: Principal, import_id: int) -> ImportOut:
        """Write the staged import."""


async def run_import(settings: Settings, args: argparse.Namespace, *, steps: ImportSteps,
                     refused: str) -> int:
    """Preview `args.path` (apply it with --apply when clean), print the report; the exit code."""

    async def work(pool: asyncpg.Pool, principal: Principal) -> ImportOut:
        data = await anyio.Path(args.path).read_bytes()
        with steps:
            out = await steps.preview(pool, principal, Path(args.path).name, data)
            if args.apply and out.summary.error == 0:
                out = await steps.apply(pool, principal, out.id)
        return out

    out = await as_officer(settings, args.as_user, work)
    if isinstance(out, int):
        return out
    print_report(out)
    if getattr(args, "report", None):
        await anyio.Path(args.report).write_text(
            json.dumps(out.model_dump(mode="json"), ensure_ascii=False, indent=1), encoding="utf-8")
    if out.summary.error:
        print(refused, file=sys.stderr)
        return 1
    print("已全部写入。" if out.status == "applied"
          else f"仅预览，未写入（确认后加 --apply；导入编号 {out.id}）。")
    return 0
