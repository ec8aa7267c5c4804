"""`cadre lrmx import|export`: the API's import and export from the command line, with progress bars."""

import argparse
import sys

import anyio
import asyncpg
from tqdm import tqdm

from schemas import clock
from schemas.common import Tier
from schemas.formats import ImportOptions, ImportOut, SelectionIn
from service.config import Settings
from service.forms.cli import Bar, ImportSteps, as_officer, run_import
from service.forms.exporting import register
from service.lrmx import service
from service.lrmx.archive import build_zip
from service.lrmx.exports import selection_ids
from service.principal import Principal


class _Steps(ImportSteps):
    """Preview and apply a .lrmx or zip, each with a bar counting the files."""

    def __init__(self, settings: Settings, args: argparse.Namespace) -> None:
        self.settings = settings
        self.options = ImportOptions(unit_id=args.unit_id, tier=Tier(args.tier) if args.tier else None)

    async def preview(self, pool: asyncpg.Pool, principal: Principal, file_name: str,
                      data: bytes) -> ImportOut:
        """Check and stage the files."""
        with Bar("检查文件") as bar:
            return await service.preview(pool, principal, settings=self.settings, file_name=file_name,
                                         data=data, options=self.options, progress=bar)

    async def apply(self, pool: asyncpg.Pool, principal: Principal, import_id: int) -> ImportOut:
        """Write the staged files."""
        with Bar("写入数据") as bar:
            return await service.apply(pool, principal, settings=self.settings, import_id=import_id,
                                       progress=bar)


async def import_files(settings: Settings, args: argparse.Namespace) -> int:
    """Preview a .lrmx or zip (and apply it with --apply); the report is printed and may be saved."""
    return await run_import(settings, args, steps=_Steps(settings, args),
                            refused="有错误的文件，未写入任何数据。")


async def export_files(settings: Settings, args: argparse.Namespace) -> int:
    """Write the .lrmx of the given cadres, shortlist version or promotion (zip for several)."""

    async def work(pool: asyncpg.Pool, principal: Principal) -> tuple[bytes, int, list[int], str] | int:
        overrides: dict[str, str] = {}
        async with pool.acquire() as conn:
            if args.promotion is not None:
                cadre_id, overrides = await service.promotion_fields(conn, principal, args.promotion)
                ids = [cadre_id]
            else:
                ids = await selection_ids(conn, principal, SelectionIn(
                    cadre_ids=args.cadre_id, shortlist_id=args.shortlist, version=args.version))
            with tqdm(total=len(ids), unit="份", desc="导出任免审批表", file=sys.stderr) as bar:
                files, missing = await service.lrmx_files(conn, principal, settings=settings, cadre_ids=ids,
                                                          overrides=overrides,
                                                          progress=lambda: bar.update(1))
        if not files:
            print("没有可导出的干部（不存在或不在您的管理范围内）", file=sys.stderr)
            return 1
        data = files[0][1] if len(ids) == 1 else build_zip(files)
        serial = await register(pool, principal, kind="lrmx", object_ids=[i for i in ids if i not in missing],
                                data=data, exported_at=clock.now(),
                                details={"files": len(files), "not_found": missing, "via": "cli"})
        return data, len(files), missing, serial

    done = await as_officer(settings, args.as_user, work)
    if isinstance(done, int):
        return done
    data, count, missing, serial = done
    await anyio.Path(args.out).write_bytes(data)
    print(f"已写入 {args.out}：{count} 份，导出编号 {serial}")
    if missing:
        print("未找到（不存在或不在管理范围内）：" + "、".join(str(i) for i in missing))
    return 0
