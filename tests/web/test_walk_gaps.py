"""Gaps found by walking the pages as the demo roles do (desktop and phone): things only the API could
do (a research team's leadership teams, importing an evaluation round, the records evidence rests
on), destructive account changes without a question, a raw session kind in the audit trail, a
comparison shown out of sight, units out of order in pickers and a post named with its unit twice."""

import re
import secrets
from contextlib import closing
from typing import Any

from playwright.sync_api import expect

from schemas.posts import unit_post
from tests.web.conftest import Site
from tests.web.helpers import assert_accessible, assert_labelled, filled_sheets, sign_in
from tests.xlsx import XLSX


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


def _team_unit(site: Site) -> int:
    with closing(site.login_api("officer")) as api:
        teams = _ok(api.get("/api/leadership/teams"))
        return int(next(t["unit_id"] for t in teams if t["members"]))


def test_an_evaluation_round_is_imported_on_the_team_page_from_its_template(
        page: Any, site: Site, viewport: str, screenshot: Any) -> None:
    unit_id = _team_unit(site)
    sign_in(page, "officer", f"/leadership/{unit_id}")
    form = page.locator("#round-form")
    with page.expect_download() as got:
        page.get_by_role("link", name=re.compile("下载测评导入模板")).click()
    _, bad, good = filled_sheets(got.value.path(), {4: 30, 5: 12, 6: 2, 7: 0}, wrong="很多")
    name = f"班子民主测评（{viewport}{secrets.token_hex(2)}）"
    form.get_by_label("测评名称").fill(name)
    form.get_by_label("测评日期").fill("2026-11-20")
    upload = form.get_by_label(re.compile("填好的测评表"))
    upload.set_input_files(files=[{"name": "测评.xlsx", "mimeType": XLSX, "buffer": bad}])
    form.get_by_role("button", name="导入测评结果").click()
    # A wrong cell is named by its row and column, and nothing is imported.
    expect(form.locator(".form-error")).to_contain_text("第 3 行 D 列")
    expect(page.get_by_role("heading", name=re.compile(re.escape(name)))).to_have_count(0)
    upload.set_input_files(files=[{"name": "测评.xlsx", "mimeType": XLSX, "buffer": good}])
    with page.expect_navigation():
        form.get_by_role("button", name="导入测评结果").click()
    heading = page.get_by_role("heading", name=re.compile(re.escape(name)))
    round_box = page.locator("section.card", has=heading)
    expect(round_box).to_contain_text("领导班子整体")
    expect(round_box).to_contain_text("优秀 30")
    assert_labelled(page)
    assert_accessible(page)
    screenshot(page, "leadership-round-imported")


