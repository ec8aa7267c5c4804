"""Forms name indicators in Chinese: a star rule of a new assessment period picks its indicator by
the name typed in the indicator rows above, kept in step as rows are renamed, added or removed."""

import re
from contextlib import closing
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import Site
from tests.web.helpers import assert_labelled, sign_in

START = ["（按总分，不选指标）", "经济运行", "项目签约落地", "城市更新"]


def test_a_star_rule_picks_its_indicator_by_the_name_being_typed(page: Any, site: Site) -> None:
    sign_in(page, "officer", "/scoreboard/new")
    choice = page.get_by_label("指标（单项规则选择）").first
    expect(choice.locator("option")).to_have_text(START)
    page.get_by_label("指标名称").nth(2).fill("城市更新攻坚")
    expect(choice.locator("option")).to_have_text([*START[:3], "城市更新攻坚"])
    # A new indicator becomes a choice under its name once it has a code.
    page.get_by_role("button", name="添加指标").click()
    page.get_by_label("指标代码").last.fill("safety")
    expect(choice.locator("option")).to_have_text([*START[:3], "城市更新攻坚", "（未命名的指标）"])
    page.get_by_label("指标名称").last.fill("安全生产")
    page.get_by_label("权重").last.fill("10")
    page.get_by_label("权重").first.fill("30")
    expect(choice.locator("option")).to_have_text([*START[:3], "城市更新攻坚", "安全生产"])
    # A rule added now offers the same names; the choice is sent as the indicator's code.
    page.get_by_role("button", name="添加摘星规则").click()
    added = page.get_by_label("指标（单项规则选择）").last
    expect(added.locator("option")).to_have_text([*START[:3], "城市更新攻坚", "安全生产"])
    page.locator("#sr-kind-0").select_option(label="单项前N名")
    choice.select_option(label="安全生产")
    assert_labelled(page)
    code = f"N{site.data['periods'][0]}x{page.viewport_size['width']}"
    page.get_by_label("考核期代码").fill(code)
    page.locator("#pd-name").fill(f"指标名称测试{code}")
    page.get_by_label("开始日期").fill("2025-04-01")
    page.get_by_label("结束日期").fill("2025-06-30")
    page.get_by_role("button", name="建立考核期").click()
    page.wait_for_url(re.compile(r"/scoreboard/\d+/manage$"))
    period_id = int(page.url.rsplit("/", 2)[-2])
    with closing(site.login_api("officer")) as api:
        rules = api.get(f"/api/assessments/periods/{period_id}").json()["star_rules"]
    assert [(r["kind"], r["indicator_code"]) for r in rules][:1] == [("indicator_top_n", "safety")]
