"""填报 in the browser: draft kept locally, cadre picked by name, upload with progress, no duplicates."""

import asyncio
import re
import secrets
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from typing import Any

import asyncpg
from playwright.sync_api import expect

from service.campaigns import repo as campaigns_repo
from tests.web.conftest import Site
from tests.web.helpers import assert_labelled, sign_in


def photo(size: int = 400_000) -> bytes:
    """A valid PNG with a large text chunk, so the upload takes several progress events."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"tEXt", b"Comment\x00" + secrets.token_hex(size // 2).encode())
            + chunk(b"IDAT", zlib.compress(b"\x00\xc8\x10\x10")) + chunk(b"IEND", b""))


def _records_titled(site: Site, title: str) -> int:
    client = site.login_api("researcher")
    try:
        items = client.get("/api/records", params={"limit": 200}).json()["items"]
    finally:
        client.close()
    return sum(1 for r in items if r["title"] == title)


def test_a_filed_record_with_an_attachment_is_found_by_search_and_a_lost_answer_files_it_once(
        page: Any, site: Site, screenshot: Any, viewport: str) -> None:
    cadre = site.data["researcher_cadre"]
    title = f"老旧小区改造现场察看{viewport}{secrets.token_hex(3)}"
    sign_in(page, "researcher", "/file")
    assert_labelled(page)
    page.get_by_label("记录类型").select_option("site_visit")
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("地点").fill("鼓楼区东街社区")
    page.get_by_label("正文").fill("实地察看老旧小区改造进度，加装电梯8部，群众满意度较高。")
    # The draft survives a reload (or a closed tab) in this browser.
    page.reload()
    expect(page.locator("[data-draft-note]").first).to_be_visible()
    expect(page.get_by_label("标题", exact=True)).to_have_value(title)
    picker = page.get_by_role("combobox", name="所涉干部")
    picker.fill(cadre["name"])
    option = page.get_by_role("option", name=re.compile(cadre["name"]))
    expect(option.first).to_be_visible()
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(page.locator("#record-form .chip", has_text=cadre["name"])).to_be_visible()
    page.locator("#rec-files").set_input_files(
        files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": photo()}])
    expect(page.locator("#record-form .upload-status", has_text="已上传")).to_be_visible()
    expect(page.locator("#record-form progress")).to_have_attribute("value", "100")
    screenshot(page, "filing")
    # The first answer is lost on the way back: the record is filed, the browser hears nothing.
    lost: list[bool] = []

    def lose_first_answer(route: Any) -> None:
        if not lost:
            lost.append(True)
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/records", lose_first_answer)
    page.get_by_role("button", name="提交记录").click()
    expect(page.locator("#record-form .form-error")).to_contain_text("网络连接失败")
    expect(page.get_by_label("标题", exact=True)).to_have_value(title)
    page.get_by_role("button", name="提交记录").click()
    done = page.locator("#record-form .form-done")
    expect(done).to_contain_text("已提交")
    assert _records_titled(site, title) == 1
    # The draft is gone once filed.
    page.reload()
    expect(page.get_by_label("标题", exact=True)).to_have_value("")
    site.wait_indexed()  # the indexer has caught up with the filing: search must show it now
    page.goto(f"/search?q={title}")
    link = page.locator(".hit-title a", has_text=title)
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("link", name="现场照片.png")).to_be_visible()
    expect(page.get_by_role("link", name=cadre["name"])).to_be_visible()
    screenshot(page, "record")


def test_a_double_click_on_submit_files_once_and_keeps_the_success_message(
        page: Any, site: Site, viewport: str) -> None:
    cadre = site.data["researcher_cadre"]
    title = f"窗口服务双击提交{viewport}{secrets.token_hex(3)}"
    sign_in(page, "researcher", "/file")
    page.get_by_label("记录类型").select_option("site_visit")
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("正文").fill("实地察看政务服务中心窗口。")
    picker = page.get_by_role("combobox", name="所涉干部")
    picker.fill(cadre["name"])
    page.get_by_role("option", name=re.compile(cadre["name"])).first.click()
    expect(page.locator("#record-form .chip", has_text=cadre["name"])).to_be_visible()
    submit = page.get_by_role("button", name="提交记录")
    submit.dblclick()
    done = page.locator("#record-form .form-done")
    expect(done).to_contain_text("已提交")
    # A person's double-click is slower than a quick answer: its second click lands on the emptied form.
    submit.click()
    expect(done).to_be_visible()
    expect(done).to_contain_text(title)
    expect(page.locator("#record-form .form-error")).to_be_hidden()
    assert _records_titled(site, title) == 1
    # Once the next record is begun, 提交 checks the form again.
    page.get_by_label("标题", exact=True).fill("下一条")
    submit.click()
    expect(page.locator("#record-form .form-error")).to_contain_text("请填写正文")


def test_filing_errors_are_shown_in_chinese_next_to_the_form(page: Any, site: Site) -> None:
    sign_in(page, "researcher", "/file")
    page.get_by_role("button", name="提交记录").click()
    error = page.locator("#record-form .form-error")
    expect(error).to_contain_text("请填写标题")
    expect(error).to_contain_text("请至少选择一名干部")


def test_evidence_with_metrics_is_filed_for_a_cadre_picked_by_pinyin(
        page: Any, site: Site, screenshot: Any, viewport: str) -> None:
    from pypinyin import lazy_pinyin

    cadre = site.data["cadre"]
    title = f"老旧小区加装电梯{viewport}{secrets.token_hex(3)}"
    sign_in(page, "officer", "/file")
    page.get_by_role("tab", name="实绩").click()
    picker = page.get_by_role("combobox", name="干部")
    picker.fill("".join(lazy_pinyin(cadre["name"])))
    page.get_by_role("option", name=re.compile(cadre["name"])).first.click()
    expect(page.locator("#evidence-form .chip", has_text=cadre["name"])).to_be_visible()
    page.get_by_label("工作领域").select_option("urban_renewal")
    page.get_by_label("开始日期").fill("2026-01-01")
    page.get_by_label("结束日期").fill("2026-09-30")
    page.get_by_label("实绩标题").fill(title)
    page.get_by_role("button", name="添加指标").click()
    page.get_by_label("指标名称").fill("加装电梯")
    page.get_by_label("数值").fill("8")
    page.get_by_label("单位", exact=True).fill("部")
    assert_labelled(page)
    page.get_by_role("button", name="提交实绩").click()
    done = page.locator("#evidence-form .form-done")
    expect(done).to_contain_text("已提交实绩")
    done.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("table.metrics")).to_contain_text("加装电梯")
    expect(page.locator("table.metrics")).to_contain_text("8 部")
    # Nobody verifies evidence they filed themselves: the form is not offered.
    expect(page.get_by_role("button", name="提交核实")).to_have_count(0)
    screenshot(page, "evidence")


async def _outside_team(url: str, team_id: int, cadre_ids: list[int]) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        return await campaigns_repo.cadres_outside_assignment(conn, team_id, cadre_ids)
    finally:
        await conn.close()


def _outside(site: Site, team_id: int, cadre_ids: list[int]) -> set[int]:
    """Which of the cadres the team's assignment does not cover (the filing rule itself)."""
    # Run in a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        return set(pool.submit(asyncio.run, _outside_team(
            site.settings.database_url or "", team_id, cadre_ids)).result())


