"""Defects found by a phone walk-through of an officer's pages (and a desktop glance): tables whose
narrow columns broke names and numbers one character a line, links too small to tap on a phone, an
export button named only by its file format, and a shortlist rule shown by its key (post_level_fit)."""

import re
from contextlib import closing
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.dossier.helpers import all_text, squash
from tests.web.conftest import Site
from tests.web.helpers import sign_in

# How many line boxes the text of an element takes (1: it does not wrap).
LINES_JS = """el => { const r = document.createRange(); r.selectNodeContents(el);
  return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; }"""
TAP_PX = 44


def _ok(r: Any) -> Any:
    assert r.status_code < 300, f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:300]}"
    return r.json()


def _one_line(cell: Any) -> None:
    expect(cell).to_be_visible()
    lines = cell.evaluate(LINES_JS)
    assert lines == 1, f"{cell.inner_text()!r} takes {lines} lines"


def _cards_on_phone(page: Any, table: Any, viewport: str, columns: tuple[str, ...]) -> Any:
    """The table's first row: one labelled card on a phone, an ordinary row with its header elsewhere."""
    row = table.locator("tbody tr").first
    expect(row).to_be_visible()
    if viewport == "phone":
        expect(table.locator("thead")).to_be_hidden()
        for column in columns:
            expect(row.locator(".cell-label", has_text=column).first).to_be_visible()
    else:
        expect(table.locator("thead")).to_be_visible()
        expect(row.locator(".cell-label").first).to_be_hidden()
    return row


def test_saved_shortlist_versions_keep_names_and_times_whole_on_a_phone(
        page: Any, site: Site, viewport: str) -> None:
    position_id = site.data["position"]["id"]
    with closing(site.login_api("officer")) as api:
        _ok(api.post(f"/api/positions/{position_id}/shortlist/versions", json={"top_n": 20, "note": "初稿"}))
    sign_in(page, "officer", f"/shortlists/{position_id}")
    table = page.get_by_role("region", name="已保存版本").locator("table")
    row = _cards_on_phone(page, table, viewport, ("版本", "保存时间", "保存人", "说明", "导出"))
    # In five narrow columns the saver's name and the version broke a character a line.
    for n in range(4):
        _one_line(row.locator("td").nth(n))
    pdf = row.get_by_role("link", name=re.compile(r"^第 \d+ 版 PDF$"))
    box = pdf.bounding_box()
    assert box and box["height"] >= TAP_PX, f"the PDF link is {box} high"


def _cadre_with_unit_standings(site: Site) -> int:
    """A cadre who headed a unit during a published assessment period (the demo story has some)."""
    with closing(site.login_api("officer")) as api:
        cadres = _ok(api.get("/api/cadres", params={"limit": 200}))["items"]
        for cadre in cadres:
            if _ok(api.get(f"/api/cadres/{cadre['id']}/performance"))["unit_standings"]:
                return int(cadre["id"])
    raise AssertionError("no cadre with unit standings in the demo data")


def test_a_dossiers_unit_standings_read_as_cards_on_a_phone(page: Any, site: Site, viewport: str) -> None:
    cadre_id = _cadre_with_unit_standings(site)
    sign_in(page, "officer", f"/cadres/{cadre_id}")
    # The LRMX export is named like the other exports of the approval form, not by its format alone.
    expect(page.get_by_role("link", name="任免审批表 LRMX", exact=True)).to_be_visible()
    page.get_by_role("tab", name="考核与比武").click()
    table = page.get_by_role("region", name="考核结果表").locator("table")
    row = _cards_on_phone(page, table, viewport, ("考核期", "单位", "总分", "名次", "星级"))
    # The unit name (鼓楼区) and the rank (10 / 10) wrapped in columns a few characters wide.
    for n in (1, 2, 3):
        _one_line(row.locator("td").nth(n))


def test_trail_links_and_the_cadres_under_a_search_hit_are_tall_enough_to_tap_on_a_phone(
        page: Any, site: Site, viewport: str) -> None:
    sign_in(page, "officer", "/search?q=城市更新")
    cadre = page.locator("#results .hit-meta a[href^='/cadres/']").first
    expect(cadre).to_be_visible()
    crumb_page = cadre.evaluate("a => a.closest('.hit').querySelector('.hit-title a').getAttribute('href')")
    boxes = {"the cadre under a hit": cadre.bounding_box()}
    page.goto(crumb_page)
    crumb = page.locator(".crumbs a").first
    expect(crumb).to_be_visible()
    boxes["the trail link"] = crumb.bounding_box()
    if viewport == "phone":
        small = {k: b for k, b in boxes.items() if not b or b["height"] < TAP_PX}
        assert not small, f"too small to tap: {small}"


