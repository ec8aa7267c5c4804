"""The management pages in the browser: positions with a live eligible count, starting and
correcting promotion records, assessment periods from setup to a correction, admin accounts and
scopes, and every page of every role checked with axe-core (0 serious or critical violations)."""

import re
import secrets
from typing import Any

from playwright.sync_api import expect

from service.demo import DEMO_PASSWORD
from tests.web.conftest import Site
from tests.web.helpers import assert_accessible, assert_labelled, open_nav, pick_cadre, sign_in

# Every page each role's navigation reaches, plus the forms behind them (ids filled in from the seed).
PAGES: dict[str, list[str]] = {
    "officer": ["/search", "/file", "/my-work", "/shortlists", "/positions/new", "/shortlists/{position}",
                "/positions/{position}/edit", "/promotions", "/promotions/new", "/promotions/{promotion}",
                "/scoreboard/{period}", "/scoreboard/new", "/scoreboard/{period}/manage", "/contests",
                "/secondments", "/service-logs", "/campaigns", "/account", "/cadres/{cadre}"],
    "leader": ["/shortlists", "/promotions", "/scoreboard/{period}", "/contests", "/secondments",
               "/service-logs", "/campaigns"],
    "researcher": ["/my-work", "/campaigns", "/file"],
    "auditor": ["/audit", "/account"],
    "admin": ["/units", "/users", "/account"],
}


def _accept_dialogs(page: Any) -> None:
    page.on("dialog", lambda d: d.accept())


def _ids(site: Site) -> dict[str, Any]:
    return {"position": site.data["position"]["id"], "promotion": site.data["promotions"]["desktop"]["id"],
            "period": site.data["periods"][-1], "cadre": site.data["cadre"]["id"]}


def test_every_page_of_every_role_passes_axe_and_fits_the_screen(
        page: Any, site: Site, viewport: str, screenshot: Any) -> None:
    ids = _ids(site)
    for role, paths in PAGES.items():
        page.context.clear_cookies()
        sign_in(page, role, "/account")
        expect(open_nav(page)).to_be_visible()
        for path in paths:
            page.goto(path.format(**ids))
            expect(page.locator("h1")).to_be_visible()
            assert_accessible(page)
            assert_labelled(page)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= page.viewport_size["width"], f"{path} scrolls sideways ({width}px)"
            if viewport == "phone":
                # Name links in lists are tap targets of at least 44×44 px.
                small = page.evaluate("""() => Array.from(document.querySelectorAll('main a.tap'))
                  .filter(a => a.offsetParent !== null)
                  .map(a => a.getBoundingClientRect()).filter(r => r.height < 44 || r.width < 44).length""")
                assert small == 0, f"{path}: {small} links smaller than 44×44 px"
    screenshot(page, "admin-account")


def test_an_officer_creates_a_position_whose_eligible_count_follows_the_rules(
        page: Any, site: Site, screenshot: Any) -> None:
    sign_in(page, "officer", "/shortlists")
    page.get_by_role("link", name="新建岗位").click()
    page.wait_for_url("**/positions/new")
    total = page.locator(".preview-total")
    expect(total).to_contain_text("符合全部条件的干部")
    before = int(re.findall(r"(\d+) 人", total.inner_text())[0])
    page.get_by_label("年龄上限（周岁）").fill("40")
    expect(page.locator(".preview-rules")).to_contain_text("年龄")
    expect(total).not_to_have_text(re.compile(rf"干部：{before} 人"))
    after = int(re.findall(r"(\d+) 人", total.inner_text())[0])
    assert after < before
    page.get_by_role("button", name="添加领域实绩条件").click()
    page.get_by_label("工作领域").select_option(label="城市更新")
    expect(page.locator(".preview-rules")).to_contain_text("城市更新")
    title = f"城市更新局局长{secrets.token_hex(2)}"
    page.get_by_label("职务名称").fill(title)
    page.get_by_label("所在单位").select_option(index=2)
    page.locator("#pos-level").select_option(label="正科")
    assert_labelled(page)
    screenshot(page, "position-form")
    page.get_by_role("button", name="保存岗位").click()
    page.wait_for_url(re.compile(r"/shortlists/\d+$"))
    page.locator("details.rules summary").click()
    rules = page.locator("details.rules")
    expect(rules).to_contain_text("年龄不超过 40 周岁")
    expect(rules).to_contain_text("城市更新领域已核实正面实绩不少于 1 项")
    rules.get_by_role("link", name="编辑岗位与条件").click()
    expect(page.get_by_label("年龄上限（周岁）")).to_have_value("40")


