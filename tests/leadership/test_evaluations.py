"""Democratic evaluation rounds through the API and from .xlsx (all-or-nothing with a row report)."""

import io
from typing import Any

from tests.factories import Api
from tests.leadership.helpers import bureau_team
from tests.xlsx import XLSX, book_bytes


async def _rounds(api: Api, w: dict[str, Any]) -> int:
    n: int = await api.pool.fetchval("SELECT count(*) FROM evaluation_rounds WHERE unit_id = $1", w["bureau"])
    return n


def _round(w: dict[str, Any], votes: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"unit_id": w["bureau"], "name": "2025年度班子民主测评", "held_on": "2025-12-20",
            "votes": votes, **extra}


async def test_a_round_stores_votes_and_answers_counts_and_rates_per_subject(api: Api) -> None:
    w = await bureau_team(api)
    body = _round(w, [
        {"rater_category": "leadership", "counts": {"excellent": 4, "competent": 1}},
        {"cadre_id": w["head"]["id"], "rater_category": "leadership",
         "counts": {"excellent": 3, "competent": 2, "basically_competent": 0, "incompetent": 0}},
        {"cadre_id": w["head"]["id"], "rater_category": "staff",
         "counts": {"excellent": 20, "competent": 9, "basically_competent": 1, "incompetent": 0}},
        {"cadre_id": w["deputy"]["id"], "rater_category": "staff",
         "counts": {"approve": 25, "disapprove": 1, "unknown": 4}}])
    r = await api.client.post("/api/leadership/evaluations", headers=w["officer"], json=body)
    assert r.status_code == 201, r.text
    subjects = {s["name"]: s for s in r.json()["subjects"]}
    head = subjects["现局长乙"]["overall"]
    assert head["total"] == 35 and head["favourable_rate"] == "97.14"
    assert [x["rate"] for x in head["rates"]] == ["65.71", "31.43", "2.86", "0.00"]
    assert subjects["副局长丙"]["overall"]["scale"] == "approval"
    assert subjects["副局长丙"]["overall"]["favourable_rate"] == "83.33"
    assert subjects["领导班子整体"]["overall"]["rates"][0]["rate"] == "80.00"
    listed = await api.client.get("/api/leadership/evaluations", headers=w["officer"],
                                  params={"unit_id": w["bureau"]})
    assert [x["id"] for x in listed.json()] == [r.json()["id"]]
    assert await api.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'evaluation_round.read'") >= 1


async def test_a_round_refuses_non_members_duplicates_and_mixed_scales_naming_the_field(api: Api) -> None:
    w = await bureau_team(api)
    bad = _round(w, [
        {"cadre_id": w["clerk"]["id"], "rater_category": "staff", "counts": {"excellent": 1}},
        {"cadre_id": w["head"]["id"], "rater_category": "staff", "counts": {"excellent": 1}},
        {"cadre_id": w["head"]["id"], "rater_category": "staff", "counts": {"competent": 1}},
        {"cadre_id": w["deputy"]["id"], "rater_category": "staff", "counts": {"excellent": 1}},
        {"cadre_id": w["deputy"]["id"], "rater_category": "middle", "counts": {"approve": 1}}])
    r = await api.client.post("/api/leadership/evaluations", headers=w["officer"], json=bad)
    assert r.status_code == 422, r.text
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"votes[0].cadre_id", "votes[2].rater_category", "votes[3].counts", "votes[4].counts"} <= fields
    mixed = _round(w, [{"rater_category": "staff", "counts": {"excellent": 1, "approve": 1}}])
    r = await api.client.post("/api/leadership/evaluations", headers=w["officer"], json=mixed)
    assert r.status_code == 422
    assert await _rounds(api, w) == 0
    _, other = await api.user("officer", [api.units["d2"]])
    ok = _round(w, [{"rater_category": "staff", "counts": {"excellent": 1}}])
    assert (await api.client.post("/api/leadership/evaluations", headers=other, json=ok)).status_code == 404


def _sheet(rows: list[list[object]]) -> bytes:
    return book_bytes([["干部编号", "姓名", "测评人类别", "优秀", "称职", "基本称职", "不称职",
                        "认同", "不认同", "不了解"], *rows])


async def _import(api: Api, w: dict[str, Any], data: bytes) -> Any:
    return await api.client.post(
        "/api/leadership/evaluations/import", headers=w["officer"],
        params={"unit_id": w["bureau"], "name": "导入测评", "held_on": "2025-12-20"},
        files={"file": ("测评.xlsx", data, XLSX)})


async def test_an_imported_sheet_with_a_bad_row_changes_nothing_and_reports_row_and_column(api: Api) -> None:
    w = await bureau_team(api)
    r = await _import(api, w, _sheet([
        ["班子", "领导班子整体", "班子成员", 4, 1, 0, 0],
        [w["head"]["id"], "现局长乙", "一般干部职工", 20, "九", 1, 0],
        [w["clerk"]["id"], "主任丁", "一般干部职工", 1, 0, 0, 0],
        [w["deputy"]["id"], "副局长丙", "群众", None, None, None, None, 5, 0, 1]]))
    assert r.status_code == 422, r.text
    report = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert (3, "E") in report and (5, "C") in report
    assert await _rounds(api, w) == 0
    r = await _import(api, w, _sheet([
        ["班子", "领导班子整体", "班子成员", 4, 1, 0, 0],
        [w["head"]["id"], "现局长乙", "一般干部职工", 20, 9, 1, 0],
        [w["clerk"]["id"], "主任丁", "一般干部职工", 1, 0, 0, 0]]))
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 4  # not a member on 2025-12-20
    r = await _import(api, w, _sheet([
        ["班子", "领导班子整体", "班子成员", 4, 1, 0, 0],
        [w["head"]["id"], "现局长乙", "一般干部职工", 20, 9, 1, 0],
        [w["deputy"]["id"], "副局长丙", "一般干部职工", None, None, None, None, 5, 0, 1]]))
    assert r.status_code == 201, r.text
    names = {s["name"]: s["overall"]["favourable_rate"] for s in r.json()["subjects"]}
    assert names == {"领导班子整体": "100.00", "现局长乙": "96.67", "副局长丙": "83.33"}


async def test_the_template_lists_the_current_members(api: Api) -> None:
    w = await bureau_team(api)
    r = await api.client.get(f"/api/leadership/teams/{w['bureau']}/evaluation-template", headers=w["officer"])
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    names = [row[1] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert names[0] == "领导班子整体" and set(names[1:]) == {"现局长乙", "副局长丙"}
