"""`cadre lrmx import|export` and `cadre roster import|export`: the API's work from the command line,
as a named officer, with progress bars and a printed report."""

import asyncio
import io
import zipfile
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from service.config import Settings
from service.lrmx.archive import build_zip
from tests.exports.test_cli_export import cadre_cli
from tests.factories import Api, national_id
from tests.lrmx.samples import lrmx


async def test_lrmx_import_previews_then_applies_and_export_writes_a_zip(
        api: Api, settings: Settings, tmp_path: Path) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    me = (await api.client.get("/api/auth/me", headers=officer)).json()
    files = [(f"{n}.lrmx", lrmx(name=f"钱{n}", birth="198102",
                                id_number=national_id(date(1981, 2, 1 + n), 300 + n)).encode())
             for n in range(3)]
    upload = tmp_path / "三人.zip"
    upload.write_bytes(build_zip(files))
    args = ["lrmx", "import", str(upload), "--as", me["username"], "--unit-id", str(api.units["d1_bureau"]),
            "--tier", "district_managed"]
    done = await asyncio.to_thread(cadre_cli, settings, *args)
    assert done.returncode == 0, done.stderr
    assert "检查文件" in done.stderr and "3/3" in done.stderr, "tqdm progress bar"
    assert "新建 3" in done.stdout and "仅预览" in done.stdout
    async with api.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM cadres WHERE name LIKE '钱_'") == 0
    report = tmp_path / "r.json"
    done = await asyncio.to_thread(cadre_cli, settings, *args, "--apply", "--report", str(report))
    assert done.returncode == 0, done.stderr
    assert "写入数据" in done.stderr and "已全部写入" in done.stdout
    cadre_ids = [r["id"] for r in await api.pool.fetch("SELECT id FROM cadres WHERE name LIKE '钱_'")]
    assert len(cadre_ids) == 3 and '"status": "applied"' in report.read_text(encoding="utf-8")
    out = tmp_path / "导出.zip"
    args = ["lrmx", "export", "--as", me["username"], "--out", str(out)]
    for cid in cadre_ids:
        args += ["--cadre-id", str(cid)]
    done = await asyncio.to_thread(cadre_cli, settings, *args)
    assert done.returncode == 0, done.stderr
    assert "导出任免审批表" in done.stderr and "3 份" in done.stdout
    assert sorted(zipfile.ZipFile(out).namelist()) == ["钱0.lrmx", "钱1.lrmx", "钱2.lrmx"]


async def test_roster_export_and_import_from_the_command_line(api: Api, settings: Settings,
                                                              tmp_path: Path) -> None:
    _, officer = await api.user("officer", [api.units["d2"]])
    me = (await api.client.get("/api/auth/me", headers=officer)).json()
    await api.cadre(officer, api.units["d2_bureau"], name="孔一")
    out = tmp_path / "花名册.xlsx"
    done = await asyncio.to_thread(cadre_cli, settings, "roster", "export", "--as", me["username"], "--out",
                                   str(out), "--columns", "name,post,national_id", "--unit-id",
                                   str(api.units["d2"]))
    assert done.returncode == 0, done.stderr
    book = load_workbook(io.BytesIO(out.read_bytes()))
    ws = book.worksheets[0]
    assert [c.value for c in ws[1]] == ["姓名", "职务", "身份证号"]
    ws.cell(row=2, column=2, value="局长兼总工程师")
    book.save(out)
    done = await asyncio.to_thread(cadre_cli, settings, "roster", "import", str(out), "--as", me["username"],
                                   "--apply")
    assert done.returncode == 0, done.stderr
    assert "修改 1" in done.stdout and "局长 → 局长兼总工程师" in done.stdout
    _, researcher = await api.user("researcher")
    who = (await api.client.get("/api/auth/me", headers=researcher)).json()["username"]
    done = await asyncio.to_thread(cadre_cli, settings, "roster", "export", "--as", who, "--out", str(out))
    assert done.returncode == 2 and "不是干部工作人员" in done.stderr