def test_a_promotion_started_from_a_dossier_is_corrected_with_a_reason_and_cancelled(
        page: Any, site: Site, screenshot: Any) -> None:
    _accept_dialogs(page)
    cadre = site.data["cadre"]
    sign_in(page, "officer", f"/cadres/{cadre['id']}")
    page.get_by_role("link", name="发起任免").click()
    expect(page.locator("[data-pick-chosen]")).to_have_text(f"已选：{cadre['name']}")
    page.get_by_label("拟任单位").select_option(index=1)
    page.locator("#pn-post").fill("副局长")
    page.get_by_label("拟任职务层次").select_option(label="正处")
    page.get_by_role("button", name="建立选任记录").click()
    page.wait_for_url(re.compile(r"/promotions/\d+$"))
    page.get_by_label("提议单位或个人").fill("区委组织部")
    page.get_by_label("动议理由").fill("岗位空缺")
    with page.expect_navigation():
        page.get_by_role("button", name="记录动议").click()
    # The motion went in with today's default date; it really happened earlier: correct it.
    page.locator(".timeline summary", has_text="修正此阶段").click()
    form = page.locator(".amend-form")
    form.get_by_label("日期").fill("2026-01-05")
    form.get_by_label("修正理由（必填，留痕）").fill("动议日期按会议纪要更正")
    with page.expect_navigation():
        form.get_by_role("button", name="保存修正").click()
    expect(page.locator(".timeline")).to_contain_text("2026-01-05")
    expect(page.locator(".timeline .badge", has_text="已修正")).to_be_visible()
    screenshot(page, "promotion-corrected")
    page.get_by_text("终止本次选任").click()
    page.get_by_label("终止理由").fill("岗位调整，暂缓选任")
    with page.expect_navigation():
        page.get_by_role("button", name="终止").click()
    expect(page.get_by_text("当前状态：已终止")).to_be_visible()


def test_an_assessment_period_is_set_up_scored_published_locked_and_corrected(
        page: Any, site: Site, screenshot: Any) -> None:
    _accept_dialogs(page)
    sign_in(page, "officer", "/scoreboard/new")
    code = f"T{secrets.token_hex(3)}"
    page.get_by_label("考核期代码").fill(code)
    page.locator("#pd-name").fill(f"测试考核期{code}")
    page.get_by_label("开始日期").fill("2025-01-01")
    page.get_by_label("结束日期").fill("2025-03-31")
    assert_labelled(page)
    page.get_by_role("button", name="建立考核期").click()
    page.wait_for_url(re.compile(r"/scoreboard/\d+/manage$"))
    cells = page.locator("input[data-cell]")
    for i in range(cells.count()):
        cells.nth(i).fill(str(60 + (i * 7) % 40))
    with page.expect_navigation():
        page.get_by_role("button", name="保存得分").click()
    with page.expect_navigation():
        page.get_by_role("button", name="发布榜单").click()
    expect(page.locator("ol.seating li").first).to_be_visible()
    expect(page.get_by_role("button", name="打印座次")).to_be_visible()
    page.get_by_role("link", name="录入得分与发布").click()
    with page.expect_navigation():
        page.get_by_role("button", name="锁定").click()
    expect(page.get_by_role("heading", name="更正得分")).to_be_visible()
    cells.first.fill("99")
    page.get_by_role("button", name="提交更正").click()
    # Without a reason the browser refuses to send the correction.
    assert page.get_by_label("更正理由（必填）").evaluate("el => el.validity.valueMissing")
    expect(page.locator(".cards")).to_have_count(0)
    page.get_by_label("更正理由（必填）").fill("统计口径复核更正")
    with page.expect_navigation():
        page.get_by_role("button", name="提交更正").click()
    expect(page.locator("#corr-h")).to_be_visible()
    expect(page.locator(".cards")).to_contain_text("统计口径复核更正")
    screenshot(page, "period-corrected")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()


