"""Spreadsheets for the upload tests: a book of given rows, and a valid book with one extra raw row."""

import io
import zipfile
from typing import Any

from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def book_bytes(rows: list[list[Any]]) -> bytes:
    """An .xlsx with the given rows on its first sheet."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_raw_row(data: bytes, row_xml: bytes) -> bytes:
    """The book with `row_xml` appended to the first sheet's data, as written (not checked)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", row_xml + b"</sheetData>")
            target.writestr(name, content)
    return out.getvalue()
