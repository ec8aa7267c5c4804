"""Reading a period's scores from an .xlsx sheet, every row checked, and writing the blank template.

Layout (the template): row 1 holds the headers 单位代码, optionally 单位名称, then one column
per indicator named by its code or name; each further row is one unit with a score in every
indicator column. Nothing here touches the database: the caller passes what is known.
"""

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from service.pdf.formatting import fmt_number

UNIT_CODE = "单位代码"
UNIT_NAME = "单位名称"
MAX_ROWS = 2000
MAX_COLUMNS = 60
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_ISSUES = 500
UNREADABLE = "无法读取该 Excel 文件，请使用下载的模板填写"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Indicator:
    """What the sheet is checked against for one indicator."""

    id: int
    code: str
    name: str
    max_score: Decimal


@dataclass
class Sheet:
    """The valid rows of a sheet, or the problems found in it."""

    scores: list[tuple[int, int, Decimal]] = field(default_factory=list)  # (unit id, indicator id, score)
    issues: list[dict[str, object]] = field(default_factory=list)

    def issue(self, row: int, column: int | None, name: str, message: str) -> None:
        """Note a problem at a cell (column None: the row or the sheet as a whole)."""
        if len(self.issues) < MAX_ISSUES:
            self.issues.append({"row": row, "column": get_column_letter(column) if column else "",
                                "field": name, "message": message})


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value: object) -> Decimal | str:
    """The cell as a decimal with at most two places, or the Chinese reason it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "得分不能为空"
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return "得分必须是数字"
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        return "得分必须是数字"
    if not number.is_finite():
        return "得分必须是数字"
    rounded = number.quantize(CENT)
    # Spreadsheet arithmetic leaves float noise such as 91.30000000000001; that is not a third decimal.
    if isinstance(value, float) and abs(number - rounded) < Decimal("1e-9"):
        number = rounded
    if number != rounded:
        return "得分最多保留两位小数"
    return rounded


def _unpacked_size_ok(handle: BinaryIO) -> bool:
    with zipfile.ZipFile(handle) as archive:
        ok = sum(i.file_size for i in archive.infolist()) <= MAX_UNPACKED_BYTES
    handle.seek(0)
    return ok


@dataclass
class RawSheet:
    """The header and non-empty rows of the first worksheet, as cell values."""

    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    problem: str | None = None

    def texts(self) -> set[str]:
        """Every non-empty cell as text (candidate unit codes to look up)."""
        return {t for _, cells in self.rows for t in map(_text, cells) if t}


def read_rows(path: Path) -> RawSheet:
    """Read the first worksheet (blocking; run it in a thread)."""
    raw = RawSheet()
    # A file object, because openpyxl refuses paths without an .xlsx suffix (uploads are staged as .part).
    with path.open("rb") as handle:
        try:
            if not _unpacked_size_ok(handle):
                raw.problem = "文件解压后过大，请只保留成绩表"
                return raw
            book = load_workbook(handle, read_only=True, data_only=True)
        # openpyxl reports a damaged package with many exception types; all mean "unreadable".
        except Exception:
            raw.problem = UNREADABLE
            return raw
        try:
            _read_sheet(book, raw)
        # Read-only openpyxl parses the sheet only while its rows are iterated, so a damaged cell
        # (a bad reference, a number that is none, a missing shared string) fails here, just as varied.
        except Exception:
            return RawSheet(problem=UNREADABLE)
        finally:
            book.close()
    return raw


def _read_sheet(book: Workbook, raw: RawSheet) -> None:
    """The header and the non-empty rows of the first worksheet into `raw`."""
    rows = book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)
    raw.header = [_text(v) for v in next(rows, ())]
    for row_no, values in enumerate(rows, start=2):
        cells = list(values)
        if all(_text(v) == "" for v in cells):
            continue
        if len(raw.rows) >= MAX_ROWS:
            raw.problem = f"数据行不能超过 {MAX_ROWS} 行"
            break
        raw.rows.append((row_no, cells))


def check(raw: RawSheet, units_by_code: dict[str, int], *, compared: set[int], writable: set[int],
          indicators: list[Indicator]) -> Sheet:
    """Check the header and every row; the scores are usable only if no issue was found."""
    sheet = Sheet()
    if raw.problem:
        sheet.issue(1, None, "", raw.problem)
        return sheet
    columns = _columns(sheet, raw.header, indicators)
    if columns is None:
        return sheet
    unit_col, indicator_cols = columns
    seen: dict[str, int] = {}
    for row_no, cells in raw.rows:
        _check_row(sheet, row_no, cells, unit_col, indicator_cols, units_by_code, compared, writable,
                   seen)
    if not raw.rows:
        sheet.issue(2, None, "", "表中没有数据行")
    return sheet


def _columns(sheet: Sheet, header: list[str],
             indicators: list[Indicator]) -> tuple[int, list[tuple[int, Indicator]]] | None:
    by_label = {i.code: i for i in indicators} | {i.name: i for i in indicators}
    unit_col = None
    found: dict[int, tuple[int, Indicator]] = {}
    for col, label in enumerate(header, start=1):
        if label == "" or label == UNIT_NAME:
            continue
        if label == UNIT_CODE:
            if unit_col is not None:
                sheet.issue(1, col, label, "“单位代码”列重复")
            unit_col = col
        elif label in by_label:
            ind = by_label[label]
            if ind.id in found:
                sheet.issue(1, col, label, f"指标“{ind.name}”的列重复")
            found[ind.id] = (col, ind)
        else:
            sheet.issue(1, col, label, f"未知的列“{label}”：表头应为单位代码、单位名称或本考核期的指标")
    if unit_col is None:
        sheet.issue(1, None, UNIT_CODE, "缺少“单位代码”列")
    for ind in indicators:
        if ind.id not in found:
            sheet.issue(1, None, ind.name, f"缺少指标“{ind.name}”的列")
    if sheet.issues or unit_col is None:
        return None
    return unit_col, sorted(found.values(), key=lambda f: f[0])


def _check_row(sheet: Sheet, row_no: int, cells: list[object], unit_col: int,
               indicator_cols: list[tuple[int, Indicator]], units_by_code: dict[str, int],
               compared: set[int], writable: set[int], seen: dict[str, int]) -> None:
    def cell(col: int) -> object:
        return cells[col - 1] if col <= len(cells) else None

    code = _text(cell(unit_col))
    unit_id = units_by_code.get(code)
    if code == "":
        sheet.issue(row_no, unit_col, UNIT_CODE, "单位代码不能为空")
    elif code in seen:
        sheet.issue(row_no, unit_col, UNIT_CODE, f"单位代码重复（与第 {seen[code]} 行重复）")
    elif unit_id is None:
        sheet.issue(row_no, unit_col, UNIT_CODE, f"单位代码“{code}”不存在")
    elif unit_id not in compared:
        sheet.issue(row_no, unit_col, UNIT_CODE, f"单位“{code}”不是本考核期的参评单位")
    elif unit_id not in writable:
        sheet.issue(row_no, unit_col, UNIT_CODE, f"单位“{code}”不在您的管理范围内")
    seen.setdefault(code, row_no)
    for col, ind in indicator_cols:
        value = _number(cell(col))
        if isinstance(value, str):
            sheet.issue(row_no, col, ind.name, value)
        elif value > ind.max_score:
            sheet.issue(row_no, col, ind.name, f"得分须在 0 到 {fmt_number(ind.max_score)} 之间")
        elif value < 0:
            sheet.issue(row_no, col, ind.name, f"得分须在 0 到 {fmt_number(ind.max_score)} 之间")
        elif unit_id is not None:
            sheet.scores.append((unit_id, ind.id, value))


def template(period_name: str, units: list[tuple[str, str]], indicators: list[Indicator]) -> bytes:
    """A blank score sheet for the period: headers and one row per compared unit."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "得分"
    ws.append([UNIT_CODE, UNIT_NAME, *[i.name for i in indicators]])
    for code, name in units:
        ws.append([code, name])
    ws.column_dimensions["B"].width = 20
    book.properties.title = f"{period_name}得分导入模板"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
