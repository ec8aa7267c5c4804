"""候选名单 and 任免 in the browser: explain, exclude with a reason, save and compare versions,
export; move a promotion record through a stage and see the rule that blocks a wrong one."""

import re
import secrets
from contextlib import closing
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import Site
from tests.web.helpers import assert_labelled, sign_in


def test_a_shortlist_is_explained_edited_saved_compared_and_exported(
        page: Any, site: Site, screenshot: Any) -> None:
    position = site.data["position"]
    sign_in(page, "officer", "/shortlists")
    page.locator(".card-title a", has_text=position["title"]).click()
    page.wait_for_url(re.compile(rf"/shortlists/{position['id']}"))
    first = page.locator(".candidate").first
    expect(first).to_be_visible()
    name = first.locator(".card-title a").inner_text()
    first.get_by_text("评分说明").click()
    expect(first.locator(".explain")).to_contain_text("实绩")
    page.get_by_label("版本说明").fill(f"初稿{secrets.token_hex(2)}")
    with page.expect_navigation():  # the page reloads with the saved version listed
        page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator("table.versions tbody tr").first).to_be_visible()
    first = page.locator(".candidate").first
    first.get_by_text("置顶或排除").click()
    first.get_by_label("排除").check()
    first.get_by_label("理由（必填）").fill("近期交流任职，暂不列入")
    with page.expect_navigation():
        first.get_by_role("button", name="确定").click()
    expect(page.locator("#excl-h")).to_be_visible()
    expect(page.locator(".card", has_text="近期交流任职").filter(has_text=name)).to_be_visible()
    page.get_by_label("版本说明").fill("排除一人后")
    with page.expect_navigation():
        page.get_by_role("button", name="保存为新版本").click()
    expect(page.get_by_role("button", name="比较")).to_be_visible()
    assert_labelled(page)
    page.get_by_role("button", name="比较").click()
    diff = page.locator("#diff")
    expect(diff).to_contain_text("移出")
    expect(diff).to_contain_text(name)
    screenshot(page, "shortlist")
    with page.expect_download() as download:
        page.locator("table.versions").get_by_role("link", name="PDF").first.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


def test_a_promotion_moves_through_a_stage_and_a_refused_stage_names_its_rule(
        page: Any, site: Site, screenshot: Any, viewport: str) -> None:
    record = site.data["promotions"][viewport]
    sign_in(page, "officer", "/promotions")
    for column in ("待动议", "动议", "民主推荐", "考察", "讨论决定", "任前公示", "试用期", "已终止"):
        expect(page.get_by_role("heading", level=3, name=re.compile(rf"^{column} \d+$"))).to_be_visible()
    screenshot(page, "promotions-board")
    page.locator(".board-card a", has_text=record["cadre_name"]).first.click()
    page.wait_for_url(re.compile(rf"/promotions/{record['id']}$"))
    expect(page.get_by_role("heading", level=2, name=re.compile("记录下一阶段：动议"))).to_be_visible()
    assert_labelled(page)
    page.get_by_label("提议单位或个人").fill("区委组织部")
    page.get_by_label("动议理由").fill("局长岗位空缺，拟从实绩突出的干部中选任")
    with page.expect_navigation():
        page.get_by_role("button", name="记录动议").click()
    expect(page.locator(".timeline")).to_contain_text("动议")
    expect(page.get_by_role("heading", level=2, name=re.compile("民主推荐"))).to_be_visible()
    expect(page.locator("#stage-rule")).to_contain_text("收回票数不多于发出票数")
    page.get_by_label("参加推荐人数").fill("40")
    page.get_by_label("发出票数").fill("40")
    page.get_by_label("收回票数").fill("45")
    page.get_by_label(re.compile("得票$")).fill("30")
    page.get_by_role("button", name="记录民主推荐").click()
    error = page.locator("#stage-form .form-error")
    expect(error).to_contain_text("收回票数不能多于发出票数")
    screenshot(page, "promotion-refused")
    page.get_by_label("收回票数").fill("39")
    with page.expect_navigation():
        page.get_by_role("button", name="记录民主推荐").click()
    expect(page.locator(".timeline")).to_contain_text("民主推荐")
    expect(page.locator(".stepper li.current")).to_have_text("考察")


def test_a_stage_in_the_timeline_lists_its_figures_in_the_form_s_order(page: Any, site: Site) -> None:
    with closing(site.login_api("officer")) as api:
        items = api.get("/api/promotions", params={"limit": 200}).json()["items"]
    # A demo record past 讨论决定 (its figures were stored as jsonb, which keeps its own key order).
    done = next(p for p in items if p["kind"] == "post_promotion"
                and p["status"] in ("appointed", "on_probation", "confirmed"))
    sign_in(page, "officer", f"/promotions/{done['id']}")
    decision = page.locator(".timeline li", has=page.locator(".card-title", has_text="讨论决定"))
    expect(decision.locator("dt").first).to_have_text("应到会")
    assert decision.locator("dt").all_inner_texts() == ["应到会", "实到会", "同意", "不同意", "弃权",
                                                        "表决结果"]
    motion = page.locator(".timeline li", has=page.locator(".card-title", has_text="动议"))
    assert motion.locator("dt").all_inner_texts() == ["提议", "理由"]


def test_the_shortlist_length_is_set_with_a_labelled_field_and_a_named_button(
        page: Any, site: Site) -> None:
    position = site.data["position"]
    sign_in(page, "officer", f"/shortlists/{position['id']}")
    page.get_by_label("显示前几名").fill("5")
    page.get_by_role("button", name="显示", exact=True).click()
    page.wait_for_url(re.compile(r"top_n=5"))
    expect(page.locator(".candidate")).to_have_count(5)
