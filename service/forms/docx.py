"""The 任免审批表 as a Word (.docx) document, same geometry as the PDF, for officers to edit."""

import io
import math
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, Twips

from schemas.approval_form import ApprovalFormDoc, Education
from service.pdf.word import FONT, east_asian_font, grid_table

P1_COLS = (784, 236, 1305, 1063, 1302, 1315, 1330, 2058)
P1_ROWS = (709, 692, 680, 709, 346, 346, 346, 346, 709, 709, 709, 7133)
P2_COLS = (742, 1092, 1274, 1145, 535, 315, 469, 3849)
P2_ROWS = (1418, 1021, 1361, 646, 697, 697, 697, 697, 697, 697, 697, 1332, 541, 2019)
RESUME_INDENT = 2189  # twips: the text column of 简历 (hanging indent)
CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT


def _run_font(run: Any, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.name = FONT
    run.font.bold = bold
    east_asian_font(run._element.get_or_add_rPr())


def _put(cell: Any, text: str, size: float = 12, align: Any = CENTER,
         valign: Any = WD_CELL_VERTICAL_ALIGNMENT.CENTER) -> None:
    cell.vertical_alignment = valign
    lines = text.split("\n")
    para = cell.paragraphs[0]
    for n, line in enumerate(lines):
        if n:
            para = cell.add_paragraph()
        para.alignment = align
        para.paragraph_format.space_before = Pt(0)
        para.paragraph_format.space_after = Pt(0)
        _run_font(para.add_run(line), size)


def _fit_size(text: str, width_twips: int, height_twips: int, max_size: float = 12,
              min_size: float = 7) -> float:
    """The largest size at which the text (estimated: one full-width character per size) fits."""
    size = max_size
    while size > min_size:
        per_line = max(1, int(width_twips / 20 / size))
        lines = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
        if lines * size * 1.25 * 20 <= height_twips:
            return size
        size -= 0.5
    return min_size


class _Grid:
    """A table's cells fetched once (python-docx rebuilds its whole cell list on every `cell()`)."""

    def __init__(self, table: Any, ncols: int) -> None:
        cells = table._cells
        self.cells = [cells[i:i + ncols] for i in range(0, len(cells), ncols)]

    def cell(self, r: int, c: int) -> Any:
        """The cell at row r, column c, as it was before any merge."""
        return self.cells[r][c]


def _table(doc: Any, cols: tuple[int, ...], rows: tuple[int, ...]) -> Any:
    return _Grid(grid_table(doc, cols=len(cols), rows=len(rows), widths=cols, heights=rows), len(cols))


def _span(table: Any, r: int, c: int, rs: int = 1, cs: int = 1) -> Any:
    cell = table.cell(r, c)
    return cell.merge(table.cell(r + rs - 1, c + cs - 1)) if rs > 1 or cs > 1 else cell


def _value(table: Any, cols: tuple[int, ...], rows: tuple[int, ...], r: int, c: int, text: str,
           rs: int = 1, cs: int = 1, align: Any = CENTER, max_size: float = 12.0) -> Any:
    cell = _span(table, r, c, rs, cs)
    width = sum(cols[c:c + cs]) - 200
    height = sum(rows[r:r + rs]) - 60
    _put(cell, text, _fit_size(text, width, height, max_size), align)
    return cell


def _education(t: Any, r: int, label: str, track: Education) -> None:
    cols, rows = P1_COLS, P1_ROWS
    _value(t, cols, rows, r, 1, label, rs=2, cs=2)
    _value(t, cols, rows, r, 3, track.level, cs=2)
    _value(t, cols, rows, r + 1, 3, track.degree, cs=2)
    _value(t, cols, rows, r, 5, "毕业院校\n系及专业", rs=2, max_size=11)
    if track.degree_school:
        _value(t, cols, rows, r, 6, track.level_school, cs=2, max_size=11)
        _value(t, cols, rows, r + 1, 6, track.degree_school, cs=2, max_size=11)
    else:
        _value(t, cols, rows, r, 6, track.level_school, rs=2, cs=2, max_size=11)


def _resume(cell: Any, doc: ApprovalFormDoc) -> None:
    text = "\n".join(line.text for line in doc.resume)
    width = sum(P1_COLS[1:]) - RESUME_INDENT - 200
    size = _fit_size(text, width, P1_ROWS[11] - 200, max_size=14, min_size=7)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    for n, line in enumerate(doc.resume):
        para = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
        fmt = para.paragraph_format
        fmt.left_indent = Twips(RESUME_INDENT)
        fmt.first_line_indent = Twips(-RESUME_INDENT)
        fmt.tab_stops.add_tab_stop(Twips(RESUME_INDENT))
        fmt.space_before = fmt.space_after = Pt(0)
        _run_font(para.add_run(f"{line.period}\t{line.text}"), size)


def _page_one(document: Any, doc: ApprovalFormDoc) -> None:
    title = document.add_paragraph()
    title.alignment = CENTER
    _run_font(title.add_run("干 部 任 免 审 批 表"), 24, bold=True)
    t = _table(document, P1_COLS, P1_ROWS)
    cols, rows = P1_COLS, P1_ROWS
    reform = doc.layout == "reform"
    cells: list[tuple[int, int, str, int, int]] = [
        (0, 0, "姓　名", 1, 2), (0, 2, doc.name, 1, 1), (0, 3, "性　别", 1, 1), (0, 4, doc.gender, 1, 1),
        (0, 5, "出生年月\n（　岁）", 1, 1), (0, 6, f"{doc.birth}\n{doc.age}", 1, 1),
        (1, 0, "民　族", 1, 2), (1, 2, doc.ethnicity, 1, 1), (1, 3, "籍　贯", 1, 1),
        (1, 4, doc.native_place, 1, 1), (1, 5, "出 生 地", 1, 1), (1, 6, doc.birthplace, 1, 1),
        (2, 0, "入　党\n时　间", 1, 2), (2, 2, doc.party_join, 1, 1), (2, 3, "参加工\n作时间", 1, 1),
        (2, 4, doc.work_start, 1, 1),
    ]
    if reform:
        cells += [(2, 5, "到龄时间", 1, 1), (2, 6, f"{doc.retirement}\n{doc.retirement_age}", 1, 1),
                  (3, 0, "健康\n状况", 1, 2), (3, 2, doc.health, 1, 1), (3, 3, "专业技\n术职务", 1, 1),
                  (3, 4, doc.professional_title, 1, 1), (3, 5, "熟悉专业\n有何专长", 1, 1),
                  (3, 6, doc.expertise, 1, 1)]
    else:
        cells += [(2, 5, "健康状况", 1, 1), (2, 6, doc.health, 1, 1),
                  (3, 0, "专业技\n术职务", 1, 2), (3, 2, doc.professional_title, 1, 2),
                  (3, 4, "熟悉专业\n有何专长", 1, 1), (3, 5, doc.expertise, 1, 2)]
    for r, c, text, rs, cs in cells:
        _value(t, cols, rows, r, c, text, rs=rs, cs=cs)
    photo = _span(t, 0, 7, rs=4)
    if doc.photo is not None:
        run = photo.paragraphs[0].add_run()
        run.add_picture(io.BytesIO(doc.photo), width=Twips(cols[7] - 120),
                        height=Twips(sum(rows[:4]) - 120))
        photo.paragraphs[0].alignment = CENTER
    else:
        _put(photo, "（照片）", 10)
    _value(t, cols, rows, 4, 0, "学　历\n学　位", rs=4)
    _education(t, 4, "全日制\n教　育", doc.full_time)
    _education(t, 6, "在　职\n教　育", doc.in_service)
    for r, label, value in ((8, "现 任 职 务", doc.current_post), (9, "拟 任 职 务", doc.proposed_post),
                            (10, "拟 免 职 务", doc.removed_post)):
        _value(t, cols, rows, r, 0, label, cs=3)
        _value(t, cols, rows, r, 3, value, cs=5, align=LEFT)
    _value(t, cols, rows, 11, 0, "简\n\n\n\n\n\n历")
    _resume(_span(t, 11, 1, cs=7), doc)


def _page_two(document: Any, doc: ApprovalFormDoc) -> None:
    cols, rows = P2_COLS, P2_ROWS
    t = _table(document, cols, rows)
    for r, label, value, align in ((0, "奖\n惩\n情\n况", doc.rewards, LEFT),
                                   (1, "年度考\n核结果", doc.appraisals, LEFT),
                                   (2, "任\n免\n理\n由", doc.reason, LEFT)):
        _value(t, cols, rows, r, 0, label, max_size=11)
        _value(t, cols, rows, r, 1, value, cs=7, align=align)
    _value(t, cols, rows, 3, 0, "家庭主要成员及重要社会关系", rs=8)
    for c, cs, label in ((1, 1, "称　谓"), (2, 1, "姓　名"), (3, 1, "年　龄"), (4, 3, "政治\n面貌"),
                         (7, 1, "工 作 单 位 及 职 务")):
        _value(t, cols, rows, 3, c, label, cs=cs)
    if doc.family_restricted:
        _value(t, cols, rows, 4, 1, "（仅干部工作人员可见）", rs=7, cs=7)
    else:
        for i in range(7):
            m = doc.family[i] if i < len(doc.family) else None
            values = (m.relation, m.name, m.age, m.political_status, m.work) if m else ("",) * 5
            _value(t, cols, rows, 4 + i, 1, values[0])
            _value(t, cols, rows, 4 + i, 2, values[1])
            _value(t, cols, rows, 4 + i, 3, values[2])
            _value(t, cols, rows, 4 + i, 4, values[3], cs=3, max_size=11)
            _value(t, cols, rows, 4 + i, 7, values[4], align=LEFT, max_size=11)
    _value(t, cols, rows, 11, 0, "呈\n报\n单\n位", rs=2)
    _value(t, cols, rows, 11, 1, doc.reporting_unit, cs=7, align=LEFT)
    _value(t, cols, rows, 12, 1, doc.reporting_date, cs=7, align=RIGHT)
    _value(t, cols, rows, 13, 0, "审批\n机关\n意见")
    _value(t, cols, rows, 13, 1, "\n\n（盖章）\n年　月　日", cs=3, align=RIGHT)
    _value(t, cols, rows, 13, 4, "行政\n机关\n任免\n意见", cs=3)
    _value(t, cols, rows, 13, 7, "\n\n（盖章）\n年　月　日", align=RIGHT)
    para = document.add_paragraph()
    _run_font(para.add_run(f"填表人：{doc.filled_by}"), 12)


def _margins(section: Any, top: int, right: int, bottom: int, left: int) -> None:
    section.page_width, section.page_height = Twips(11907), Twips(16840)
    section.top_margin, section.right_margin = Twips(top), Twips(right)
    section.bottom_margin, section.left_margin = Twips(bottom), Twips(left)


def build_docx(docs: list[ApprovalFormDoc]) -> bytes:
    """One .docx holding the two pages of each form (each page its own section)."""
    document = Document()
    document.core_properties.title = "干部任免审批表"
    for n, doc in enumerate(docs):
        first = document.sections[0] if n == 0 else document.add_section(WD_SECTION.NEW_PAGE)
        _margins(first, 629, 1134, 680, 1247)
        _page_one(document, doc)
        second = document.add_section(WD_SECTION.NEW_PAGE)
        _margins(second, 1621, 1134, 567, 1191)
        _page_two(document, doc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
