"""Defects found by walking the pages as users do: errors at their fields, the 筛选 label, tables and
grids on a phone, and a form reachable without scrolling past a long list."""

import re
from contextlib import closing
from typing import Any
from urllib.parse import quote

from playwright.sync_api import expect

from tests.web.conftest import Site
from tests.web.helpers import sign_in

# How many line boxes the text of an element takes (1: it does not wrap).
LINES_JS = """el => { const r = document.createRange(); r.selectNodeContents(el);
  return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; }"""


def _marked(page: Any, control: Any, message: str) -> None:
    """The control is marked invalid and the message under it is the one it names."""
    expect(control).to_have_attribute("aria-invalid", "true")
    described = (control.get_attribute("aria-describedby") or "").split()
    assert described, "the invalid control names no message"
    expect(page.locator(f"#{described[-1]}")).to_have_text(message)


def test_filing_errors_stand_under_their_fields_and_go_once_fixed(page: Any, site: Site) -> None:
    sign_in(page, "researcher", "/file")
    form = page.locator("#record-form")
    form.get_by_role("button", name="提交记录").click()
    box = form.locator(".form-error")
    expect(box).to_contain_text("请填写标题")
    # A message that names its field is not prefixed with the name again (标题：请填写标题).
    expect(box).not_to_contain_text("标题：")
    title = page.get_by_label("标题", exact=True)
    _marked(page, title, "请填写标题")
    _marked(page, page.get_by_label("正文"), "请填写正文")
    _marked(page, page.get_by_role("combobox", name="所涉干部"), "请至少选择一名干部")
    title.fill("窗口服务观察")
    form.get_by_role("button", name="提交记录").click()
    expect(box).to_contain_text("请填写正文")
    expect(title).not_to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field-error", has_text="请填写标题")).to_have_count(0)
    # The evidence form: the picked cadre and each date are named at their inputs.
    page.get_by_role("tab", name="实绩").click()
    evidence = page.locator("#evidence-form")
    evidence.get_by_role("button", name=re.compile("提交")).click()
    _marked(page, evidence.get_by_role("combobox", name="干部"), "请选择干部")
    _marked(page, evidence.get_by_label("开始日期"), "请填写开始日期")


def test_the_service_session_form_is_reached_from_the_top_of_its_page(page: Any, site: Site) -> None:
    sign_in(page, "officer", "/service-logs")
    # The form follows a long list of sessions: a link at the top leads to it.
    page.get_by_role("link", name="记录一次服务").click()
    expect(page.locator("#service-log-form")).to_be_in_viewport()


def test_a_session_without_its_cadre_is_refused_in_chinese_at_the_picker(page: Any, site: Site) -> None:
    sign_in(page, "officer", "/service-logs")
    form = page.locator("#service-log-form")
    form.get_by_role("button", name="保存").click()
    box = form.locator(".form-error")
    expect(box).to_contain_text("干部：必填项缺失")
    expect(box).not_to_contain_text("Input should")
    _marked(page, form.get_by_role("searchbox", name="查找领导干部"), "必填项缺失")


def test_the_filter_toggle_says_conditions_are_set_only_when_one_is(page: Any, site: Site) -> None:
    name = quote(site.data["cadre"]["name"])
    sign_in(page, "officer", "/search")
    toggle = page.locator("button.filter-toggle")
    for url, text in ((f"/search?q={name}&mode=candidates", "筛选"), (f"/search?q={name}&page=2", "筛选"),
                      ("/search?tier=city_managed", "筛选（已设条件）"),
                      (f"/search?q={name}&domain=urban_renewal", "筛选（已设条件）")):
        page.goto(url)
        assert (toggle.text_content() or "").strip() == text, url


def _team_with_members(site: Site) -> int:
    with closing(site.login_api("officer")) as api:
        teams = api.get("/api/leadership/teams")
        teams.raise_for_status()
        return int(next(t["unit_id"] for t in teams.json() if t["members"]))


def test_leadership_members_read_as_labelled_cards_on_a_phone(page: Any, site: Site, viewport: str) -> None:
    unit_id = _team_with_members(site)
    sign_in(page, "officer", f"/leadership/{unit_id}")
    table = page.get_by_role("region", name="班子成员", exact=True).locator("table")
    row = table.locator("tbody tr").first
    select = row.get_by_role("combobox", name=re.compile("的角色$"))
    expect(select).to_be_visible()
    # The select's own label is for screen readers only; the column says what it is.
    label_box = row.locator("label").bounding_box()
    assert label_box is None or label_box["width"] <= 1, f"the role label is shown: {label_box}"
    if viewport == "phone":
        expect(table.locator("thead")).to_be_hidden()
        for column in ("姓名", "职务", "角色", "任职起止", "调整角色"):
            expect(row.locator(".cell-label", has_text=column).first).to_be_visible()
        wrap = page.get_by_role("region", name="班子成员", exact=True).bounding_box()
        box = select.bounding_box()
        assert box and wrap and box["x"] + box["width"] <= wrap["x"] + wrap["width"]
        assert select.evaluate("s => s.scrollWidth <= s.clientWidth"), "the role select is cut off"


def test_unit_names_of_the_score_grid_stay_on_one_line(page: Any, site: Site) -> None:
    sign_in(page, "officer", f"/scoreboard/{site.data['periods'][-1]}/manage")
    heads = page.locator("table.score-grid tbody th")
    expect(heads.first).to_be_visible()
    wrapped = [h.inner_text() for h in heads.all() if h.evaluate(LINES_JS) > 1]
    assert not wrapped, f"unit names wrapped over several lines: {wrapped}"
