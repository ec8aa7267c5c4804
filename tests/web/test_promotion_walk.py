"""The promotion record pages walked as the demo officer: what a reader sees names things, not ids."""

import re
from contextlib import closing
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import Site
from tests.web.helpers import sign_in


def test_an_inspection_drafts_sources_name_records_by_serial_and_show_no_database_ids(
        page: Any, site: Site) -> None:
    # Before, each statement's sources read 干部信息#115, 简历#547, 记录#1130: database ids.
    with closing(site.login_api("officer")) as api:
        r = api.get("/api/inspection-drafts")
        assert r.status_code == 200, r.text
        draft = next(d for d in r.json() if any(s["kind"] == "record" for sec in d["sections"]
                                               for st in sec["statements"] for s in st["sources"]))
    sign_in(page, "officer", f"/inspection-drafts/{draft['id']}")
    sources = page.locator(".statements .sources")
    expect(sources.first).to_be_visible()
    texts = sources.all_inner_texts()
    assert not [t for t in texts if re.search(r"#\d", t)], texts
    record = page.locator(".statements .sources a[href^='/records/']").first
    rid = int((record.get_attribute("href") or "").rsplit("/", 1)[1])
    expect(record).to_have_text(f"记录 FR-{rid:06d}")