def _readable(site: Site) -> list[dict[str, Any]]:
    with closing(site.login_api("researcher")) as api:
        items: list[dict[str, Any]] = api.get("/api/cadres", params={"status": "active", "limit": 200}
                                              ).json()["items"]
    return items


def _first_team(page: Any) -> int:
    return int(page.locator("#rec-team").input_value().split(":")[1])


def test_the_record_picker_offers_only_cadres_of_the_chosen_team(page: Any, site: Site) -> None:
    from pypinyin import lazy_pinyin

    sign_in(page, "researcher", "/file")
    readable = _readable(site)
    outside = _outside(site, _first_team(page), [c["id"] for c in readable])
    inside_names = {c["name"] for c in readable if c["id"] not in outside}
    # Readable through another team of the researcher's (so the search index would offer it),
    # with no namesake the chosen team covers.
    cadre = next(c for c in readable if c["id"] in outside and c["name"] not in inside_names)
    picker = page.get_by_role("combobox", name="所涉干部")
    picker.fill(cadre["name"])
    listbox = page.locator("#rec-cadre-list")
    expect(listbox.locator(".picker-empty")).to_have_text(
        "没有找到匹配的干部（只能选择所选调研组调研范围内的干部）")
    expect(listbox.get_by_role("option")).to_have_count(0)
    # A cadre of the team is offered, by name or by pinyin.
    assigned = site.data["researcher_cadre"]
    picker.fill("".join(lazy_pinyin(assigned["name"])))
    expect(page.get_by_role("option", name=re.compile(assigned["name"])).first).to_be_visible()
    picker.press("Enter")
    expect(page.locator("#record-form .chip", has_text=assigned["name"])).to_be_visible()


