"""Dossier PDF through the API: real Typst output read back with poppler, scope, masking, audit."""

import hashlib
import re
import shutil
import struct
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI

from service.config import Settings
from service.deps import get_app_settings
from tests.dossier.helpers import (
    SERIAL_RE,
    all_text,
    dossier_world,
    page_count,
    page_text,
    run,
    squash,
)
from tests.factories import Api
from tests.pdf.factories import stamp_is_drawn, watermark_stamps

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _poppler() -> None:
    tools = ("pdftotext", "pdfinfo", "pdffonts", "pdftoppm", "pdfimages")
    missing = [t for t in tools if shutil.which(t) is None]
    assert not missing, f"install poppler-utils to run the PDF tests (missing {missing})"


async def _export(api: Api, headers: dict[str, str], cadre_id: int, tmp_path: Path,
                  name: str = "dossier.pdf") -> tuple[Path, str]:
    r = await api.client.get(f"/api/cadres/{cadre_id}/dossier.pdf", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    serial = r.headers["x-export-serial"]
    assert SERIAL_RE.match(serial), serial
    path = tmp_path / name
    path.write_bytes(r.content)
    return path, serial


async def test_officer_export_is_a_printable_dossier_of_what_the_officer_may_read(
        api: Api, tmp_path: Path) -> None:
    world = await dossier_world(api)
    pdf, _ = await _export(api, world.officer, world.cadre["id"], tmp_path)
    text = all_text(pdf)
    for expected in ["林振华", "干部实绩档案", "鼓楼区住建局", "局长", "福州大学土木工程", "一级主任科员",
                     "2023年度考核为优秀", "诫勉谈话", "城市更新", "招商引资", "已核实", "窗口服务",
                     *world.evidence_titles, *world.record_titles, world.cadre["national_id"]]:
        assert squash(expected) in text, expected
    for digest in world.attachment_sha256:
        assert digest in text, "attachment SHA-256 listed"
    for hidden in world.hidden_titles:
        assert hidden not in text, "a draft record is not the officer's to read"
    # The photo is printed as an image on the form page.
    [photo] = [row for row in run("pdfimages", "-list", pdf).splitlines()[2:]
               if row.split()[3:5] == ["50", "70"]]
    assert photo.split()[2:5] == ["image", "50", "70"], photo


async def test_pdf_has_embedded_subset_fonts_footer_and_watermark_on_every_page(
        api: Api, tmp_path: Path) -> None:
    world = await dossier_world(api)
    pdf, serial = await _export(api, world.officer, world.cadre["id"], tmp_path)
    rows = run("pdffonts", pdf).splitlines()[2:]
    assert any("CJK" in row.split()[0] for row in rows)
    for row in rows:
        emb, sub, uni = row.split()[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
    info = run("pdfinfo", pdf)
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info, re.MULTILINE)
    total = page_count(pdf)
    assert total >= 4
    for page in range(1, total + 1):
        text = page_text(pdf, page)
        assert f"第 {page} 页 共 {total} 页" in text, f"footer of page {page}"
        assert watermark_stamps(pdf, page) >= 10, f"watermark on page {page}"
        # Copying the page's text never brings the watermark along.
        assert "北京时间" not in squash(text), f"watermark text on page {page}"
        assert serial in squash(text), f"serial in the footer of page {page}"
    assert stamp_is_drawn(pdf, total, tmp_path)


async def test_first_page_renders_to_png(api: Api, tmp_path: Path) -> None:
    world = await dossier_world(api)
    pdf, _ = await _export(api, world.officer, world.cadre["id"], tmp_path)
    run("pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", pdf, tmp_path / "page")
    [png] = list(tmp_path.glob("page*.png"))
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1500
    width, height = struct.unpack(">II", data[16:24])
    assert (abs(width - 331), abs(height - 468)) <= (1, 1)  # A4 at 40 dpi


async def test_export_is_registered_and_audited_with_the_sha256_of_the_bytes_received(
        api: Api, tmp_path: Path) -> None:
    world = await dossier_world(api)
    r = await api.client.get(f"/api/cadres/{world.cadre['id']}/dossier.pdf", headers=world.officer)
    assert r.status_code == 200
    serial, digest = r.headers["x-export-serial"], hashlib.sha256(r.content).hexdigest()
    assert r.headers["x-content-sha256"] == digest
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote('干部实绩档案_林振华_' + serial + '.pdf')}" in disposition
    audit = await api.pool.fetchrow(
        "SELECT * FROM audit_log WHERE action = 'export.dossier' AND details->>'serial' = $1", serial)
    assert audit is not None
    assert audit["details"]["sha256"] == digest and audit["details"]["size"] == len(r.content)
    assert (audit["object_type"], audit["object_id"]) == ("cadre", str(world.cadre["id"]))
    row = await api.pool.fetchrow("SELECT * FROM exports WHERE serial = $1", serial)
    assert row["sha256"] == digest and row["kind"] == "dossier"
    assert list(row["object_ids"]) == [world.cadre["id"]] and row["job_id"] is None
    again = await api.client.get(f"/api/cadres/{world.cadre['id']}/dossier.pdf", headers=world.officer)
    assert again.headers["x-export-serial"] != serial, "every export has its own serial"


