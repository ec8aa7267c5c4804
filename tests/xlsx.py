"""Damaged spreadsheets for the upload tests: a valid book with one extra raw row in its sheet."""

import io
import zipfile


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
