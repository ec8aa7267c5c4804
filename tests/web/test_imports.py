"""导入 and the export buttons in the browser: an LRMX exported from a dossier, edited, previewed
field by field and imported; a roster and approval forms exported from search results."""

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import Site
from tests.web.helpers import assert_labelled, sign_in


def test_lrmx_from_a_dossier_is_previewed_and_imported_on_the_import_page(
        page: Any, site: Site, screenshot: Any, viewport: str, tmp_path: Path) -> None:
    cadre = site.data["cadre"]
    sign_in(page, "officer", f"/cadres/{cadre['id']}")
    expect(page.locator(".quality")).to_contain_text("到龄时间")
    with page.expect_download() as download:
        page.get_by_role("link", name="LRMX").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "<XingMing>" + cadre["name"] + "</XingMing>" in exported
    with page.expect_download() as download:
        page.get_by_role("link", name="任免审批表 Word").click()
    assert Path(download.value.path()).read_bytes().startswith(b"PK")
    expertise = f"城市更新项目管理（{viewport}）"
    edited = re.sub(r"<ShuXiZhuanYeYouHeZhuanChang>.*?</ShuXiZhuanYeYouHeZhuanChang>",
                    f"<ShuXiZhuanYeYouHeZhuanChang>{expertise}</ShuXiZhuanYeYouHeZhuanChang>", exported)
    upload = tmp_path / "表.lrmx"
    upload.write_text(edited, encoding="utf-8")
    page.goto("/imports")
    assert_labelled(page)
    page.get_by_label(re.compile("文件（.lrmx")).set_input_files(str(upload))
    page.locator("#lrmx-form").get_by_role("button", name="上传并预览").click()
    expect(page.locator(".import-file")).to_contain_text("【修改】")
    expect(page.locator(".import-file table")).to_contain_text(expertise)
    screenshot(page, "import-preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#result-h")).to_contain_text("导入完成")
    expect(page.locator("#import-apply")).to_be_hidden()


def test_search_results_export_a_roster_and_approval_forms(page: Any, site: Site, screenshot: Any) -> None:
    name = site.data["cadre"]["name"]
    sign_in(page, "officer", "/search?q=" + name + "&mode=candidates")
    expect(page.locator(".export-bar")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="花名册（Excel）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Path(download.value.path()).read_bytes().startswith(b"PK")
    with page.expect_download() as download:
        page.get_by_role("button", name="任免审批表（PDF）").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    screenshot(page, "search-export")
