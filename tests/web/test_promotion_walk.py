"""The promotion record pages walked as the demo officer: what a reader sees names things, not ids."""

import re
from contextlib import closing
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import Site
from tests.web.helpers import sign_in
from tests.web.test_stage_errors import _record_at_motion


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


def test_an_inspection_stage_shows_what_it_cites_by_serial_and_a_correction_keeps_it(
        page: Any, site: Site) -> None:
    # Before, the timeline left the cited records and evidence out, and correcting the stage on the
    # page sent none, so the correction silently dropped them.
    record = _record_at_motion(site)
    with closing(site.login_api("officer")) as api:
        cited = api.get("/api/records", params={"limit": 1}).json()["items"][0]["id"]
        stages = f"/api/promotions/{record['id']}/stages"
        r = api.post(stages, json={"version": record["version"], "payload": {
            "stage": "recommendation", "date": "2026-10-09", "participants": 40, "ballots_issued": 40,
            "ballots_returned": 39, "votes": [{"cadre_id": record["cadre_id"], "votes": 30}]}})
        assert r.status_code == 200, r.text
        r = api.post(stages, json={"version": r.json()["version"], "payload": {
            "stage": "inspection", "date": "2026-10-10", "team": ["王考察", "李考察"], "interviewed": 20,
            "report": "实绩突出。", "record_ids": [cited]}})
        assert r.status_code == 200, r.text
    sign_in(page, "officer", f"/promotions/{record['id']}")
    stage = page.locator(".timeline > li", has_text="考察组")
    expect(stage.get_by_role("link", name=f"FR-{cited:06d}")).to_have_attribute("href", f"/records/{cited}")
    stage.locator("summary", has_text="修正此阶段").click()
    form = stage.locator("form.amend-form")
    form.get_by_label("个别谈话人数").fill("21")
    form.get_by_label(re.compile("修正理由")).fill("谈话人数记错")
    with page.expect_navigation():
        form.get_by_role("button", name="保存修正").click()
    with closing(site.login_api("officer")) as api:
        after = api.get(f"/api/promotions/{record['id']}").json()
    inspection = next(s for s in after["stages"] if s["stage"] == "inspection")
    assert (inspection["payload"]["interviewed"], inspection["payload"]["record_ids"]) == (21, [cited])


def test_a_selections_inspection_draft_has_the_same_trail_as_its_list(page: Any, site: Site) -> None:
    # Before, the draft's trail read 考察材料 · 选任纪实 (another word for the record, another
    # separator, and its 考察材料 link went to the cadre's drafts, not the selection's).
    with closing(site.login_api("officer")) as api:
        draft = next(d for d in api.get("/api/inspection-drafts").json() if d["promotion_id"])
    sign_in(page, "officer", f"/inspection-drafts/{draft['id']}")
    trail = page.locator(".crumbs")
    expect(trail).to_have_text("任免 › 选任记录 › 考察材料")
    expect(trail.get_by_role("link", name="考察材料")).to_have_attribute(
        "href", f"/inspection-drafts?promotion_id={draft['promotion_id']}")
    trail.get_by_role("link", name="选任记录").click()
    page.wait_for_url(f"**/promotions/{draft['promotion_id']}")
