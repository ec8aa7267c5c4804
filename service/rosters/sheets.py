"""Writing roster workbooks (export and import template) and reading one back, cell by cell."""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from service.lrmx.dates import parse_form_date
from service.rosters.columns import BY_HEADER, COLUMNS, Column, cell_value

MAX_ROWS = 20_000
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
UNREADABLE = "无法读取该 Excel 文件（请使用 .xlsx 格式，可先下载导入模板）"
HEAD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE5F0")
DATE_FORMAT = "yyyy.mm.dd"
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _header(ws: Worksheet, columns: list[Column]) -> None:
    ws.append([c.header for c in columns])
    for n, c in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=n)
        cell.font, cell.fill = HEAD, HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(n)].width = c.width + 2
    ws.freeze_panes = "B2"


def _rows(ws: Worksheet, columns: list[Column], rows: list[dict[str, Any]], on: date) -> None:
    for row in rows:
        ws.append([cell_value(c, row, on) for c in columns])
    for n, c in enumerate(columns, start=1):
        if c.kind == "date" or c.key == "retirement":
            for (cell,) in ws.iter_rows(min_row=2, min_col=n, max_col=n):
                cell.number_format = "yyyy.mm" if c.key == "retirement" else DATE_FORMAT


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet title (at most 31 characters, no []:*?/\\)."""
    base = name.translate(_BAD_SHEET_CHARS)[:28] or "未命名"
    title, n = base, 1
    while title in taken:
        n += 1
        title = f"{base[:26]}({n})"
    taken.add(title)
    return title


def export_book(columns: list[Column], rows: list[dict[str, Any]], *, on: date, per_unit: bool) -> bytes:
    """A roster: one sheet, or one per unit (in unit order)."""
    book = Workbook()
    first = book.active
    assert first is not None
    if per_unit:
        book.remove(first)
        taken: set[str] = set()
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(row["unit_name"], []).append(row)
        for unit, members in groups.items():
            ws = book.create_sheet(sheet_title(unit, taken))
            _header(ws, columns)
            _rows(ws, columns, members, on)
        if not groups:
            _header(book.create_sheet("花名册"), columns)
    else:
        first.title = "花名册"
        _header(first, columns)
        _rows(first, columns, rows, on)
    book.properties.title = "干部花名册"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_book(unit_codes: list[tuple[str, str]]) -> bytes:
    """The import template: headers, drop-down lists for enumerations and unit codes, notes."""
    columns = [c for c in COLUMNS if c.importable]
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "花名册"
    _header(ws, columns)
    lists = book.create_sheet("代码表")
    lists.sheet_state = "hidden"
    list_col = 1
    for n, c in enumerate(columns, start=1):
        values = list(c.table.values()) if c.table else ([code for code, _ in unit_codes]
                                                          if c.key == "unit_code" else None)
        if c.kind == "date":
            for (cell,) in ws.iter_rows(min_row=2, max_row=MAX_ROWS + 1, min_col=n, max_col=n):
                cell.number_format = DATE_FORMAT
        if not values:
            continue
        letter = get_column_letter(list_col)
        lists.cell(row=1, column=list_col, value=c.header)
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=list_col, value=v)
        dv = DataValidation(type="list", formula1=f"=代码表!${letter}$2:${letter}${len(values) + 1}",
                            allow_blank=not c.required, showErrorMessage=True,
                            errorTitle="取值不在列表中", error=f"请从下拉列表中选择{c.header}")
        ws.add_data_validation(dv)
        dv.add(f"{get_column_letter(n)}2:{get_column_letter(n)}{MAX_ROWS + 1}")
        list_col += 1
    notes = book.create_sheet("填写说明")
    for line in ("按身份证号匹配：已登记的干部更新其填写的列（空白单元格保留原值），未登记的新建。",
                 "带下拉列表的列请从列表中选择；日期列请填写日期（如 1980.05.17）。",
                 "必填列：" + "、".join(c.header for c in columns if c.required) + "。",
                 "导入前系统会先给出逐行逐列的检查结果和变更预览，确认后一次性全部写入；有任何错误则不写入。"):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class SheetRow:
    """One data row: its number and values by column key (as read, untyped)."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReadSheet:
    """The recognised columns (key -> letter) and the data rows, or why the file is unusable."""

    columns: dict[str, str] = field(default_factory=dict)
    rows: list[SheetRow] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column letter, message)


def text(value: Any) -> str:
    """A cell as trimmed text (whole floats without .0, dates as yyyy-mm-dd)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    return str(value).strip()


def read_book(data: bytes) -> ReadSheet:
    """Read the first worksheet's header and rows (blocking: run it in a thread)."""
    out = ReadSheet()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
                out.problems.append(("", "文件解压后过大"))
                return out
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # openpyxl reports a damaged or foreign file with many exception types; all mean "unreadable".
    except Exception:
        out.problems.append(("", UNREADABLE))
        return out
    try:
        _read_rows(book, out)
    # Read-only openpyxl parses the sheet only while its rows are iterated, so a damaged cell
    # (a bad reference, a number that is none, a missing shared string) fails here, just as varied.
    except Exception:
        return ReadSheet(problems=[("", UNREADABLE)])
    finally:
        book.close()
    return out


def _read_rows(book: Workbook, out: ReadSheet) -> None:
    """The header's columns and the non-empty rows of the first worksheet into `out`."""
    rows = book.worksheets[0].iter_rows(values_only=True, max_col=len(COLUMNS) + 10)
    header = [text(v) for v in next(rows, ())]
    index: dict[str, int] = {}
    for n, label in enumerate(header, start=1):
        if not label:
            continue
        column = BY_HEADER.get(label)
        letter = get_column_letter(n)
        if column is None:
            out.problems.append((letter, f"未知的列“{label}”"))
        elif column.key in out.columns:
            out.problems.append((letter, f"“{label}”列重复"))
        elif column.importable:
            out.columns[column.key] = letter
            index[column.key] = n - 1
    for row_no, values in enumerate(rows, start=2):
        cells = list(values)
        if all(text(v) == "" for v in cells):
            continue
        if len(out.rows) >= MAX_ROWS:
            out.problems.append(("", f"数据行不能超过 {MAX_ROWS} 行"))
            break
        out.rows.append(SheetRow(row_no, {k: cells[i] if i < len(cells) else None
                                          for k, i in index.items()}))


def parse_date(value: Any) -> date | str | None:
    """A date cell or text (1980.05.17, 1980-05, 198005); the reason as a string when it is not one."""
    if value is None or text(value) == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed = parse_form_date(text(value))
    return parsed.value if parsed else "不是有效的日期（如 1980.05.17）"

