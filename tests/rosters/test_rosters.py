"""Excel rosters: export in scope with Chinese headers and real dates, a template with drop-downs,
import by ID number (preview, then all or nothing), and a field-by-field cross-check."""

import io
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from tests.factories import Api, national_id
from tests.xlsx import XLSX, book_bytes, with_raw_row


async def post_file(api: Api, path: str, headers: dict[str, str], data: bytes) -> Any:
    return await api.client.post(path, headers=headers, files={"file": ("花名册.xlsx", data, XLSX)})


async def unit_code(api: Api, unit_id: int) -> str:
    async with api.pool.acquire() as conn:
        code: str = await conn.fetchval("SELECT code FROM units WHERE id = $1", unit_id)
    return code


async def test_export_lists_cadres_in_scope_with_chinese_headers_dates_and_a_sheet_per_unit(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, other = await api.user("officer", [api.units["d2"]])
    a = await api.cadre(officer, api.units["d1_bureau"], name="甲一")
    b = await api.cadre(officer, api.units["d1"], name="乙二")
    await api.cadre(other, api.units["d2_bureau"], name="丙三")
    r = await api.client.post("/api/rosters/export", headers=officer, json={"per_unit": True})
    assert r.status_code == 200, r.text
    assert r.headers["x-export-serial"].startswith("DA-")
    book = load_workbook(io.BytesIO(r.content))
    assert sorted(book.sheetnames) == sorted(["鼓楼区住建局", "鼓楼区"])
    ws = book["鼓楼区住建局"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["姓名", "性别", "出生日期"] and "身份证号" in header and "到龄时间" in header
    row = [c.value for c in ws[2]]
    assert row[0] == "甲一" and row[1] == "男"
    assert isinstance(row[2], datetime) and row[2].date() == date.fromisoformat(a["birth_date"])
    assert row[header.index("身份证号")] == a["national_id"]
    names = {ws.cell(row=2, column=1).value for ws in book.worksheets}
    assert names == {"甲一", "乙二"}
    r = await api.client.post("/api/rosters/export", headers=officer,
                              json={"columns": ["name", "post", "tier"], "cadre_ids": [b["id"]]})
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [["姓名", "职务", "管理类别"],
                                                                  ["乙二", "局长", "区管干部"]]
    _, leader = await api.user("leader", [api.units["d1"]])
    assert (await api.client.post("/api/rosters/export", headers=leader, json={})).status_code == 403


async def test_template_has_drop_down_lists_for_enumerations(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    r = await api.client.get("/api/rosters/template", headers=officer)
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    ws = book["花名册"]
    header = [c.value for c in ws[1]]
    validated = {header[ws[str(rng).split(":")[0]].column - 1] for dv in ws.data_validations.dataValidation
                 for rng in dv.sqref.ranges}
    assert {"性别", "全日制学历", "职务层次", "职级", "管理类别", "状态", "单位代码"} <= validated
    assert book["代码表"].sheet_state == "hidden"


async def test_import_is_previewed_row_by_row_and_applied_all_or_nothing(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    existing = await api.cadre(officer, api.units["d1_bureau"])
    code = await unit_code(api, api.units["d1_bureau"])
    new_id = national_id(date(1985, 2, 3), 77, "female")
    header = ["姓名", "性别", "出生日期", "单位代码", "职务", "管理类别", "身份证号", "全日制学历"]
    good_new = ["孙六", "女", datetime(1985, 2, 3), code, "副局长", "区管干部", new_id, "硕士研究生"]
    update = ["", "", "", "", "局长（主持全面工作）", "", existing["national_id"], ""]
    bad = ["周七", "男", "1990.13.01", "NOPE", "科员", "区管干部", national_id(date(1990, 1, 1), 5), "本科"]
    r = await post_file(api, "/api/rosters/imports", officer, book_bytes([header, good_new, update, bad]))
    assert r.status_code == 201, r.text
    rows = {f["name"]: f for f in r.json()["files"]}
    assert rows["第 2 行"]["status"] == "create" and rows["第 3 行"]["status"] == "update"
    assert rows["第 3 行"]["changes"] == [
        {"field": "职务", "before": "局长", "after": "局长（主持全面工作）"}]
    errors = {(e["column"], e["field"]) for e in rows["第 4 行"]["errors"]}
    assert errors == {("C", "出生日期"), ("D", "单位代码"), ("H", "全日制学历")}
    assert (await api.client.post(r.json()["apply_url"], headers=officer)).status_code == 422
    async with api.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM cadres WHERE national_id = $1", new_id) == 0

    r = await post_file(api, "/api/rosters/imports", officer, book_bytes([header, good_new, update]))
    assert r.json()["summary"]["error"] == 0
    r = await api.client.post(r.json()["apply_url"], headers=officer)
    assert r.status_code == 200, r.text
    created = next(f for f in r.json()["files"] if f["status"] == "create")
    got = (await api.client.get(f"/api/cadres/{created['cadre_id']}", headers=officer)).json()
    assert (got["name"], got["gender"], got["edu_fulltime_level"]) == ("孙六", "female", "master")
    got = (await api.client.get(f"/api/cadres/{existing['id']}", headers=officer)).json()
    assert got["post"] == "局长（主持全面工作）" and got["name"] == existing["name"]


async def test_an_id_number_that_disagrees_with_birth_and_gender_is_an_error_under_its_cell(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    code = await unit_code(api, api.units["d1_bureau"])
    wrong = national_id(date(1975, 6, 1), 9, "female")
    r = await post_file(api, "/api/rosters/imports", officer, book_bytes([
        ["姓名", "性别", "出生日期", "单位代码", "职务", "管理类别", "身份证号"],
        ["吴八", "男", datetime(1980, 1, 1), code, "科员", "区管干部", wrong]]))
    [row] = r.json()["files"]
    assert row["status"] == "error"
    [issue] = row["errors"]
    assert issue["column"] == "G" and issue["field"] == "身份证号" and "不一致" in issue["message"]


async def test_cross_check_lists_every_differing_field_per_person(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    a = await api.cadre(officer, api.units["d1_bureau"], name="郑九")
    b = await api.cadre(officer, api.units["d1_bureau"], name="王十")
    exported = await api.client.post("/api/rosters/export", headers=officer, json={
        "cadre_ids": [a["id"], b["id"]], "columns": ["name", "gender", "birth_date", "post", "national_id"]})
    book = load_workbook(io.BytesIO(exported.content))
    ws = book.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "王十":
            row[3].value = "副局长"
            row[2].value = datetime(1969, 1, 1)
    ws.append(["不存在", "男", datetime(1980, 1, 1), "科员", national_id(date(1980, 1, 1), 499)])
    out = io.BytesIO()
    book.save(out)
    r = await post_file(api, "/api/rosters/check", officer, out.getvalue())
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["same"], report["different"], report["missing"]) == (1, 1, 1)
    differing = next(row for row in report["rows"] if row["status"] == "update")
    assert differing["cadre_name"] == "王十"
    assert {c["field"] for c in differing["changes"]} == {"职务", "出生日期"}
    assert any(e["field"] == "身份证号" and "不一致" in e["message"] for e in differing["errors"])


def with_damaged_cell(data: bytes) -> bytes:
    """The book with a cell whose number is no number: openpyxl fails only while reading rows."""
    return with_raw_row(data, b'<row r="9"><c r="A9" t="n"><v>0x10</v></c></row>')


async def test_a_sheet_with_a_damaged_cell_is_reported_unreadable_and_nothing_is_written(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    code = await unit_code(api, api.units["d1_bureau"])
    data = with_damaged_cell(book_bytes([
        ["姓名", "性别", "出生日期", "单位代码", "职务", "管理类别", "身份证号"],
        ["钱七", "男", datetime(1980, 1, 1), code, "科员", "区管干部", national_id(date(1980, 1, 1), 733)]]))
    async with api.pool.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM cadres")
    for path, status in (("/api/rosters/imports", 201), ("/api/rosters/check", 200)):
        r = await post_file(api, path, officer, data)
        assert r.status_code == status, r.text
        messages = [e["message"] for row in (r.json()["files"] if "files" in r.json() else r.json()["rows"])
                    for e in row["errors"]]
        assert messages == ["无法读取该 Excel 文件（请使用 .xlsx 格式，可先下载导入模板）"], r.text
    async with api.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM cadres") == before