def test_an_evidence_page_links_the_field_records_it_rests_on(page: Any, site: Site) -> None:
    with closing(site.login_api("officer")) as api:
        record = _ok(api.get("/api/records", params={"state": "submitted", "limit": 1}))["items"][0]
        evidence = _ok(api.post("/api/evidence", json={
            "cadre_id": record["cadre_ids"][0], "domain": "urban_renewal",
            "title": f"依据记录的实绩{secrets.token_hex(2)}",
            "period_start": "2026-01-01", "period_end": "2026-06-30", "record_ids": [record["id"]]}))
    sign_in(page, "leader", f"/evidence/{evidence['id']}")
    link = page.get_by_role("region", name="依据的调研记录").get_by_role("link", name=re.compile(
        re.escape(f"FR-{record['id']:06d} {record['title']}")))
    assert_accessible(page)
    link.click()
    page.wait_for_url(f"**/records/{record['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(record["title"])


def test_deactivating_an_account_or_changing_its_role_is_asked_first(page: Any, site: Site) -> None:
    with closing(site.login_api("admin")) as api:
        user = next(u for u in _ok(api.get("/api/users")) if u["username"] == "officer_d10")
    asked: list[str] = []

    def answer_no(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer_no)
    sign_in(page, "admin", f"/users/{user['id']}")
    form = page.locator("#account-form")
    form.get_by_label(re.compile("^启用")).uncheck()
    form.get_by_role("button", name="保存账户").click()
    expect(form.get_by_role("button", name="保存账户")).to_be_enabled()
    assert asked and "停用" in asked[-1], asked
    form.get_by_label(re.compile("^启用")).check()
    form.get_by_label("角色").select_option(label="领导")
    form.get_by_role("button", name="保存账户").click()
    assert len(asked) == 2 and "角色" in asked[-1], asked
    with closing(site.login_api("admin")) as api:
        now = _ok(api.get(f"/api/users/{user['id']}"))
    assert now["active"] and now["role"] == "officer" and now["version"] == user["version"]
    # A change of name alone is saved without a question.
    form.get_by_label("角色").select_option(label="干部工作人员")
    with page.expect_navigation():
        form.get_by_role("button", name="保存账户").click()
    assert len(asked) == 2, asked


def test_login_entries_of_the_audit_trail_say_how_the_session_was_opened(page: Any, site: Site) -> None:
    sign_in(page, "auditor", "/audit?action=auth.login")
    trail = page.get_by_role("region", name="审计记录")
    expect(trail).to_contain_text("类型：网页登录")
    assert "cookie" not in trail.inner_text()


def test_comparing_two_saved_versions_brings_the_differences_into_view(
        page: Any, site: Site, viewport: str) -> None:
    position = site.data["position"]["id"]
    with closing(site.login_api("officer")) as api:
        for note in ("初稿", "复核后"):
            _ok(api.post(f"/api/positions/{position}/shortlist/versions",
                         json={"top_n": 20, "note": f"{note}（{viewport}）"}))
    sign_in(page, "officer", f"/shortlists/{position}")
    page.get_by_role("button", name="比较").click()
    page.wait_for_url(re.compile(r"from=\d+&to=\d+#diff$"))
    expect(page.get_by_role("heading", name=re.compile(r"第 \d+ 版 → 第 \d+ 版"))).to_be_in_viewport()


def test_unit_pickers_list_sibling_units_in_the_order_of_their_codes(page: Any, site: Site) -> None:
    expected = [u["name"] for u in _city_children(site)]
    sign_in(page, "officer", "/campaigns")
    page.get_by_role("link", name="2026年市管领导班子专题调研").first.click()
    options = page.locator("#tm-unit option").all_inner_texts()[1:]  # after （不指派单位）
    # The city and its direct sub-units stand flush left, their own sub-units indented.
    shown = [o for o in options if not o.startswith("　")]
    assert shown == ["江州市", *expected]


def test_a_compiled_inspection_draft_names_the_current_post_once(page: Any, site: Site) -> None:
    with closing(site.login_api("officer")) as api:
        draft = next(d for d in _ok(api.get("/api/inspection-drafts")) if d["promotion_id"])
        cadre = _ok(api.get(f"/api/cadres/{draft['cadre_id']}"))
        unit = _ok(api.get(f"/api/units/{cadre['unit_id']}"))["name"]
    # Compiled for the cadre, not the promotion: the promotion's own list keeps its one demo draft.
    sign_in(page, "officer", f"/inspection-drafts?cadre_id={draft['cadre_id']}")
    with page.expect_navigation(url=re.compile(r"/inspection-drafts/\d+$")):
        page.get_by_role("button", name="生成考察材料初稿").click()
    basic = page.locator("section", has=page.get_by_role("heading", name=re.compile("基本情况")))
    expect(basic).to_contain_text(f"现任{unit_post(unit, cadre['post'])}。")
    if unit in cadre["post"]:
        assert f"现任{unit}{cadre['post']}" not in basic.inner_text()


def test_a_new_password_typed_twice_differently_is_refused_at_the_second_box(page: Any, site: Site) -> None:
    sign_in(page, "researcher2", "/account")
    form = page.locator("#password-form")
    form.get_by_label("当前密码").fill("Demo@2024pass")
    form.get_by_label(re.compile("^新密码")).fill("Another@pass-2026")
    again = form.get_by_label("再次输入新密码")
    again.fill("Another@pass-2062")
    form.get_by_role("button", name="修改密码").click()
    expect(again).to_have_attribute("aria-invalid", "true")
    described = (again.get_attribute("aria-describedby") or "").split()
    assert described, "the second box names no message"
    expect(page.locator(f"#{described[-1]}")).to_have_text("两次输入的新密码不一致，请重新输入")
    # Nothing was sent: the account still signs in with its password.
    with closing(site.login_api("researcher2")) as api:
        assert api.get("/api/auth/me").status_code == 200
    expect(form.get_by_label(re.compile("^新密码"))).to_have_attribute("autocomplete", "new-password")
    expect(form.get_by_label("当前密码")).to_have_attribute("autocomplete", "current-password")
