"""A refused promotion stage marks the input to fix, like the other forms: each count, and each
candidate's row of a democratic recommendation — also a row added in the browser, and after a row
above it was removed (the server counts rows as they were sent)."""

import re
from contextlib import closing
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import Site
from tests.web.helpers import assert_labelled, sign_in
from tests.web.seed import PROMOTABLE


def _marked(page: Any, control: Any, message: str) -> None:
    """The control is marked invalid and the message under it is the one it names."""
    expect(control).to_have_attribute("aria-invalid", "true")
    described = (control.get_attribute("aria-describedby") or "").split()
    assert described, "the invalid control names no message"
    expect(page.locator(f"#{described[-1]}")).to_have_text(message)


def _record_at_motion(site: Site) -> dict[str, Any]:
    """A new post-promotion record past its motion, for a cadre with no record running."""
    with closing(site.login_api("officer")) as api:
        live = {p["cadre_id"] for p in api.get("/api/promotions", params={"limit": 200}).json()["items"]
                if p["status"] == "in_progress"}
        who = next(c for c in api.get("/api/cadres", params={"limit": 200}).json()["items"]
                   if c["post_level"] in PROMOTABLE and c["status"] == "active"
                   and c["id"] not in live | {site.data["cadre"]["id"]})
        r = api.post("/api/promotions", json={"cadre_id": who["id"], "kind": "post_promotion",
                                               "target_unit_id": who["unit_id"], "target_post": "局长",
                                               "target_post_level": "bureau_main"})
        assert r.status_code == 201, r.text
        record = r.json()
        motion = {"stage": "motion", "date": "2026-10-08", "proposed_by": "市委组织部", "reason": "岗位空缺"}
        r = api.post(f"/api/promotions/{record['id']}/stages",
                     json={"version": record["version"], "payload": motion})
        assert r.status_code == 200, r.text
        return dict(r.json())


def _fill_recommendation(form: Any, site: Site, record: dict[str, Any], *, issued: str,
                         returned: str) -> tuple[Any, Any]:
    """40 participants, the given ballots, 45 votes for the record's cadre and two more candidates:
    the first left without a cadre (3 votes), the second picked by name (50 votes).
    Returns the own-votes input and the added rows."""
    form.get_by_label("参加推荐人数").fill("40")
    form.get_by_label("发出票数").fill(issued)
    form.get_by_label("收回票数").fill(returned)
    own = form.get_by_label(f"{record['cadre_name']}得票")
    own.fill("45")
    form.get_by_role("button", name="添加其他候选人").click()
    form.get_by_role("button", name="添加其他候选人").click()
    rows = form.locator(".vote-row.repeat-row")
    rows.nth(0).get_by_label("该候选人得票").fill("3")
    second = rows.nth(1)
    second.get_by_role("searchbox").fill(site.data["cadre"]["name"])
    second.get_by_role("button", name="查找").click()
    second.locator(".pick-option").first.click()
    second.get_by_label("该候选人得票").fill("50")
    return own, rows


def test_stage_errors_stand_under_the_count_and_the_candidate_row_to_fix(page: Any, site: Site) -> None:
    record = _record_at_motion(site)
    sign_in(page, "officer", f"/promotions/{record['id']}")
    form = page.locator("#stage-form")
    own, rows = _fill_recommendation(form, site, record, issued="40", returned="45")
    assert_labelled(page)
    form.get_by_role("button", name="记录民主推荐").click()
    box = form.locator(".form-error")
    # The list names each error by the input it stands under (a message naming it is left as it is).
    expect(box.locator("li")).to_have_text(["收回票数不能多于发出票数", "其他候选人：必填项缺失"])
    _marked(page, form.get_by_label("收回票数"), "收回票数不能多于发出票数")
    _marked(page, rows.nth(0).get_by_role("searchbox"), "必填项缺失")
    # The row without a cadre goes; the one below it is now the second row sent (votes.1).
    rows.nth(0).get_by_role("button", name="删除此候选人").click()
    form.get_by_label("收回票数").fill("39")
    form.get_by_role("button", name="记录民主推荐").click()
    expect(box.locator("li")).to_have_text([f"{record['cadre_name']}得票：不能多于收回票数（39）",
                                            "该候选人得票：不能多于收回票数（39）"])
    _marked(page, own, "不能多于收回票数（39）")
    _marked(page, rows.nth(0).get_by_label("该候选人得票"), "不能多于收回票数（39）")
    expect(form.get_by_label("收回票数")).not_to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field-error", has_text="必填项缺失")).to_have_count(0)
    own.fill("30")
    rows.nth(0).get_by_label("该候选人得票").fill("5")
    with page.expect_navigation():
        form.get_by_role("button", name="记录民主推荐").click()
    expect(page.locator(".timeline")).to_contain_text(re.compile(rf"{record['cadre_name']} 30 票；\S+ 5 票"))


def test_one_submission_shows_the_count_errors_and_the_row_errors_together(page: Any, site: Site) -> None:
    # Before, the page showed the schema's errors (counts, a row without a candidate) and only after
    # a second submission the rows' errors (votes above the ballots returned).
    record = _record_at_motion(site)
    sign_in(page, "officer", f"/promotions/{record['id']}")
    form = page.locator("#stage-form")
    own, rows = _fill_recommendation(form, site, record, issued="41", returned="39")
    form.get_by_role("button", name="记录民主推荐").click()
    box = form.locator(".form-error")
    expect(box.locator("li")).to_have_count(4)
    expect(box).to_contain_text("发出票数不能多于参加推荐人数")
    expect(box).to_contain_text("其他候选人：必填项缺失")
    expect(box).to_contain_text(f"{record['cadre_name']}得票：不能多于收回票数（39）")
    expect(box).to_contain_text("该候选人得票：不能多于收回票数（39）")
    _marked(page, form.get_by_label("发出票数"), "发出票数不能多于参加推荐人数")
    _marked(page, rows.nth(0).get_by_role("searchbox"), "必填项缺失")
    _marked(page, own, "不能多于收回票数（39）")
    _marked(page, rows.nth(1).get_by_label("该候选人得票"), "不能多于收回票数（39）")
    # Nothing was recorded: the timeline still ends at the motion.
    expect(page.locator(".timeline")).not_to_contain_text("民主推荐")
