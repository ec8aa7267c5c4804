"""The assessment pages name indicators and units in Chinese: a star rule picks its indicator by
name, and a correction of a locked period reads "甲区 经济运行：80.0 → 88.0", never an id or a code
alone; the score grid heads its columns with the names (the codes stay in the attributes its
script sends), a refusal names units and cells, and the import template is named after the period.
(The choices following the indicator rows as they are edited: tests/web/test_codes_named.py; the
grid in the browser: tests/web/test_score_grid_names.py.)"""

import re
from html import unescape
from urllib.parse import unquote

from tests.assessments.helpers import districts, enter, period, publish, version
from tests.factories import Api

CODES = ("econ", "project", "renewal")


def _visible(html: str) -> str:
    """The page's text as a reader sees it (no tags, attributes, scripts or templates)."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


async def test_a_star_rule_chooses_its_indicator_by_name(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    r = await api.client.get("/scoreboard/new", headers={**officer, "Accept": "text/html"})
    assert r.status_code == 200, r.text
    select = re.search(r'<select id="sr-ind-0"[^>]*>(.*?)</select>', r.text, flags=re.S)
    assert select is not None, "the star rule has no indicator choice"
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', select.group(1))
    assert options == [("", "（按总分，不选指标）"), ("econ", "经济运行"), ("project", "项目签约落地"),
                       ("renewal", "城市更新")]
    assert "指标代码（单项规则填写）" not in r.text


async def test_a_correction_names_its_unit_and_indicator(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    a, b = await districts(api, ["甲区", "乙区"])
    p = await period(api, officer, [a["id"], b["id"]])
    await enter(api, officer, p["id"], {a["id"]: (80, 90, 90), b["id"]: (95, 80, 75)})
    await publish(api, officer, p["id"])
    url = f"/api/assessments/periods/{p['id']}"
    r = await api.client.post(f"{url}/lock", headers=officer,
                              json={"version": await version(api, officer, p["id"])})
    assert r.status_code == 200, r.text
    r = await api.client.post(f"{url}/corrections", headers=officer, json={
        "version": await version(api, officer, p["id"]), "reason": "统计口径复核更正",
        "scores": [{"unit_id": a["id"], "indicator_code": "econ", "score": 88}]})
    assert r.status_code == 201, r.text
    page = await api.client.get(f"/scoreboard/{p['id']}/manage", headers={**officer, "Accept": "text/html"})
    assert page.status_code == 200, page.text
    section = page.text.split('id="corr-h"', 1)[1]
    lines = [" ".join(_visible(x).split()) for x in re.findall(r'<p class="small">(.*?)</p>', section)]
    assert lines == ["甲区 经济运行：80.0 → 88.0"], lines
    assert not any(re.search(rf"\b{code}\b", _visible(section)) for code in CODES)


async def test_the_score_grid_page_shows_indicator_names_and_keeps_codes_for_the_script(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    a, b = await districts(api, ["甲区", "乙区"])
    p = await period(api, officer, [a["id"], b["id"]])
    page = await api.client.get(f"/scoreboard/{p['id']}/manage", headers={**officer, "Accept": "text/html"})
    assert page.status_code == 200, page.text
    shown = " ".join(_visible(page.text).split())
    assert "经济运行（权重 40，满分 100）" in shown
    heads = re.findall(r'<th scope="col">([^<]*)</th>', page.text.split('id="score-grid"', 1)[1])
    assert heads == ["单位", "经济运行", "项目签约落地", "城市更新", "总分"]
    assert [code for code in (*CODES, p["code"], a["code"]) if re.search(rf"\b{code}\b", shown)] == []
    # The script still sends each cell by its codes.
    assert set(re.findall(r'data-indicator="([^"]+)"', page.text)) == set(CODES)


async def test_a_refused_publish_names_the_units_still_missing_scores(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    a, b = await districts(api, ["甲区", "乙区"])
    p = await period(api, officer, [a["id"], b["id"]])
    await enter(api, officer, p["id"], {a["id"]: (80, 90, 90)})
    r = await api.client.post(f"/api/assessments/periods/{p['id']}/publish", headers=officer,
                              json={"version": await version(api, officer, p["id"])})
    assert r.status_code == 422, r.text
    said = [r.json()["detail"], *(e["message"] for e in r.json()["errors"])]
    assert all("乙区" in text and b["code"] not in text for text in said), said


async def test_a_changed_cell_refused_as_stale_is_named_by_unit_and_indicator(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    a, b = await districts(api, ["甲区", "乙区"])
    p = await period(api, officer, [a["id"], b["id"]])
    await enter(api, officer, p["id"], {a["id"]: (80, 90, 90)})
    r = await api.client.put(f"/api/assessments/periods/{p['id']}/scores", headers=officer, json={
        "scores": [{"unit_id": a["id"], "indicator_code": "project", "score": 70, "version": 99}]})
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == "甲区 项目签约落地的得分已被他人修改，请刷新后重试"


async def test_the_import_template_is_named_after_the_period_not_its_code(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    a, _ = await districts(api, ["甲区", "乙区"])
    p = await period(api, officer, [a["id"]], code="Q3X", name="2024年第三季度/区县")
    r = await api.client.get(f"/api/assessments/periods/{p['id']}/import-template", headers=officer)
    assert r.status_code == 200, r.text
    named = unquote(r.headers["content-disposition"].split("filename*=UTF-8''", 1)[1])
    assert named == "2024年第三季度_区县得分导入模板.xlsx"


async def test_a_score_above_the_maximum_names_the_maximum_as_written(api: Api) -> None:
    # The maximum is a numeric(…, 2) column: "0 到 100.00" read like a different rule.
    _, officer = await api.user("officer", [api.units["city"]])
    a, b = await districts(api, ["甲区", "乙区"])
    p = await period(api, officer, [a["id"], b["id"]])
    r = await api.client.put(f"/api/assessments/periods/{p['id']}/scores", headers=officer, json={
        "scores": [{"unit_id": a["id"], "indicator_code": "econ", "score": 1000}]})
    assert r.status_code == 422, r.text
    messages = [e["message"] for e in r.json()["errors"]]
    assert any(re.fullmatch(r"得分须在 0 到 \d+ 之间", m) for m in messages), messages
