"""调研档案 and 考察材料 in the browser (desktop and phone): the demo campaign's overview, a team's
archive with its sources, a written conclusion, and a 考察材料 draft edited section by section."""

import re
import secrets
from contextlib import closing
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import Site
from tests.web.helpers import assert_accessible, assert_labelled, sign_in


def test_an_officer_reads_a_team_archive_and_writes_its_conclusion(page: Any, site: Site,
                                                                   screenshot: Any) -> None:
    sign_in(page, "officer", "/campaigns")
    page.get_by_role("link", name="2026年市管领导班子专题调研").first.click()
    page.get_by_role("link", name=re.compile("调研档案")).click()
    page.wait_for_url(re.compile(r"/archives/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("调研档案")
    cards = page.locator("ul.cards li.card")
    expect(cards.first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "archive-overview")
    cards.first.locator("a").first.click()
    page.wait_for_url(re.compile(r"/archives/\d+/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("专题调研纪实档案")
    expect(page.locator(".statements .sources a").first).to_be_visible()
    assert_labelled(page)
    assert_accessible(page)
    box = page.get_by_label("班子总体结论")
    text = "班子团结协作，城市更新任务推进有力（浏览器测试）。"
    box.fill(text)
    box.locator("xpath=ancestor::form").get_by_role("button", name="保存结论").click()
    expect(page.locator("p.prose", has_text=text)).to_be_visible()


def test_an_officer_edits_a_draft_and_the_prompt_gives_way_to_the_text(page: Any, site: Site,
                                                                         screenshot: Any) -> None:
    with closing(site.login_api("officer")) as client:
        drafts = client.get("/api/inspection-drafts").json()
    draft = next(d for d in drafts if d["promotion_id"])  # the demo's promotion at inspection
    sign_in(page, "officer", f"/promotions/{draft['promotion_id']}")
    page.get_by_role("link", name="考察材料").click()
    page.wait_for_url(re.compile(r"/inspection-drafts\?promotion_id=\d+$"))
    page.get_by_role("link", name=draft["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("同志考察材料")
    expect(page.locator(".statements .sources").first).to_be_visible()
    assert_accessible(page)
    section = page.locator("section", has=page.get_by_role("heading", name=re.compile("德的方面")))
    section.locator("summary").click()
    # Each viewport's run edits the same demo draft: its sentence carries its own mark.
    mark = f"考察组撰写{secrets.token_hex(3)}"
    section.get_by_label(re.compile("新增一句")).fill(f"该同志政治立场坚定，严守纪律规矩（{mark}）。")
    section.get_by_role("button", name="保存本节").click()
    expect(page.locator("section", has=page.get_by_role("heading", name=re.compile("德的方面")))
           .locator(".statements li", has_text=mark)).to_be_visible()
    screenshot(page, "inspection-draft")