def test_switching_team_removes_picked_cadres_outside_it_with_a_note(page: Any, site: Site) -> None:
    sign_in(page, "researcher", "/file")
    assigned = site.data["researcher_cadre"]
    teams = page.locator("#rec-team option")
    others = [(teams.nth(i).get_attribute("value") or "", teams.nth(i).inner_text().strip())
              for i in range(1, teams.count())]
    # Another team of the researcher's that does not cover the cadre picked under the first.
    value, name = next((v, n) for v, n in others
                       if _outside(site, int(v.split(":")[1]), [assigned["id"]]))
    picker = page.get_by_role("combobox", name="所涉干部")
    picker.fill(assigned["name"])
    page.get_by_role("option", name=re.compile(assigned["name"])).first.click()
    chip = page.locator("#record-form .chip", has_text=assigned["name"])
    expect(chip).to_be_visible()
    page.locator("#rec-team").select_option(value)
    note = page.locator("#record-form [data-picker-note]")
    expect(note).to_have_text(f"已移除不在“{name}”调研范围内的干部：{assigned['name']}。"
                              "如需填报其情况，请改选相应的调研组。")
    expect(chip).to_have_count(0)
    # The draft kept in this browser no longer holds the cadre either.
    page.reload()
    expect(page.locator("#rec-team")).to_have_value(value)
    expect(page.locator("#record-form .chip")).to_have_count(0)


def test_a_cadre_outside_the_chosen_team_is_named_in_the_refusal(page: Any, site: Site) -> None:
    sign_in(page, "researcher", "/file")
    team = page.locator("#rec-team").input_value()
    readable = _readable(site)
    outside = _outside(site, int(team.split(":")[1]), [c["id"] for c in readable])
    cadre = next(c for c in readable if c["id"] in outside)  # readable through another team
    # The picker no longer offers it, but a draft kept in the browser from earlier can still hold
    # it (picked before the team's assignment changed): the refusal names it as picked.
    page.evaluate("""([user, team, cadre]) => localStorage.setItem("cadre-draft:" + user + ":record",
        JSON.stringify({key: null, fields: {team: team, title: "调研组范围以外的干部", body: "个别谈话。"},
                        cadres: [cadre], files: [], metrics: [], pending: null, at: Date.now()}))""",
                  ["researcher", team, {"id": cadre["id"], "name": cadre["name"]}])
    page.reload()
    expect(page.locator("#record-form .chip", has_text=cadre["name"])).to_be_visible()
    page.get_by_role("button", name="提交记录").click()
    error = page.locator("#record-form .form-error")
    expect(error).to_contain_text(f"{cadre['name']} 不在所选调研组的调研范围内")
    assert str(cadre["id"]) not in error.inner_text()
