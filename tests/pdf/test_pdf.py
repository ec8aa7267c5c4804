"""Real PDF rendering checked with poppler: copyable text, embedded subset fonts,
page footer, watermark on every page, rasterisable pages. No mocks."""

import logging
import re
import shutil
import struct
from datetime import date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from schemas.export import (
    AttachmentInfo,
    CadreProfile,
    DossierCover,
    DossierDoc,
    EvidenceGroup,
    EvidenceItem,
    FieldRecordSummary,
    Metric,
    Position,
    PromotionDoc,
    ResumeLine,
    ShortlistDoc,
)
from service.pdf import (
    FontNotFoundError,
    find_cjk_font_dirs,
    render_dossier,
    render_promotion,
    render_shortlist,
)
from tests.dossier.helpers import page_count, page_text, run, squash
from tests.pdf.factories import (
    build_dossier,
    build_promotion,
    build_shortlist,
    png_photo,
    stamp_is_drawn,
    watermark,
    watermark_stamps,
)

POPPLER = ("pdftotext", "pdfinfo", "pdffonts", "pdftoppm")
USER, SERIAL = "周审计", "EXP-20250301-000042"


@pytest.fixture(scope="module")
def font_dirs() -> list[Path]:
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    assert not missing, f"install poppler-utils to run the PDF tests (missing {missing})"
    return find_cjk_font_dirs(None)


@pytest.fixture(scope="module")
def dossier_pdf(font_dirs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "dossier.pdf"
    path.write_bytes(render_dossier(build_dossier(200, 50), watermark(USER, SERIAL), font_dirs))
    return path


def test_dossier_text_is_copyable(dossier_pdf: Path) -> None:
    text = squash(run("pdftotext", "-raw", dossier_pdf, "-"))
    for expected in (
        "干部实绩档案",
        "林振华",
        "滨江区城市更新局",
        "基本情况",
        "实绩证据",
        "调研纪实",
        "所在单位考核",
        "选拔任用记录",
        "附件清单",
        "中共浙江省委党校",
        "高级经济师",
        "330281********1234",
        "2021年度称职",
        "全市城市更新工作先进个人",
        "EV-000001",
        "EV-000200",
        "FR-00001",
        "FR-00050",
        "已核实",
        "2024年度述职报告.pdf",
    ):
        assert expected in text, expected
    # Long Chinese paragraphs wrap inside cells yet copy out as the original words.
    assert "带领专班赴长三角、珠三角开展驻点招商" in text


def test_dossier_metadata_and_size(dossier_pdf: Path) -> None:
    info = run("pdfinfo", dossier_pdf)
    assert re.search(r"^Title:\s+干部实绩档案（林振华）$", info, re.MULTILINE)
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info, re.MULTILINE)
    assert page_count(dossier_pdf) > 15


