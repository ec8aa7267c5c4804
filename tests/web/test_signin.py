"""Signing in and out in the browser: cookie session with CSRF, readable errors, role navigation."""

from typing import Any

from playwright.sync_api import expect

from tests.web.helpers import assert_labelled, open_nav, sign_in


def test_sign_in_lands_on_the_roles_first_page_and_sign_out_ends_the_session(
        page: Any, screenshot: Any) -> None:
    page.goto("/search?q=城市更新")
    page.wait_for_url("**/login?next=**")
    assert_labelled(page)
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill("wrong-Password-1")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert").filter(has_text="用户名或密码错误")).to_be_visible()
    screenshot(page, "login-error")
    page.get_by_label("密码").fill("Demo@2024pass")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/search?q=**")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["cadre_session"]["httpOnly"] and cookies["cadre_session"]["sameSite"] == "Strict"
    nav = open_nav(page)
    for text in ("检索", "填报", "候选名单", "任免", "考核榜单"):
        expect(nav.get_by_role("link", name=text)).to_be_visible()
    expect(nav.get_by_role("link", name="审计")).to_have_count(0)
    screenshot(page, "signed-in")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")
    page.goto("/search")
    page.wait_for_url("**/login?next=%2Fsearch")


def test_a_role_sees_only_its_pages_and_a_forbidden_page_says_so_in_chinese(
        page: Any, screenshot: Any) -> None:
    sign_in(page, "researcher")
    page.wait_for_url("**/search")
    nav = open_nav(page)
    expect(nav.get_by_role("link", name="填报")).to_be_visible()
    for hidden in ("岗位与候选名单", "任免", "考核榜单", "审计"):
        expect(nav.get_by_role("link", name=hidden)).to_have_count(0)
    response = page.goto("/promotions")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="您的角色无权访问此页面")).to_be_visible()
    screenshot(page, "forbidden")
    response = page.goto("/cadres/999999999")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("不存在")


HOSTILE_NEXT = ("/%09/evil.example/x", "/%0A/evil.example/x", "/%0D/evil.example/x",
                "/%5Cevil.example/x", "//evil.example/x", "https:evil.example/x")


def test_sign_in_never_leaves_the_site_whatever_next_says(page: Any, site: Any) -> None:
    """Issue 12.2: a `next` that a browser would turn into another host leads home instead."""
    for raw in HOSTILE_NEXT:
        page.context.clear_cookies()
        page.goto(f"/login?next={raw}")
        page.get_by_label("用户名").fill("leader")
        page.get_by_label("密码").fill("Demo@2024pass")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/login" not in url)
        assert page.url.startswith(site.url + "/") and "evil" not in page.url, (raw, page.url)
    # login.js checks again on its own: a hostile value put into the form is not followed either.
    page.context.clear_cookies()
    page.goto("/login")
    page.evaluate("document.getElementById('login-form').dataset.next = '/\\t/evil.example/x'")
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill("Demo@2024pass")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)
    assert page.url.startswith(site.url + "/") and "evil" not in page.url, page.url
