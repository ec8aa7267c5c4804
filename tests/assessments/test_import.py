"""Importing a period's scores from .xlsx: a row-level report and nothing applied, or everything applied."""

import io
from typing import Any

from openpyxl import load_workbook

from tests.assessments.helpers import districts, period
from tests.factories import Api
from tests.xlsx import XLSX, book_bytes, with_raw_row


async def _setup(api: Api) -> dict[str, Any]:
    _, officer = await api.user("officer", [api.units["city"]])
    units = await districts(api, ["甲区", "乙区", "丙区"])
    p = await period(api, officer, [u["id"] for u in units])
    return {"officer": officer, "units": units, "period": p,
            "url": f"/api/assessments/periods/{p['id']}/import"}


async def _stored(api: Api, period_id: int) -> int:
    n: int = await api.pool.fetchval("SELECT count(*) FROM assessment_scores WHERE period_id = $1", period_id)
    return n


async def test_one_bad_row_rejects_the_whole_sheet_with_a_row_report(api: Api) -> None:
    w = await _setup(api)
    a, b, c = w["units"]
    data = book_bytes([["单位代码", "单位名称", "经济运行", "项目签约落地", "城市更新"],
                       [a["code"], a["name"], 90, 85.5, 80],
                       [b["code"], b["name"], 120, 80, 80],          # above the maximum
                       ["NOPE-UNIT", "无此单位", 80, 80, 80],        # unknown unit
                       [a["code"], a["name"], 70, "很好", 80],       # duplicate unit, not a number
                       [c["code"], c["name"], 80, 80, 80.123]])      # three decimals
    r = await api.client.post(w["url"], headers=w["officer"],
                              files={"file": ("2024Q3得分.xlsx", data, XLSX)})
    assert r.status_code == 422, r.text
    assert "未导入任何数据" in r.json()["detail"]
    report = {(e["row"], e["column"]): e["message"] for e in r.json()["errors"]}
    assert "0 到 100" in report[(3, "C")]
    assert "不存在" in report[(4, "A")]
    assert "重复" in report[(5, "A")] and "第 2 行" in report[(5, "A")]
    assert report[(5, "D")] == "得分必须是数字"
    assert report[(6, "E")] == "得分最多保留两位小数"
    assert all(e["row"] != 2 for e in r.json()["errors"])
    assert await _stored(api, w["period"]["id"]) == 0


async def test_a_valid_sheet_is_applied_in_one_go(api: Api) -> None:
    w = await _setup(api)
    # An indicator named by its code works too.
    rows: list[list[Any]] = [["单位代码", "经济运行", "project", "城市更新"]]
    rows += [[u["code"], 90 - n, 80 + n, 70.5] for n, u in enumerate(w["units"])]
    r = await api.client.post(w["url"], headers=w["officer"],
                              files={"file": ("s.xlsx", book_bytes(rows), XLSX)})
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 9 and r.json()["updated"] == 0
    assert await _stored(api, w["period"]["id"]) == 9
    board = (await api.client.get(f"/api/assessments/periods/{w['period']['id']}/board",
                                  headers=w["officer"])).json()
    assert all(row["complete"] for row in board["rows"])
    again = await api.client.post(w["url"], headers=w["officer"],
                                  files={"file": ("s.xlsx", book_bytes(rows), XLSX)})
    assert again.status_code == 200 and again.json()["unchanged"] == 9
    audited = await api.pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'assessment.import' "
                                      "AND object_id = $1", str(w["period"]["id"]))
    assert audited == 1


async def test_header_problems_are_reported_on_row_one(api: Api) -> None:
    w = await _setup(api)
    data = book_bytes([["单位代码", "经济运行", "城市更新", "营商环境"], [w["units"][0]["code"], 1, 2, 3]])
    r = await api.client.post(w["url"], headers=w["officer"], files={"file": ("s.xlsx", data, XLSX)})
    assert r.status_code == 422
    messages = [(e["row"], e["message"]) for e in r.json()["errors"]]
    assert (1, "未知的列“营商环境”：表头应为单位代码、单位名称或本考核期的指标") in messages
    # The missing column is named as the template heads it, by the indicator's name alone.
    assert (1, "缺少指标“项目签约落地”的列") in messages


async def test_only_xlsx_is_accepted_and_only_for_drafts(api: Api) -> None:
    w = await _setup(api)
    r = await api.client.post(w["url"], headers=w["officer"],
                              files={"file": ("s.xlsx", b"%PDF-1.4 not a sheet", XLSX)})
    assert r.status_code == 415
    _, leader = await api.user("leader", [api.units["city"]])
    r = await api.client.post(w["url"], headers=leader, files={"file": ("s.xlsx", book_bytes([["x"]]), XLSX)})
    assert r.status_code == 403


async def test_template_lists_the_compared_units_and_indicators(api: Api) -> None:
    w = await _setup(api)
    r = await api.client.get(f"/api/assessments/periods/{w['period']['id']}/import-template",
                             headers=w["officer"])
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ["单位代码", "单位名称", "经济运行", "项目签约落地", "城市更新"]
    assert sorted(row[0] for row in rows[1:]) == sorted(u["code"] for u in w["units"])
    filled = [[row[0], row[1], 80, 80, 80] for row in rows[1:]]
    done = await api.client.post(w["url"], headers=w["officer"], files={"file": (
        "t.xlsx", book_bytes([list(rows[0]), *filled]), XLSX)})
    assert done.status_code == 200 and done.json()["created"] == 9


def damaged_cell(data: bytes) -> bytes:
    """The sheet with a cell whose reference is no reference: openpyxl fails only while reading rows."""
    return with_raw_row(data, b'<row r="9"><c r="A-1"><v>1</v></c></row>')


async def test_a_damaged_or_truncated_sheet_is_refused_with_a_reason_not_a_500(api: Api) -> None:
    w = await _setup(api)
    a = w["units"][0]
    good = book_bytes([["单位代码", "单位名称", "经济运行", "项目签约落地", "城市更新"],
                       [a["code"], a["name"], 90, 85, 80]])
    r = await api.client.post(w["url"], headers=w["officer"],
                              files={"file": ("s.xlsx", damaged_cell(good), XLSX)})
    assert r.status_code == 422, r.text
    assert [e["message"] for e in r.json()["errors"]] == ["无法读取该 Excel 文件，请使用下载的模板填写"]
    # A zip cut short is no .xlsx: the answer names the one accepted type, not the attachment list.
    r = await api.client.post(w["url"], headers=w["officer"],
                              files={"file": ("s.xlsx", good[: len(good) // 2], XLSX)})
    assert r.status_code == 415 and r.json()["detail"] == "请上传 Excel 表格（.xlsx）"
    assert await _stored(api, w["period"]["id"]) == 0
