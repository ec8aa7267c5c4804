"""考核榜单 and 审计 in the browser: stars, rank and seating, the trend chart, the filtered trail."""

import re
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import Site
from tests.web.helpers import assert_labelled, open_nav, sign_in


def test_the_scoreboard_shows_stars_rank_seating_and_a_trend_chart(
        page: Any, site: Site, screenshot: Any) -> None:
    sign_in(page, "leader", "/scoreboard")
    page.wait_for_url(re.compile(r"/scoreboard/\d+$"))
    expect(page.get_by_role("heading", level=2, name=re.compile("2026年第三季度"))).to_be_visible()
    rows = page.locator("table.scoreboard tbody tr")
    expect(rows).to_have_count(10)
    expect(rows.first.locator("td").first).to_have_text(re.compile(r"^(名次)?\s*1$"))
    expect(page.locator("table.scoreboard .stars", has_text="★").first).to_be_visible()
    expect(page.locator("ol.seating li")).to_have_count(10)
    expect(page.locator("#trend-chart svg")).to_be_visible()
    screenshot(page, "scoreboard")
    page.get_by_role("link", name="2026年第二季度").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("2026年第二季度"))).to_be_visible()


def test_an_auditor_filters_the_trail_and_checks_the_chain(page: Any, site: Site, screenshot: Any) -> None:
    sign_in(page, "auditor", "/")
    page.wait_for_url(re.compile(r"/audit$"))
    nav = open_nav(page)
    expect(nav.get_by_role("link")).to_have_count(1)
    assert_labelled(page)
    page.get_by_label(re.compile("^操作（前缀")).fill("auth.login")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"action=auth.login"))
    # The action shows as a Chinese label; its code stays in the title for the technically minded.
    cells = page.locator("table.audit tbody tr td:nth-child(4) span[title]")
    expect(cells.first).to_have_attribute("title", re.compile(r"^auth\.login"))
    codes = [cells.nth(i).get_attribute("title") or "" for i in range(cells.count())]
    assert codes and all(code.startswith("auth.login") for code in codes)
    assert not any("auth.login" in text for text in cells.all_inner_texts())
    page.get_by_role("link", name="校验审计链").click()
    expect(page.get_by_role("status")).to_contain_text("审计链完整")
    screenshot(page, "audit")
