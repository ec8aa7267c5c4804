"""Walk-through review: the shortlist's export of its latest version has a heading of its own, and
saving scores on the score grid says so in a status line."""

import re
import secrets
from contextlib import closing
from typing import Any

from playwright.sync_api import expect

from tests.assessments.helpers import INDICATORS, RULES
from tests.web.conftest import Site
from tests.web.helpers import sign_in


def _ok(r: Any) -> Any:
    assert r.status_code < 300, f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:500]}"
    return r.json()


def test_the_latest_version_s_exports_stand_under_a_heading_that_names_them(
        page: Any, site: Site, viewport: str) -> None:
    position = site.data["position"]["id"]
    with closing(site.login_api("officer")) as api:
        saved = _ok(api.post(f"/api/positions/{position}/shortlist/versions",
                             json={"top_n": 20, "note": f"导出前（{viewport}）"}))
    sign_in(page, "officer", f"/shortlists/{position}")
    title = f"导出第 {saved['version']} 版名单中的干部"
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    bar = page.get_by_role("group", name=title)
    expect(bar.get_by_role("button", name="任免审批表（PDF）")).to_be_visible()
    # Nothing ends in a colon with nothing after it.
    expect(page.get_by_text(re.compile(r"版名单中的干部：$"))).to_have_count(0)


def test_saving_scores_on_the_grid_is_confirmed_in_a_status_line(
        page: Any, site: Site, viewport: str) -> None:
    with closing(site.login_api("officer")) as api:
        city = _ok(api.get("/api/units"))[0]
        districts = [u for u in _ok(api.get("/api/units", params={"parent_id": city["id"]}))
                     if u["kind"] == "district"]
        period = _ok(api.post("/api/assessments/periods", json={
            "code": f"WS{secrets.token_hex(3)}", "name": f"录入确认（{viewport}）",
            "owner_unit_id": city["id"],
            "starts_on": "2025-01-01", "ends_on": "2025-03-31", "unit_ids": [d["id"] for d in districts[:2]],
            "indicators": INDICATORS, "star_rules": RULES}))
    sign_in(page, "officer", f"/scoreboard/{period['id']}/manage")
    grid = page.locator("#score-grid")
    expect(grid.get_by_role("status")).to_have_count(0)
    first = grid.locator("input[data-cell]").first
    first.fill("88")
    with page.expect_navigation():  # the page reloads with the totals the server worked out
        grid.get_by_role("button", name="保存得分").click()
    expect(grid.get_by_role("status")).to_have_text("已保存：1 项得分")
    expect(grid.locator("input[data-cell]").first).to_have_value("88")
    # Shown after that save only: the next visit says nothing.
    page.reload()
    expect(grid.locator("input[data-cell]").first).to_have_value("88")
    expect(grid.get_by_role("status")).to_have_count(0)
