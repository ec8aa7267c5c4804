"""The score grid in the browser (desktop and phone) speaks of units and indicators by name: columns,
a refusal of a cell (stale, or no longer allowed) named 单位 指标 and marked at its input, the import
template named after the period, and a refused sheet read row by row; a stored score can be changed
on the grid (the cell's version goes with it). The codes stay in the attributes the script sends."""

import re
import secrets
from contextlib import closing
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.assessments.helpers import INDICATORS, RULES
from tests.web.conftest import Site
from tests.web.helpers import assert_labelled, filled_sheets, sign_in
from tests.xlsx import XLSX

NAMES = [i["name"] for i in INDICATORS]
CODES = [i["code"] for i in INDICATORS]


def _ok(r: httpx.Response) -> Any:
    assert r.status_code < 300, f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:500]}"
    return r.json()


def _draft(api: httpx.Client, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A draft period of two districts, named `name`; returns it and the two districts."""
    city = _ok(api.get("/api/units"))[0]
    districts = [u for u in _ok(api.get("/api/units", params={"parent_id": city["id"]}))
                 if u["kind"] == "district"][:2]
    period = _ok(api.post("/api/assessments/periods", json={
        "code": f"G{secrets.token_hex(3)}", "name": name, "owner_unit_id": city["id"],
        "starts_on": "2025-01-01", "ends_on": "2025-03-31", "unit_ids": [d["id"] for d in districts],
        "indicators": INDICATORS, "star_rules": RULES}))
    return period, districts


def _cell(page: Any, unit: dict[str, Any], code: str) -> Any:
    return page.locator(f'#score-grid input[data-unit="{unit["id"]}"][data-indicator="{code}"]')


def test_a_stored_score_is_changed_and_a_refused_cell_is_named_by_unit_and_indicator(
        page: Any, site: Site, viewport: str) -> None:
    with closing(site.login_api("officer")) as api:
        period, (a, b) = _draft(api, f"得分修改（{viewport}{secrets.token_hex(2)}）")
        url = f"/api/assessments/periods/{period['id']}"
        _ok(api.put(f"{url}/scores", json={"scores": [
            {"unit_id": a["id"], "indicator_code": "econ", "score": 70}]}))
    sign_in(page, "officer", f"/scoreboard/{period['id']}/manage")
    grid = page.locator("#score-grid")
    expect(grid.locator("thead th")).to_have_text(["单位", *NAMES, "总分"])
    shown = page.locator("main").inner_text()
    assert [code for code in (*CODES, period["code"]) if re.search(rf"\b{code}\b", shown)] == []
    assert_labelled(page)
    # A stored score changes (its version is sent with it).
    _cell(page, a, "econ").fill("75")
    with page.expect_navigation():
        grid.get_by_role("button", name="保存得分").click()
    expect(grid.get_by_role("status")).to_have_text("已保存：1 项得分")
    expect(_cell(page, a, "econ")).to_have_value("75")
    # Someone else changes it meanwhile: the refusal names the cell, not a code or an id.
    with closing(site.login_api("officer")) as api:
        cells = [c for row in _ok(api.get(f"{url}/board"))["rows"] if row["unit"]["id"] == a["id"]
                 for c in row["cells"] if c["indicator_code"] == "econ"]
        _ok(api.put(f"{url}/scores", json={"scores": [
            {"unit_id": a["id"], "indicator_code": "econ", "score": 76, "version": cells[0]["version"]}]}))
    _cell(page, a, "econ").fill("77")
    grid.get_by_role("button", name="保存得分").click()
    error = grid.get_by_role("alert")
    expect(error).to_have_text(f"{a['name']} 经济运行的得分已被他人修改，请刷新后重试")
    # A unit taken out of the period meanwhile: the cell's refusal stands under it, named.
    with closing(site.login_api("officer")) as api:
        current = _ok(api.get(url))
        _ok(api.put(url, json={"name": current["name"], "starts_on": "2025-01-01", "ends_on": "2025-03-31",
                               "unit_ids": [a["id"]], "indicators": INDICATORS, "star_rules": RULES,
                               "version": current["version"]}))
    _cell(page, a, "econ").fill("75")
    cell = _cell(page, b, "project")
    cell.fill("80")
    grid.get_by_role("button", name="保存得分").click()
    expect(error.locator("li")).to_have_text([f"{b['name']} 项目签约落地：不是本考核期的参评单位"])
    expect(cell).to_have_attribute("aria-invalid", "true")
    said = error.inner_text()
    assert not any(re.search(rf"\b{code}\b", said) for code in CODES) and "scores" not in said


def test_the_import_template_and_a_refused_sheet_speak_of_names(page: Any, site: Site, viewport: str) -> None:
    with closing(site.login_api("officer")) as api:
        period, (a, b) = _draft(api, f"整表导入{viewport}{secrets.token_hex(2)}")
    sign_in(page, "officer", f"/scoreboard/{period['id']}/manage")
    with page.expect_download() as got:
        page.get_by_role("link", name="下载导入模板").click()
    assert got.value.suggested_filename == f"{period['name']}得分导入模板.xlsx"
    header, bad, good = filled_sheets(got.value.path(), {3: 20, 4: 20, 5: 20}, wrong="很好")
    assert header == ["单位代码", "单位名称", *NAMES]
    form = page.locator("#import-form")
    upload = form.get_by_label("得分表（.xlsx）")
    upload.set_input_files(files=[{"name": "得分.xlsx", "mimeType": XLSX, "buffer": bad}])
    form.get_by_role("button", name="导入").click()
    expect(form.get_by_role("alert").locator("li")).to_have_text(["第 3 行 D 列：得分必须是数字"])
    expect(_cell(page, a, "econ")).to_have_value("")
    upload.set_input_files(files=[{"name": "得分.xlsx", "mimeType": XLSX, "buffer": good}])
    with page.expect_navigation():
        form.get_by_role("button", name="导入").click()
    expect(_cell(page, a, "econ")).to_have_value("20")
    expect(_cell(page, b, "econ")).to_have_value("20")
