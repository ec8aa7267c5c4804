"""The two-page 任免审批表: every field lands in its cell (PDF read back by position), fonts are
embedded subsets, Word has the same cells, and roles see what they may."""

import html
import io
import re
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document

from tests.factories import Api
from tests.forms.helpers import imported_cadre

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "approval_form"
TW = 1 / 20  # points per twip
P1_COLS = (784, 236, 1305, 1063, 1302, 1315, 1330, 2058)
P1_ROWS = (709, 692, 680, 709, 346, 346, 346, 346, 709, 709, 709, 7133)
P2_COLS = (742, 1092, 1274, 1145, 535, 315, 469, 3849)
P2_ROWS = (1418, 1021, 1361, 646, 697, 697, 697, 697, 697, 697, 697, 1332, 541, 2019)
LEFT_P1, LEFT_P2, TOP_P2 = 1247 * TW, 1191 * TW, 1621 * TW


@dataclass
class Word:
    page: int
    x: float
    y: float
    text: str


def words(pdf: bytes) -> list[Word]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True,
                             text=True).stdout
    found, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            x0, y0, x1, y1 = (float(m.group(i)) for i in range(1, 5))
            found.append(Word(page, (x0 + x1) / 2, (y0 + y1) / 2, html.unescape(m.group(5))))
    return found


def rect(cols: tuple[int, ...], rows: tuple[int, ...], left: float, top: float, c: int, r: int,
         cs: int = 1, rs: int = 1) -> tuple[float, float, float, float]:
    x0 = left + sum(cols[:c]) * TW
    y0 = top + sum(rows[:r]) * TW
    return x0, y0, x0 + sum(cols[c:c + cs]) * TW, y0 + sum(rows[r:r + rs]) * TW


def in_cell(found: list[Word], page: int, value: str, box: tuple[float, float, float, float]) -> bool:
    head = value[:2]
    return any(w.page == page and w.text.startswith(head) and box[0] <= w.x <= box[2]
               and box[1] <= w.y <= box[3] for w in found)


async def test_every_field_of_both_pages_is_printed_in_its_cell(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    cadre_id = await imported_cadre(api, officer)
    r = await api.client.get(f"/api/cadres/{cadre_id}/approval-form.pdf", headers=officer,
                             params={"reference_date": "2025-06-30"})
    assert r.status_code == 200, r.text
    pdf = r.content
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "approval_form.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(ARTIFACTS / "approval_form.pdf"),
                    str(ARTIFACTS / "page")], check=True)
    assert (ARTIFACTS / "page-1.png").exists() and (ARTIFACTS / "page-2.png").exists()
    found = words(pdf)
    assert max(w.page for w in found) == 2
    # The table's top on page 1 follows the title: find it from the 姓名 label's row centre.
    label = next(w for w in found if w.page == 1 and w.text == "姓")
    top1 = label.y - P1_ROWS[0] * TW / 2

    def p1(value: str, c: int, r: int, cs: int = 1, rs: int = 1) -> None:
        assert in_cell(found, 1, value, rect(P1_COLS, P1_ROWS, LEFT_P1, top1, c, r, cs, rs)), value

    def p2(value: str, c: int, r: int, cs: int = 1, rs: int = 1) -> None:
        assert in_cell(found, 2, value, rect(P2_COLS, P2_ROWS, LEFT_P2, TOP_P2, c, r, cs, rs)), value

    p1("张三", 2, 0)
    p1("男", 4, 0)
    p1("1980.05", 6, 0)
    p1("（45岁）", 6, 0)
    p1("汉族", 2, 1)
    p1("福建福州", 4, 1)
    p1("福建福州", 6, 1)
    p1("2001.06", 2, 2)
    p1("2002.07", 4, 2)
    p1("2043.05", 6, 2)  # 到龄: a man born 1980-05 reaches 63 in 2043-05
    p1("（63岁）", 6, 2)
    p1("健康", 2, 3)
    p1("高级工程师", 4, 3)
    p1("城市规划", 6, 3)
    p1("大学", 3, 4, cs=2)
    p1("工学学士", 3, 5, cs=2)
    p1("福州大学土木工程专业", 6, 4, cs=2, rs=2)
    p1("研究生", 3, 6, cs=2)
    p1("福建省委党校", 6, 6, cs=2, rs=2)
    p1("福州市鼓楼区住房", 3, 8, cs=5)
    p1("福州市鼓楼区副区长", 3, 9, cs=5)
    p1("福州市鼓楼区住房", 3, 10, cs=5)
    for line in ("1998.09--2002.07", "福州大学土木工程专业学习", "2016.01--", "（其间：2009.09--2012.07在"):
        p1(line, 1, 11, cs=7)
    p2("2020年被评为", 1, 0, cs=7)
    p2("2021、2022年度", 1, 1, cs=7)
    p2("工作需要", 1, 2, cs=7)
    p2("妻子", 1, 4)
    p2("李四", 2, 4)
    p2("43", 3, 4)  # born 1982-03, on 2025-06-30
    p2("中共党员", 4, 4, cs=3)
    p2("福州市第一中学教师", 7, 4)
    p2("张大", 2, 5)
    assert not any(w.page == 2 and w.text.isdigit() and rect(P2_COLS, P2_ROWS, LEFT_P2, TOP_P2, 3, 5)[1]
                   <= w.y <= rect(P2_COLS, P2_ROWS, LEFT_P2, TOP_P2, 3, 5)[3] and 3 < w.x - LEFT_P2 < 200
                   for w in found if w.text == "75"), "no age for a deceased relative"
    p2("中共福州市鼓楼区委", 1, 11, cs=7)
    assert any(w.page == 2 and w.text.startswith("填表人") for w in found)
    assert any(w.text.startswith("DA-") for w in found)  # serial in the bottom margin


