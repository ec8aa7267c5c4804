"""`cadre roster import|export`: rosters from the command line, as a named officer, with progress bars."""

import argparse
import sys
from pathlib import Path

import anyio
from tqdm import tqdm

from schemas.common import Tier
from schemas.formats import RosterExportIn
from service.config import Settings
from service.db import create_pool
from service.errors import DomainError
from service.forms.cli_user import NOT_OFFICER, officer
from service.lrmx.cli import print_report
from service.rosters import service


async def export_roster(settings: Settings, args: argparse.Namespace) -> int:
    """Write the roster of the cadres in the officer's scope matching the filters."""
    assert settings.database_url
    pool = await create_pool(settings.database_url, 1, 4)
    try:
        principal = await officer(pool, args.as_user)
        if principal is None:
            print(NOT_OFFICER.format(name=args.as_user), file=sys.stderr)
            return 2
        body = RosterExportIn(columns=[c for c in (args.columns or "").split(",") if c],
                              unit_id=args.unit_id, tier=Tier(args.tier) if args.tier else None,
                              per_unit=args.per_unit)
        with tqdm(total=1, unit="份", desc="导出花名册", file=sys.stderr) as bar:
            response = await service.export_roster(pool, principal, body)
            bar.update(1)
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    finally:
        await pool.close()
    await anyio.Path(args.out).write_bytes(bytes(response.body))
    print(f"已写入 {args.out}，导出编号 {response.headers['x-export-serial']}")
    return 0


async def import_roster(settings: Settings, args: argparse.Namespace) -> int:
    """Preview a filled roster (and apply it with --apply), printing the row/column report."""
    assert settings.database_url
    pool = await create_pool(settings.database_url, 1, 4)
    try:
        principal = await officer(pool, args.as_user)
        if principal is None:
            print(NOT_OFFICER.format(name=args.as_user), file=sys.stderr)
            return 2
        data = await anyio.Path(args.path).read_bytes()
        with tqdm(total=2 if args.apply else 1, unit="步", desc="导入花名册", file=sys.stderr) as bar:
            out = await service.preview(pool, principal, settings=settings, file_name=Path(args.path).name,
                                        data=data)
            bar.update(1)
            if args.apply and out.summary.error == 0:
                out = await service.apply(pool, principal, settings=settings, import_id=out.id)
                bar.update(1)
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    finally:
        await pool.close()
    print_report(out)
    if out.summary.error:
        print("花名册有错误，未写入任何数据。", file=sys.stderr)
        return 1
    print("已全部写入。" if out.status == "applied"
          else f"仅预览，未写入（确认后加 --apply；导入编号 {out.id}）。")
    return 0
