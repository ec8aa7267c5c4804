"""检索 and 干部档案 in the browser: facets, candidate mode, bookmarkable URLs, tabs, PDF export."""

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import Site
from tests.web.helpers import assert_labelled, open_filters, sign_in


def test_search_with_facets_and_candidate_mode_opens_a_dossier_that_exports_a_pdf(
        page: Any, site: Site, screenshot: Any) -> None:
    name = site.data["cadre"]["name"]
    sign_in(page, "officer", "/search")
    assert_labelled(page)
    box = page.get_by_label("检索词")
    box.fill(name)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    expect(page.locator(".hit").first).to_be_visible()
    open_filters(page)
    page.locator("#f-type-cadre").check()
    page.wait_for_url(re.compile(r"type=cadre"))
    expect(page.locator(".hit-title a", has_text=name).first).to_be_visible()
    expect(page.locator(".hit-title mark").first).to_have_text(name)
    # The URL carries the whole query: opening it again shows the same results.
    page.goto(page.url)
    open_filters(page)
    expect(page.locator("#f-type-cadre")).to_be_checked()
    expect(page.locator(".hit-title a", has_text=name).first).to_be_visible()
    page.locator("#f-type-cadre").uncheck()
    # The filter submits itself: wait for that page before touching the next control, which a
    # page still loading would lose.
    page.wait_for_url(lambda url: "type=cadre" not in url)
    expect(page.locator("#f-type-cadre")).not_to_be_checked()
    open_filters(page)
    page.get_by_label(re.compile("候选人模式")).check()
    page.wait_for_url(re.compile(r"mode=candidates"))
    expect(page.locator(".hit-cadre a", has_text=name).first).to_be_visible()
    expect(page.locator(".hit-best").first).to_contain_text("最佳证据")
    screenshot(page, "search")
    page.locator(".hit-cadre a", has_text=name).first.click()
    page.wait_for_url(re.compile(r"/cadres/\d+"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".approval-form")).to_contain_text(name)
    # Keyboard: the tabs move with the arrow keys, only the chosen panel shows.
    first = page.get_by_role("tab", name="基本情况")
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="简历")).to_be_focused()
    expect(page.get_by_role("tab", name="简历")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#resume")).to_be_visible()
    expect(page.locator("#profile")).to_be_hidden()
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name=re.compile("附件"))).to_be_focused()
    page.get_by_role("tab", name=re.compile("^实绩")).click()
    expect(page.locator("#evidence")).to_be_visible()
    screenshot(page, "dossier")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出档案 PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


def test_skip_link_and_focus_reach_the_main_content_by_keyboard(page: Any, site: Site) -> None:
    sign_in(page, "leader", "/search")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"))


def test_a_researcher_reads_a_dossier_without_export_or_promotion_history(page: Any, site: Site) -> None:
    cadre = site.data["researcher_cadre"]
    sign_in(page, "researcher", f"/cadres/{cadre['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(cadre["name"])
    expect(page.get_by_role("link", name="导出档案 PDF")).to_have_count(0)
    expect(page.get_by_role("tab", name="任免经历")).to_have_count(0)


def test_two_options_of_one_facet_show_items_of_both_and_other_facets_still_narrow(
        page: Any, site: Site, viewport: str) -> None:
    sign_in(page, "officer", "/search?type=record&sort=date_desc")
    open_filters(page)

    def count(kind: str) -> int:
        return int(page.locator(f"label[for=f-kind-{kind}] .count").inner_text())

    interviews, visits = count("interview"), count("site_visit")
    assert interviews > 0 and visits > 0, "the demo holds interviews and site visits"
    page.locator("#f-kind-interview").check()
    page.wait_for_url(re.compile(r"kind=interview"))
    # Start from the page of that URL (a phone re-folds the filters when the results refresh).
    page.goto(page.url)
    open_filters(page)
    # The sibling stays on offer after one option is ticked (OR within a facet).
    page.locator("#f-kind-site_visit").check()
    page.wait_for_url(lambda url: "kind=interview" in url and "kind=site_visit" in url)
    page.goto(page.url)
    open_filters(page)
    expect(page.locator("#f-kind-interview")).to_be_checked()
    expect(page.locator("#f-kind-site_visit")).to_be_checked()
    expect(page.locator(".result-count strong")).to_have_text(str(interviews + visits))
    kinds = {t.strip() for t in page.locator(".hit-meta > span:first-child").all_inner_texts()}
    assert kinds <= {"个别谈话", "实地察看"} and kinds, kinds
    # AND across facets: adding a year narrows the union, never widens it.
    year = page.locator("#year option").nth(1)
    chosen = year.get_attribute("value") or ""
    page.locator("#year").select_option(chosen)  # the filter form submits itself on a change
    page.wait_for_url(re.compile(rf"year={chosen}"))
    narrowed = int(page.locator(".result-count strong").inner_text())
    assert 0 < narrowed <= interviews + visits
    assert "kind=interview" in page.url and "kind=site_visit" in page.url
