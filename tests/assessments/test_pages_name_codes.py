"""The assessment pages name indicators and units in Chinese: a star rule picks its indicator by
name, and a correction of a locked period reads "甲区 经济运行：80.0 → 88.0", never an id or a code
alone. (The choices following the indicator rows as they are edited: tests/web/test_codes_named.py.)"""

import re
from html import unescape

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