def test_an_admin_adds_an_account_and_changes_one_scope_without_touching_the_others(
        page: Any, site: Site, screenshot: Any) -> None:
    _accept_dialogs(page)
    sign_in(page, "admin", "/users")
    name = f"u{secrets.token_hex(3)}"
    page.get_by_label("用户名").fill(name)
    page.get_by_label("姓名").fill("测试干部科员")
    page.get_by_label("初始密码").fill("Strong@pass-2026")
    page.get_by_label("授权范围（可在账户页再添加）").select_option(index=1)
    page.get_by_role("button", name="建立账户").click()
    page.wait_for_url(re.compile(r"/users/\d+$"))
    scopes = page.locator(".scope-item")
    expect(scopes).to_have_count(1)
    page.get_by_label("增加授权单位").select_option(index=2)
    with page.expect_navigation():
        page.get_by_role("button", name="增加授权").click()
    expect(scopes).to_have_count(2)
    with page.expect_navigation():
        scopes.nth(1).get_by_role("button", name=re.compile("移除")).click()
    expect(scopes).to_have_count(1)
    screenshot(page, "admin-user")
    page.goto("/account")
    page.get_by_label("当前密码").fill("Wrong@pass-000")
    page.get_by_label(re.compile("^新密码")).fill("Another@pass-2026")
    page.get_by_label("再次输入新密码").fill("Another@pass-2026")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator("#password-form .form-error")).to_contain_text("当前密码错误")
    # The error also stands at the field to fix, named to assistive technology.
    current = page.get_by_label("当前密码")
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-form .field-error")).to_have_count(1)
    error_id = page.locator("#password-form .field-error").get_attribute("id")
    assert error_id and error_id in (current.get_attribute("aria-describedby") or "").split()
    expect(page.locator(f"#{error_id}")).to_contain_text("当前密码错误")
    # A corrected answer clears the old marks: now the new password is the field to fix.
    current.fill(DEMO_PASSWORD)
    page.get_by_label(re.compile("^新密码")).fill("short")
    page.get_by_label("再次输入新密码").fill("short")
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_label(re.compile("^新密码"))).to_have_attribute("aria-invalid", "true")
    expect(current).not_to_have_attribute("aria-invalid", "true")
    marks = page.locator("#password-form .field-error")
    expect(marks.first).to_be_visible()
    assert all(i.startswith("pw-new-error-") for i in marks.evaluate_all("ns => ns.map(n => n.id)"))


def test_an_officer_records_a_contest_a_service_session_and_a_campaign_team(
        page: Any, site: Site, screenshot: Any) -> None:
    cadre = site.data["cadre"]
    sign_in(page, "officer", "/contests")
    page.get_by_label("名称").fill(f"擂台比武{secrets.token_hex(2)}")
    page.get_by_role("button", name="建立").click()
    page.wait_for_url(re.compile(r"/contests/\d+$"))
    pick_cadre(page, "发言干部", cadre["name"])
    page.get_by_label("亮成绩").fill("完成老旧小区改造 12 个")
    page.get_by_label("评分人").fill("评委1")
    page.get_by_label("得分").fill("88")
    page.get_by_role("button", name="添加实绩").click()
    page.get_by_label("工作领域").select_option(label="城市更新")
    page.get_by_label("实绩标题").fill("老旧小区改造12个")
    with page.expect_navigation():
        page.get_by_role("button", name="保存发言").click()
    expect(page.locator(".cards")).to_contain_text(cadre["name"])
    expect(page.get_by_role("link", name=re.compile("实绩 #"))).to_be_visible()
    screenshot(page, "contest")
    page.goto("/service-logs")
    pick_cadre(page, "领导干部", cadre["name"])
    page.get_by_label("办理事项（件）").fill("23")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.locator(".cards").first).to_contain_text("办理事项 23 件")
    page.goto("/campaigns")
    page.get_by_label("名称").fill(f"纪实调研{secrets.token_hex(2)}")
    page.get_by_label("结束日期").fill("2027-12-31")
    page.get_by_role("button", name="建立活动").click()
    page.wait_for_url(re.compile(r"/campaigns/\d+$"))
    page.get_by_label("组名").fill("第一调研组")
    page.locator("input[name=member_ids]").first.check()
    page.get_by_label(re.compile("^调研单位")).select_option(index=1)
    with page.expect_navigation():
        page.get_by_role("button", name="增加调研组").click()
    expect(page.locator(".cards")).to_contain_text("第一调研组")
    screenshot(page, "campaign")
