"""Steps shared by the browser journeys."""

import io
import re
from pathlib import Path
from typing import Any

import openpyxl

from service.demo import DEMO_PASSWORD

# Every visible form control must have an accessible name from a <label> (or aria-label).
UNLABELLED_JS = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.outerHTML.slice(0, 120))"""


def sign_in(page: Any, username: str, next_path: str = "/") -> None:
    """Open a page, get sent to the sign-in form, sign in and come back."""
    page.goto(next_path)
    page.wait_for_url("**/login**")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)


def assert_labelled(page: Any) -> None:
    """No visible input without a label on the current page."""
    missing = page.evaluate(UNLABELLED_JS)
    assert not missing, f"inputs without a label on {page.url}: {missing}"


AXE_JS = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
}"""


def assert_accessible(page: Any) -> None:
    """axe-core (served by the app from the npm package) finds no serious or critical violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        src = page.evaluate("() => document.querySelector('link[rel=stylesheet]').href"
                            ".replace(/app\\.css.*/, 'vendor/axe.min.js')")
        page.add_script_tag(url=src)
    found = page.evaluate(AXE_JS)
    assert not found, f"axe on {page.url}: {found}"


def pick_cadre(page: Any, legend: str, query: str) -> str:
    """Choose a cadre in a picker fieldset by searching; returns the chosen option's text."""
    box = page.locator("fieldset.pick", has=page.locator("legend", has_text=legend))
    box.get_by_role("searchbox").fill(query)
    box.get_by_role("button", name="查找").click()
    option = box.locator(".pick-option").first
    text: str = option.inner_text()
    option.click()
    return text


def open_nav(page: Any) -> Any:
    """The main navigation, opened with 菜单 where a phone keeps it folded."""
    toggle = page.get_by_role("button", name="菜单")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    return page.get_by_role("navigation", name="主导航")


def open_filters(page: Any) -> None:
    """The search filters, opened with 筛选 where a phone keeps them folded."""
    toggle = page.get_by_role("button", name=re.compile("^筛选"))
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def filled_sheets(template: str | Path, values: dict[int, Any], *,
                  wrong: Any) -> tuple[list[Any], bytes, bytes]:
    """A downloaded import template's header row, and the template filled with `values` (column to
    value, every row) twice: once with cell D3 `wrong`, once with D3 = 30."""
    book = openpyxl.load_workbook(io.BytesIO(Path(template).read_bytes()))
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        for column, value in values.items():
            sheet.cell(row, column).value = value
    sheet.cell(3, 4).value = wrong
    bad = io.BytesIO()
    book.save(bad)
    sheet.cell(3, 4).value = 30
    good = io.BytesIO()
    book.save(good)
    return header, bad.getvalue(), good.getvalue()