async def test_leader_export_masks_what_the_cadre_api_masks_for_a_leader(
        api: Api, tmp_path: Path) -> None:
    world = await dossier_world(api)
    full = world.cadre["national_id"]
    masked = full[:6] + "*" * 8 + full[-4:]
    officer_pdf, _ = await _export(api, world.officer, world.cadre["id"], tmp_path, "o.pdf")
    leader_pdf, _ = await _export(api, world.leader, world.cadre["id"], tmp_path, "l.pdf")
    officer_text, leader_text = all_text(officer_pdf), all_text(leader_pdf)
    assert full in officer_text and "诫勉谈话" in officer_text
    assert masked in leader_text and full not in leader_text
    assert world.evidence_titles[0] in leader_text
    # Exactly what the leader reads through the API, no more.
    seen = (await api.client.get(f"/api/cadres/{world.cadre['id']}", headers=world.leader)).json()
    assert seen["national_id"] == masked
    for item in seen["rewards_penalties"]:
        assert squash(item["title"]) in leader_text
        assert item["issuer"] is None or squash(item["issuer"]) in leader_text
    assert "诫勉谈话" not in leader_text and "区纪委" not in leader_text


async def test_out_of_scope_or_missing_cadre_is_404_and_other_roles_may_not_export(
        api: Api) -> None:
    world = await dossier_world(api)
    url = f"/api/cadres/{world.cadre['id']}/dossier.pdf"
    out_of_scope = await api.client.get(url, headers=world.outsider)
    missing = await api.client.get("/api/cadres/999999999/dossier.pdf", headers=world.officer)
    for r in (out_of_scope, missing):
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    assert out_of_scope.json()["detail"] == missing.json()["detail"]
    _, auditor = await api.user("auditor")
    for headers in (world.researcher, auditor, api.admin):
        assert (await api.client.get(url, headers=headers)).status_code == 403
    assert (await api.client.get(url)).status_code == 401


async def test_missing_cjk_font_is_a_503_naming_the_setting(
        api: Api, app: FastAPI, settings: Settings, tmp_path: Path) -> None:
    world = await dossier_world(api)
    (tmp_path / "fonts").mkdir()
    broken = settings.model_copy(update={"cjk_font_path": tmp_path / "fonts"})
    app.dependency_overrides[get_app_settings] = lambda: broken
    try:
        r = await api.client.get(f"/api/cadres/{world.cadre['id']}/dossier.pdf",
                                 headers=world.officer)
    finally:
        app.dependency_overrides.pop(get_app_settings)
    assert r.status_code == 503 and r.headers["content-type"] == PROBLEM
    assert "CADRE_CJK_FONT_PATH" in r.json()["detail"] and r.json()["setting"] == "CADRE_CJK_FONT_PATH"


async def test_dossier_without_evidence_or_records_still_prints(api: Api, tmp_path: Path) -> None:
    _, officer = await api.user("officer", [api.units["d2"]])
    cadre = await api.cadre(officer, api.units["d2_bureau"], name="陈晓燕", career=[], appraisals=[])
    pdf, _ = await _export(api, officer, cadre["id"], tmp_path)
    text = all_text(pdf)
    assert "陈晓燕" in text and "（暂无实绩证据）" in text and "（暂无调研纪实）" in text
