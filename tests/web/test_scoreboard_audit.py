"""考核榜单 and 审计 in the browser: stars, rank and seating, the trend chart, the filtered trail."""

import json
import re
from contextlib import closing
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
    # Actions and accounts are chosen by their Chinese names, not typed as codes and numbers.
    page.get_by_label("操作", exact=True).select_option(label="登录成功")
    account = (page.locator("#a-actor option", has_text="（auditor）").text_content() or "").strip()
    page.get_by_label("操作人", exact=True).select_option(label=account)
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"actor_id=\d+"))
    assert "action=auth.login.success" in page.url
    actors = page.locator("table.audit tbody tr td:nth-child(3)")
    expect(actors.first).to_contain_text("（auditor）")
    assert all("（auditor）" in text for text in actors.all_inner_texts())
    # The action shows as a Chinese label; its code stays in the title for the technically minded.
    cells = page.locator("table.audit tbody tr td:nth-child(4) span[title]")
    expect(cells.first).to_have_attribute("title", re.compile(r"^auth\.login"))
    codes = [cells.nth(i).get_attribute("title") or "" for i in range(cells.count())]
    assert codes and all(code == "auth.login.success" for code in codes)
    assert not any("auth.login" in text for text in cells.all_inner_texts())
    page.get_by_role("link", name="校验审计链").click()
    expect(page.get_by_role("status")).to_contain_text("审计链完整")
    screenshot(page, "audit")


# Boxes of the chart's texts (legend, axis names, axis labels) and the words they show, in order.
CHART_TEXTS_JS = """() => Array.from(document.querySelectorAll('#trend-chart svg text'))
  .filter(t => t.textContent.trim() && getComputedStyle(t).display !== 'none')
  .map(t => { const r = t.getBoundingClientRect();
              return {text: t.textContent, x: r.left, y: r.top, w: r.width, h: r.height}; })
  .filter(b => b.w > 0 && b.h > 0)"""


def test_the_trend_chart_names_every_period_and_no_text_overlaps_another(page: Any, site: Site) -> None:
    sign_in(page, "leader", "/scoreboard")
    page.wait_for_url(re.compile(r"/scoreboard/\d+$"))
    expect(page.locator("#trend-chart.chart-ready svg")).to_be_visible()
    periods = json.loads(page.locator("#trend-data").text_content() or "{}")["periods"]
    assert len(periods) >= 2
    boxes = page.evaluate(CHART_TEXTS_JS)
    # Every period is named on the axis (a long name may be wrapped over several lines).
    shown = "".join(b["text"] for b in boxes)
    assert [p for p in periods if p.replace(" ", "") not in shown.replace(" ", "")] == []
    # The legend scrolls on a phone: its clipped items and page counter are ECharts' own business.
    units = {s["name"] for s in json.loads(page.locator("#trend-data").text_content() or "{}")["series"]}

    def legend(b: dict[str, Any]) -> bool:
        return b["text"] in units or re.fullmatch(r"\d+/\d+", b["text"]) is not None

    overlaps = [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if not (legend(a) and legend(b))
                and min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"]) > 1
                and min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"]) > 1]
    assert overlaps == []


def test_the_trail_words_leadership_and_archive_reads_in_chinese(page: Any, site: Site) -> None:
    with closing(site.login_api("leader")) as api:
        api.get("/api/leadership/teams").raise_for_status()
        campaign = api.get("/api/campaigns").json()[0]
        api.get(f"/api/archives/{campaign['id']}").raise_for_status()
    sign_in(page, "auditor", "/audit")
    for prefix in ("leadership_team", "archive"):
        page.goto(f"/audit?action={prefix}")
        cells = page.locator("table.audit tbody tr td:nth-child(4) span[title]")
        expect(cells.first).to_have_attribute("title", re.compile(rf"^{prefix}\."))
        shown = cells.all_inner_texts()
        assert [text for text in shown if re.search(r"[a-z_]+\.[a-z_]+", text)] == [], shown