def test_cjk_font_embedded_as_subset(dossier_pdf: Path) -> None:
    rows = run("pdffonts", dossier_pdf).splitlines()[2:]
    assert rows, "no fonts listed"
    assert any("CJK" in row.split()[0] for row in rows)
    for row in rows:
        # name type... encoding emb sub uni object-id gen: read the flags from the right.
        emb, sub, uni = row.split()[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row


def test_footer_and_watermark_on_every_page(dossier_pdf: Path, tmp_path: Path) -> None:
    total = page_count(dossier_pdf)
    for page in range(1, total + 1):
        text = page_text(dossier_pdf, page)
        assert f"第 {page} 页 共 {total} 页" in text, f"footer of page {page}"
        # The watermark is a picture tiled over the page, not text that copying would pick up.
        assert watermark_stamps(dossier_pdf, page) >= 10, f"watermark missing on page {page}"
        flat = squash(text)
        assert "北京时间" not in flat and f"{USER}2025-03-01" not in flat, f"watermark text on page {page}"
    assert stamp_is_drawn(dossier_pdf, 2, tmp_path)


def test_evidence_table_header_repeats(dossier_pdf: Path) -> None:
    pages_with_evidence = [
        page
        for page in range(1, page_count(dossier_pdf) + 1)
        if re.search(r"^EV-\d{6}", page_text(dossier_pdf, page), re.MULTILINE)
    ]
    assert len(pages_with_evidence) > 5
    for page in pages_with_evidence:
        assert "实绩事项及说明" in page_text(dossier_pdf, page), f"no table header on page {page}"


def test_outline_lists_sections_with_pages(dossier_pdf: Path) -> None:
    contents = squash(page_text(dossier_pdf, 2))
    assert contents.startswith("目录") or "目录" in contents[:40]
    for heading in ("一、基本情况", "二、实绩证据", "（一）城市更新", "六、附件清单"):
        assert heading in contents, heading


def test_first_page_rasterises(dossier_pdf: Path, tmp_path: Path) -> None:
    run("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", dossier_pdf, tmp_path / "p")
    pngs = list(tmp_path.glob("p*.png"))
    assert len(pngs) == 1
    data = pngs[0].read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 2000
    width, height = struct.unpack(">II", data[16:24])
    assert abs(width - 413) <= 1 and abs(height - 585) <= 1  # A4 at 50 dpi


def test_font_not_found_in_empty_dir(tmp_path: Path) -> None:
    with pytest.raises(FontNotFoundError) as caught:
        find_cjk_font_dirs(tmp_path)
    message = str(caught.value)
    assert "CADRE_CJK_FONT_PATH" in message and "中文字体" in message
    with pytest.raises(FontNotFoundError):
        render_dossier(build_dossier(1, 1), watermark(), [tmp_path])


def test_configured_font_file_or_dir(font_dirs: list[Path]) -> None:
    directory = font_dirs[0]
    assert find_cjk_font_dirs(directory) == [directory]
    font_file = next(p for p in sorted(directory.iterdir()) if p.suffix in (".ttc", ".otf"))
    assert find_cjk_font_dirs(font_file) == [directory]


NASTY = [
    '#set page(fill: red) #panic("boom") [x] $y^2$ \\ *b* _i_ <lbl> @ref',
    '// c /* d */ `raw` = h #{ read("/etc/passwd") } "q" \'a\' ~ & <> {{}} %',
    '#import "common.typ": * #eval("1") \\u{41} ]]] [[[ $$ ### 乱码＃［］',
]


def test_nasty_user_text_is_printed_literally(font_dirs: list[Path], tmp_path: Path) -> None:
    base = build_dossier(3, 2)
    item = EvidenceItem(
        id="EV-#[1]",
        title=NASTY[0],
        description=NASTY[1] + "\n第二行" + NASTY[2],
        metrics=[Metric(name="$x$", value="#1 [2]", unit="\\")],
        judgement="negative",
        verification_state="已核实 #[x]",
        verifier="[王]",
    )
    record = FieldRecordSummary(
        id="FR-*",
        kind="_谈话_",
        date=date(2024, 1, 2),
        author="$作者$",
        title=NASTY[2],
        summary=NASTY[0],
    )
    doc = base.model_copy(
        update={
            "profile": base.profile.model_copy(update={"name": "#张[三]$", "birthplace": NASTY[2]}),
            "resume": [ResumeLine(start=date(2000, 1, 1), unit="#单位", post=NASTY[1])],
            "evidence": [EvidenceGroup(domain="#领域[1]", items=[item])],
            "field_records": [record],
            "attachments": [
                AttachmentInfo(name=NASTY[0] + ".pdf", size=1, sha256="#" * 64, content_type="[x]/$y$")
            ],
        }
    )
    pdf = tmp_path / "nasty.pdf"
    pdf.write_bytes(render_dossier(doc, watermark("#[用户]$", "S-#1"), font_dirs))
    text = squash(run("pdftotext", "-raw", pdf, "-"))
    for nasty in [*NASTY, "#张[三]$", "#领域[1]", "EV-#[1]", "[x]/$y$"]:
        assert squash(nasty) in text, nasty
    assert "boom" in text  # the panic call was printed, not run
    info = run("pdfinfo", pdf)
    assert "#[用户]$" in info  # metadata author is the exporting user, verbatim


def test_minimal_documents_render_without_warnings(
    font_dirs: list[Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="service.pdf.pdf")
    cover = DossierCover(cadre_name="甲", unit="乙", post="丙", generated_at=datetime(2025, 1, 1))
    profile = CadreProfile(name="甲", current_unit="乙", current_post="丙")
    rendered = {
        "dossier": render_dossier(DossierDoc(cover=cover, profile=profile), watermark(), font_dirs),
        "shortlist": render_shortlist(
            ShortlistDoc(position=Position(unit="乙", post="丙"), version=1, inputs_hash="0"),
            watermark(),
            font_dirs,
        ),
        "promotion": render_promotion(
            PromotionDoc(cadre_name="甲", kind="提拔任用", target_post="丙", status="动议"),
            watermark(),
            font_dirs,
        ),
    }
    for name, pdf_bytes in rendered.items():
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(pdf_bytes)
        total = page_count(pdf)
        assert f"第 {total} 页 共 {total} 页" in page_text(pdf, total), name
    assert "（暂无实绩证据）" in run("pdftotext", tmp_path / "dossier.pdf", "-")
    assert not caplog.records, [r.getMessage() for r in caplog.records]


def test_photo_must_be_jpeg_or_png() -> None:
    with pytest.raises(ValidationError):
        CadreProfile(name="甲", current_unit="乙", current_post="丙", photo=b"GIF89a....")
    assert CadreProfile(name="甲", current_unit="乙", current_post="丙", photo=png_photo()).photo


def test_shortlist_renders(font_dirs: list[Path], tmp_path: Path) -> None:
    doc = build_shortlist()
    pdf = tmp_path / "shortlist.pdf"
    pdf.write_bytes(render_shortlist(doc, watermark(USER, SERIAL), font_dirs))
    total = page_count(pdf)
    text = squash(run("pdftotext", pdf, "-"))
    for expected in (
        "候选人名单",
        "滨江区人民政府",
        "副区长",
        "第3版",
        "【符合】",
        "置顶",
        "排除",
        "任职回避",
        doc.candidates[0].name,
        str(doc.candidates[0].evidence[0].evidence_id),
    ):
        assert expected in text, expected
    for page in range(1, total + 1):
        flat = page_text(pdf, page)
        assert f"第 {page} 页 共 {total} 页" in flat
        assert watermark_stamps(pdf, page) >= 10 and "北京时间" not in squash(flat)
    assert "Title:           候选人名单（滨江区人民政府副区长）" in run("pdfinfo", pdf)


def test_promotion_renders(font_dirs: list[Path], tmp_path: Path) -> None:
    pdf = tmp_path / "promotion.pdf"
    pdf.write_bytes(render_promotion(build_promotion(), watermark(USER, SERIAL), font_dirs))
    text = run("pdftotext", pdf, "-")
    for expected in (
        "干部选拔任用纪实",
        "林振华",
        "任前公示中",
        "民主推荐",
        "71 票（82.6%）",
        "2025.02.17—2025.02.21，5 个工作日",
        "文号",
        "2025.01.15—2025.01.24",
    ):
        assert expected in text, expected
    assert f"第 1 页 共 {page_count(pdf)} 页" in page_text(pdf, 1)
    assert SERIAL in squash(page_text(pdf, 1))
