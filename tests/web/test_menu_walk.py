"""Every menu entry of every role on the demo, desktop and phone: no empty page, no raw identifier."""

import re
from typing import Any

import pytest

from schemas.labels import TABLES
from service.demo import DEMO_USERNAMES
from tests.web.conftest import Site
from tests.web.helpers import open_nav, sign_in

ROLES = ("officer", "leader", "researcher", "auditor", "admin")
# Codes of every labelled enum (English, as stored): none may reach a page's visible text. Sign-in
# names are what people type, so a user list may show them.
CODES = sorted({code for table in TABLES.values() for code in table
                if re.fullmatch(r"[a-z][a-z0-9_]*[a-z0-9]", code)} - set(DEMO_USERNAMES),
               key=len, reverse=True)
RAW = re.compile(r"(?<![A-Za-z0-9_.@/-])(True|False|None|null|" + "|".join(CODES) + r")(?![A-Za-z0-9_@/-])")
# A page is empty when its main area says no more than a heading: it needs some content besides.
CONTENT = "main :is(table tbody tr, li, .card, form, dl, fieldset, p:not(.muted):not(.crumbs))"


def _visible_text(page: Any) -> str:
    text: str = page.locator("main").inner_text()
    return text


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_entry_of_a_role_shows_content_and_no_raw_identifier(
        page: Any, site: Site, role: str, viewport: str, screenshot: Any) -> None:
    sign_in(page, role, "/")
    nav = open_nav(page)
    entries = [(a.get_attribute("href") or "", a.inner_text().strip())
               for a in nav.get_by_role("link").all()]
    entries.append(("/account", "我的账号"))
    assert len(entries) >= 2, f"{role} has no menu"
    problems: list[str] = []
    for href, label in entries:
        response = page.goto(href)
        if response is None or response.status >= 400:
            problems.append(f"{label} {href}: HTTP {response.status if response else '—'}")
            continue
        text = _visible_text(page)
        if len(text.strip()) < 20 or page.locator(CONTENT).count() == 0:
            problems.append(f"{label} {href}: empty page ({text.strip()[:60]!r})")
        found = sorted({text[max(0, m.start() - 15):m.end() + 15].replace("\n", " ")
                        for m in RAW.finditer(text)})
        if found:
            problems.append(f"{label} {href}: raw identifiers in {found[:5]}")
    screenshot(page, f"walk-{role}")
    assert not problems, "\n".join(problems)
