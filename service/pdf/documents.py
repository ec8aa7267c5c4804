"""Written documents (archives, 考察材料) as one neutral structure, rendered to PDF (Typst) and docx.

A document is a title, summary pairs and sections of paragraphs; the archive and draft modules
build it, this module only lays it out. Both formats carry the export's watermark line (who,
when, serial) — on every PDF page, and in the docx header.
"""

import io
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from schemas.archives import Source, Statement
from schemas.export import Watermark
from service.dossier.assemble import evidence_ref, record_ref
from service.pdf.formatting import wrap_tree
from service.pdf.pdf import compile_pdf, font_choice, watermark_stamp
from service.pdf.views import watermark_line
from service.pdf.word import FONT, east_asian_font, grid_table, text_rows

SOURCE_NAMES = {"evidence": "实绩", "record": "记录", "evaluation": "测评", "appraisal": "年度考核",
                "cadre": "干部信息", "career": "简历", "promotion": "选任纪实", "conclusion": "结论",
                "reward": "奖惩"}


# Records and evidence items are cited by the serial printed on them and on their pages; other
# sources by their kind alone (a database id means nothing to a reader), as on the web page.
SERIALS = {"evidence": evidence_ref, "record": record_ref}


def source_label(s: Source) -> str:
    """How a source is named in print and on the pages: 记录 FR-000034, 实绩 EV-000012, 简历."""
    serial = SERIALS.get(s.kind)
    return SOURCE_NAMES[s.kind] + (f" {serial(s.id)}" if serial else "")


def cite(sources: list[Source]) -> str:
    """〔实绩 EV-000012、记录 FR-000034〕: what a statement rests on, as printed after it."""
    if not sources:
        return ""
    return "〔" + "、".join(source_label(s) for s in sources) + "〕"


def paragraph(st: Statement) -> str:
    """A statement with its citation."""
    return st.text + cite(st.sources)


@dataclass
class Section:
    """A numbered section: level 1 or 2, its paragraphs, the note printed when it has none."""

    title: str
    paras: list[str] = field(default_factory=list)
    level: int = 1
    empty: str | None = "（无）"


@dataclass
class WrittenDoc:
    """What both renderers lay out."""

    title: str
    subtitle: str
    summary: list[tuple[str, str]]
    sections: list[Section]


def render_pdf(doc: WrittenDoc, wm: Watermark, font_dirs: list[Path]) -> bytes:
    """The document as an A4 PDF with the dossier's header, footer and watermark."""
    fonts, families = font_choice(font_dirs)
    payload = {
        "meta": {"title": doc.title, "author": wm.user_name, "keywords": [wm.serial]},
        "watermark": watermark_line(wm), "fonts": families,
        **wrap_tree({"title": doc.title, "subtitle": doc.subtitle,
                     "summary": [{"label": k, "value": v} for k, v in doc.summary],
                     "sections": [{"title": s.title, "level": s.level, "paras": s.paras, "empty": s.empty}
                                  for s in doc.sections]}),
    }
    return compile_pdf("document", payload | {"watermark_stamp": watermark_stamp(payload, font_dirs)},
                       fonts=fonts, wm=wm)


def render_docx(doc: WrittenDoc, wm: Watermark, _font_dirs: list[Path] | None = None) -> bytes:
    """The document as .docx: the watermark line in every page header, SimSun-style body text."""
    d = DocxDocument()
    style = d.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    east_asian_font(style.element.rPr)
    d.core_properties.title = doc.title
    d.core_properties.author = wm.user_name
    d.core_properties.keywords = wm.serial
    header = d.sections[0].header.paragraphs[0]
    header.text = f"内部资料　注意保密　{watermark_line(wm)}"
    title = d.add_heading(doc.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.subtitle:
        sub = d.add_paragraph(doc.subtitle)
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.summary:
        text_rows(grid_table(d, cols=2), doc.summary)
    numbers = {1: 0, 2: 0}
    for s in doc.sections:
        numbers[s.level] += 1
        if s.level == 1:
            numbers[2] = 0
            heading = f"{_cn_number(numbers[1])}、{s.title}"
        else:
            heading = f"（{_cn_number(numbers[2])}）{s.title}"
        d.add_heading(heading, level=s.level)
        if not s.paras and s.empty:
            d.add_paragraph(s.empty)
        for p in s.paras:
            para = d.add_paragraph(p)
            para.paragraph_format.first_line_indent = Pt(24)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _cn_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