async def test_fonts_are_embedded_subsets_and_the_text_can_be_copied(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    cadre_id = await imported_cadre(api, officer)
    pdf = (await api.client.get(f"/api/cadres/{cadre_id}/approval-form.pdf", headers=officer)).content
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        fonts = subprocess.run(["pdffonts", f.name], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(re.search(r"\byes\s+yes\s+(yes|no)\s+\d+", row) for row in rows), fonts
    found = words(pdf)
    assert "福州市鼓楼区住房和城乡建设局局长、党组书记" in {w.text for w in found}
    assert "干部任免审批表" in "".join(w.text for w in found)


async def test_leaders_get_the_form_without_family_and_researchers_none(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    _, outsider = await api.user("officer", [api.units["d2"]])
    _, researcher = await api.user("researcher")
    cadre_id = await imported_cadre(api, officer)
    r = await api.client.get(f"/api/cadres/{cadre_id}/approval-form.pdf", headers=leader)
    assert r.status_code == 200
    text = " ".join(w.text for w in words(r.content))
    assert "仅干部工作人员可见" in text and "李四" not in text and "张三" in text
    assert (await api.client.get(f"/api/cadres/{cadre_id}/approval-form.pdf",
                                 headers=researcher)).status_code == 403
    assert (await api.client.get(f"/api/cadres/{cadre_id}/approval-form.pdf",
                                 headers=outsider)).status_code == 404
    async with api.pool.acquire() as conn:
        audited = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'export.approval_form' AND object_id = $1",
            str(cadre_id))
    assert audited == 1


async def test_word_form_has_the_same_cells_and_batches_come_zipped(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    first = await imported_cadre(api, officer)
    second = await imported_cadre(api, officer, name="李五")
    r = await api.client.get(f"/api/cadres/{first}/approval-form.docx", headers=officer,
                             params={"reference_date": "2025-06-30"})
    assert r.status_code == 200, r.text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "approval_form.docx").write_bytes(r.content)
    doc = Document(io.BytesIO(r.content))
    page1, page2 = doc.tables
    assert len(doc.sections) == 2
    assert (page1.cell(0, 2).text, page1.cell(0, 4).text) == ("张三", "男")
    assert page1.cell(0, 6).text == "1980.05\n（45岁）"
    assert page1.cell(2, 6).text == "2043.05\n（63岁）"
    assert page1.cell(4, 3).text == "大学" and page1.cell(5, 3).text == "工学学士"
    assert page1.cell(8, 3).text.startswith("福州市鼓楼区住房")
    resume = page1.cell(11, 1).text.split("\n")
    assert resume[0] == "1998.09--2002.07\t福州大学土木工程专业学习" and len(resume) == 6
    assert [page2.cell(4, c).text for c in (1, 2, 3, 4, 7)] == ["妻子", "李四", "43", "中共党员",
                                                                 "福州市第一中学教师"]
    assert page2.cell(5, 3).text == ""  # deceased: no age
    assert page2.cell(11, 1).text == "中共福州市鼓楼区委"
    height = page1.rows[11].height
    assert height is not None and height.twips == 7133
    r = await api.client.post("/api/approval-forms/batch", headers=officer,
                              json={"cadre_ids": [first, second], "format": "docx"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    names = sorted(zipfile.ZipFile(io.BytesIO(r.content)).namelist())
    assert names == ["干部任免审批表_张三.docx", "干部任免审批表_李五.docx"]
    r = await api.client.post("/api/approval-forms/batch", headers=officer,
                              json={"cadre_ids": [first, second], "format": "pdf"})
    assert r.status_code == 200 and max(w.page for w in words(r.content)) == 4



async def test_the_dossier_prints_the_standard_form_as_its_profile(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    cadre_id = await imported_cadre(api, officer)
    r = await api.client.get(f"/api/cadres/{cadre_id}/dossier.pdf", headers=officer)
    assert r.status_code == 200, r.text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "dossier.pdf").write_bytes(r.content)
    found = words(r.content)
    form_page = next(w.page for w in found if w.text == "福州大学土木工程专业学习")
    on_page = {w.text for w in found if w.page == form_page}
    assert {"张三", "2043.05", "2001.06", "福州市鼓楼区副区长"} <= on_page
    after = {w.text for w in found if w.page == form_page + 1}
    assert {"妻子", "李四", "中共福州市鼓楼区委"} <= after
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", str(form_page), "-l", str(form_page + 1),
                    str(ARTIFACTS / "dossier.pdf"), str(ARTIFACTS / "dossier-form")], check=True)


async def test_a_promotion_record_fills_proposed_and_removed_posts_and_the_reason(api: Api) -> None:
    from tests.promotions.helpers import MOTION

    _, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    r = await api.client.post("/api/promotions", headers=officer, json={
        "cadre_id": cadre["id"], "kind": "post_promotion", "target_unit_id": api.units["d1"],
        "target_post": "副区长", "target_post_level": "division_deputy"})
    assert r.status_code == 201, r.text
    promotion = r.json()
    r = await api.client.post(f"/api/promotions/{promotion['id']}/stages", headers=officer,
                              json={"version": promotion["version"], "payload": MOTION})
    assert r.status_code == 200, r.text
    lrmx_file = await api.client.get(f"/api/promotions/{promotion['id']}/form.lrmx", headers=officer)
    assert lrmx_file.status_code == 200, lrmx_file.text
    text = lrmx_file.text
    assert "<NiRenZhiWu>鼓楼区副区长</NiRenZhiWu>" in text
    assert "<NiMianZhiWu>鼓楼区住建局局长</NiMianZhiWu>" in text
    assert f"<RenMianLiYou>{MOTION['reason']}</RenMianLiYou>" in text
    pdf = await api.client.get(f"/api/promotions/{promotion['id']}/approval-form.pdf", headers=officer)
    assert pdf.status_code == 200
    texts = {w.text for w in words(pdf.content)}
    assert {"鼓楼区副区长", MOTION["reason"]} <= texts