def _position_with_a_mark_no_longer_eligible(site: Site) -> tuple[int, dict[str, Any]]:
    """A position whose pinned cadre fails a rule now (the demo story pins one above the post's level)."""
    with closing(site.login_api("officer")) as api:
        for position in _ok(api.get("/api/positions", params={"limit": 100}))["items"]:
            result = _ok(api.get(f"/api/positions/{position['id']}/shortlist"))
            marked = [m for m in result["ineligible_marked"] if m["failed"]]
            if marked:
                return int(position["id"]), marked[0]
    raise AssertionError("no position with a pinned cadre who is no longer eligible")


def test_a_pinned_cadre_no_longer_eligible_is_told_which_rule_in_words(
        page: Any, site: Site, viewport: str) -> None:
    position_id, mark = _position_with_a_mark_no_longer_eligible(site)
    sign_in(page, "officer", f"/shortlists/{position_id}")
    card = page.get_by_role("region", name="已排除或不符合资格的标记").locator(".card", has_text=mark["name"])
    expect(card).to_contain_text(f"未满足：{mark['detail']}")
    for key in mark["failed"]:  # rule keys such as post_level_fit
        expect(card).not_to_contain_text(key)


def test_the_saved_shortlist_pdf_names_a_failed_rule_in_words(site: Site, tmp_path: Path) -> None:
    position_id, mark = _position_with_a_mark_no_longer_eligible(site)
    with closing(site.login_api("officer")) as api:
        version = _ok(api.post(f"/api/positions/{position_id}/shortlist/versions",
                               json={"top_n": 20, "note": "核对置顶"}))["version"]
        r = api.get(f"/api/positions/{position_id}/shortlist/versions/{version}/shortlist.pdf")
        assert r.status_code == 200, r.text[:300]
    pdf = tmp_path / "shortlist.pdf"
    pdf.write_bytes(r.content)
    text = all_text(pdf)
    assert squash(f"不符合：{mark['detail']}") in text, text[-600:]
    assert not [key for key in mark["failed"] if key in text], text[-600:]


def test_a_promotion_records_buttons_stand_together_and_its_drafts_page_leads_back(
        page: Any, site: Site, viewport: str) -> None:
    record = site.data["promotions"][viewport]
    sign_in(page, "officer", f"/promotions/{record['id']}")
    pdf = page.get_by_role("link", name="导出纪实 PDF")
    drafts = page.get_by_role("link", name="考察材料", exact=True)
    expect(drafts).to_be_visible()
    a, b = pdf.bounding_box(), drafts.bounding_box()
    assert a and b
    if viewport == "desktop":
        # Side by side, not one in the middle of the heading row and the other at its far end.
        assert abs(a["y"] - b["y"]) < 1 and b["x"] - (a["x"] + a["width"]) < 40, (a, b)
    drafts.click()
    page.wait_for_url(re.compile(r"/inspection-drafts\?promotion_id=\d+$"))
    trail = page.locator(".crumbs")
    expect(trail.get_by_role("link", name="任免")).to_have_attribute("href", "/promotions")
    trail.get_by_role("link", name="选任记录").click()
    page.wait_for_url(f"**/promotions/{record['id']}")


def test_filing_opens_on_the_form_the_user_can_fill(page: Any, site: Site) -> None:
    # An officer in no research team cannot file records: 实绩 comes first and is open.
    sign_in(page, "officer", "/my-work")
    page.get_by_role("link", name="填报新记录").click()
    page.wait_for_url(re.compile(r"/file"))
    expect(page.get_by_role("tab", name="实绩")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#evidence-form")).to_be_visible()
    expect(page.get_by_role("tab").first).to_have_text("实绩")
    # The record tab still says why it cannot be used.
    page.get_by_role("tab", name="调研记录").click()
    expect(page.locator("#record-panel")).to_contain_text("不能填报调研记录")
    page.context.clear_cookies()
    # A research team member files records first, as before.
    sign_in(page, "researcher", "/file")
    expect(page.get_by_role("tab", name="调研记录")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#record-form")).to_be_visible()
