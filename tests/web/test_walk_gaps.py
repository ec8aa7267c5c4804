"""Gaps found by walking the pages as the demo roles do (desktop and phone): things only the API could
do (a research team's leadership teams, importing an evaluation round, the records evidence rests
on), destructive account changes without a question, a raw session kind in the audit trail, a
comparison shown out of sight, units out of order in pickers and a post named with its unit twice."""

import re
import secrets
from contextlib import closing
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import Site
from tests.web.helpers import assert_accessible, assert_labelled, sign_in


def _ok(r: Any) -> Any:
    assert r.status_code < 300, f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:300]}"
    return r.json()


def _city_children(site: Site) -> list[dict[str, Any]]:
    """The city's direct sub-units as the unit API lists them (siblings by code)."""
    with closing(site.login_api("officer")) as api:
        city = _ok(api.get("/api/units"))[0]
        children: list[dict[str, Any]] = _ok(api.get("/api/units", params={"parent_id": city["id"]}))
        return children


def test_a_research_team_is_given_leadership_teams_to_study_on_the_campaign_page(
        page: Any, site: Site, screenshot: Any) -> None:
    districts = [u for u in _city_children(site) if u["kind"] == "district"][:2]
    sign_in(page, "officer", "/campaigns")
    page.get_by_label("名称").fill(f"班子调研{secrets.token_hex(2)}")
    page.get_by_label("结束日期").fill("2027-12-31")
    page.get_by_role("button", name="建立活动").click()
    page.wait_for_url(re.compile(r"/campaigns/\d+$"))
    campaign_id = int(page.url.rsplit("/", 1)[1])
    form = page.locator("#team-form")
    form.get_by_label("组名").fill("班子调研组")
    form.locator("input[name=member_ids]").first.check()
    for n, unit in enumerate(districts):
        form.get_by_role("button", name="添加调研班子").click()
        form.get_by_label("班子所在单位").nth(n).select_option(str(unit["id"]))
    assert_labelled(page)
    assert_accessible(page)
    with page.expect_navigation():
        form.get_by_role("button", name="增加调研组").click()
    card = page.locator(".cards li.card", has_text="班子调研组")
    expect(card).to_contain_text("调研班子")
    for unit in districts:
        expect(card.get_by_role("link", name=unit["name"], exact=True)).to_have_attribute(
            "href", f"/archives/{campaign_id}/{unit['id']}")
    screenshot(page, "campaign-leadership-teams")
    with closing(site.login_api("officer")) as api:
        teams = _ok(api.get(f"/api/campaigns/{campaign_id}"))["teams"]
    team = next(t for t in teams if t["name"] == "班子调研组")
    assert sorted(team["leadership_unit_ids"]) == sorted(u["id"] for u in districts)
