"""`cadre lrmx import|export`: the API's import and export from the command line, with progress bars."""

import argparse
import json
import sys
from pathlib import Path

import anyio
from tqdm import tqdm

from schemas.common import Tier
from schemas.formats import ImportOptions, ImportOut, SelectionIn
from service.config import Settings
from service.db import create_pool
from service.errors import DomainError
from service.forms.cli_user import NOT_OFFICER, officer
from service.forms.exporting import register
from service.lrmx import service
from service.lrmx.archive import build_zip
from service.lrmx.exports import selection_ids

STATUS = {"create": "新建", "update": "修改", "unchanged": "无变化", "error": "有错误"}


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

    def close(self) -> None:
        """Finish the bar."""
        self.bar.close()


async def import_files(settings: Settings, args: argparse.Namespace) -> int:
    """Preview a .lrmx or zip (and apply it with --apply); the report is printed and may be saved."""
    assert settings.database_url
    pool = await create_pool(settings.database_url, 1, 4)
    try:
        principal = await officer(pool, args.as_user)
        if principal is None:
            print(NOT_OFFICER.format(name=args.as_user), file=sys.stderr)
            return 2
        data = await anyio.Path(args.path).read_bytes()
        options = ImportOptions(unit_id=args.unit_id, tier=Tier(args.tier) if args.tier else None)
        bar = Bar("检查文件")
        try:
            out = await service.preview(pool, principal, settings=settings, file_name=Path(args.path).name,
                                        data=data,
                                        options=options, progress=bar)
            bar.close()
            if args.apply and out.summary.error == 0:
                bar = Bar("写入数据")
                out = await service.apply(pool, principal, settings=settings, import_id=out.id, progress=bar)
                bar.close()
        except DomainError as exc:
            bar.close()
            print(exc.detail, file=sys.stderr)
            for e in exc.errors or []:
                print(f"  {e.get('field', '')}：{e.get('message', '')}", file=sys.stderr)
            return 1
    finally:
        await pool.close()
    print_report(out)
    if args.report:
        await anyio.Path(args.report).write_text(
            json.dumps(out.model_dump(mode="json"), ensure_ascii=False, indent=1), encoding="utf-8")
    if out.summary.error:
        print("有错误的文件，未写入任何数据。", file=sys.stderr)
        return 1
    print("已全部写入。" if out.status == "applied"
          else f"仅预览，未写入（确认后加 --apply；导入编号 {out.id}）。")
    return 0


async def export_files(settings: Settings, args: argparse.Namespace) -> int:
    """Write the .lrmx of the given cadres, shortlist version or promotion (zip for several)."""
    from schemas import clock

    assert settings.database_url
    pool = await create_pool(settings.database_url, 1, 4)
    try:
        principal = await officer(pool, args.as_user)
        if principal is None:
            print(NOT_OFFICER.format(name=args.as_user), file=sys.stderr)
            return 2
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
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    finally:
        await pool.close()
    await anyio.Path(args.out).write_bytes(data)
    print(f"已写入 {args.out}：{len(files)} 份，导出编号 {serial}")
    if missing:
        print("未找到（不存在或不在管理范围内）：" + "、".join(str(i) for i in missing))
    return 0
