"""python-docx helpers shared by the Word exports (approval form, archive, 考察材料): tables, CJK font."""

from collections.abc import Iterable, Sequence
from typing import Any

from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.oxml.ns import qn
from docx.shared import Twips

FONT = "宋体"


def east_asian_font(rpr: Any, name: str = FONT) -> None:
    """Set the font Word uses for Chinese text on a run's or style's run properties (`rPr`)."""
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def grid_table(document: Any, *, cols: int, rows: int = 0, widths: Sequence[int] = (),
               heights: Sequence[int] = ()) -> Any:
    """A bordered ("Table Grid") table; with widths and heights in twips, a fixed layout of exact rows."""
    table = document.add_table(rows=rows, cols=cols)
    table.style = "Table Grid"
    if widths:
        table.autofit = False
    for r, height in enumerate(heights):
        row = table.rows[r]
        row.height = Twips(height)
        row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
        for c, width in enumerate(widths):
            row.cells[c].width = Twips(width)
    return table


def text_rows(table: Any, rows: Iterable[Sequence[str]]) -> None:
    """Append one row of plain texts per item."""
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
