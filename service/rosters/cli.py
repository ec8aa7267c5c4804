"""`cadre roster import|export`: rosters from the command line, as a named officer, with progress bars."""

import argparse
import sys
from types import TracebackType
from typing import Self

import anyio
import asyncpg
from fastapi import Response
from tqdm import tqdm

from schemas.common import Tier
from schemas.formats import ImportOut, RosterExportIn
from service.config import Settings
from service.forms.cli import ImportSteps, as_officer, run_import
from service.principal import Principal
from service.rosters import service


async def export_roster(settings: Settings, args: argparse.Namespace) -> int:
    """Write the roster of the cadres in the officer's scope matching the filters."""

    async def work(pool: asyncpg.Pool, principal: Principal) -> Response:
        body = RosterExportIn(columns=[c for c in (args.columns or "").split(",") if c],
                              unit_id=args.unit_id, tier=Tier(args.tier) if args.tier else None,
                              per_unit=args.per_unit)
        with tqdm(total=1, unit="份", desc="导出花名册", file=sys.stderr) as bar:
            response = await service.export_roster(pool, principal, body)
            bar.update(1)
        return response

    response = await as_officer(settings, args.as_user, work)
    if isinstance(response, int):
        return response
    await anyio.Path(args.out).write_bytes(bytes(response.body))
    print(f"已写入 {args.out}，导出编号 {response.headers['x-export-serial']}")
    return 0


class _Steps(ImportSteps):
    """Preview and apply a roster under one bar counting the steps."""

    def __init__(self, settings: Settings, args: argparse.Namespace) -> None:
        self.settings = settings
        self.total = 2 if args.apply else 1

    def __enter__(self) -> Self:
        self.bar = tqdm(total=self.total, unit="步", desc="导入花名册", file=sys.stderr)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.bar.close()

    async def preview(self, pool: asyncpg.Pool, principal: Principal, file_name: str,
                      data: bytes) -> ImportOut:
        """Check the rows and stage the roster."""
        out = await service.preview(pool, principal, settings=self.settings, file_name=file_name, data=data)
        self.bar.update(1)
        return out

    async def apply(self, pool: asyncpg.Pool, principal: Principal, import_id: int) -> ImportOut:
        """Write the staged rows."""
        out = await service.apply(pool, principal, settings=self.settings, import_id=import_id)
        self.bar.update(1)
        return out


async def import_roster(settings: Settings, args: argparse.Namespace) -> int:
    """Preview a filled roster (and apply it with --apply), printing the row/column report."""
    return await run_import(settings, args, steps=_Steps(settings, args),
                            refused="花名册有错误，未写入任何数据。")
