"""Reading a democratic evaluation round from an .xlsx sheet, every row checked; the blank template.

Layout: row 1 holds the headers 干部编号, 姓名, 测评人类别 and the grade columns 优秀, 称职,
基本称职, 不称职, 认同, 不认同, 不了解. Each further row is one subject (干部编号 empty or
“班子”: the team as a whole) and one rater category, with vote counts in the columns of one
scale only. Nothing here touches the database; subjects are checked by the caller.
"""

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from schemas.leadership import APPROVAL_SCALE, GRADE_SCALE, VoteIn
from service.assessments.xlsx import read_rows

CADRE_ID = "干部编号"
NAME = "姓名"
CATEGORY = "测评人类别"
GRADE_HEADERS = {"优秀": "excellent", "称职": "competent", "基本称职": "basically_competent",
                 "不称职": "incompetent", "认同": "approve", "不认同": "disapprove", "不了解": "unknown"}
CATEGORY_LABELS = {"班子成员": "leadership", "中层干部": "middle", "一般干部职工": "staff",
                   "服务对象": "service_object", "其他": "other"}
TEAM_WORDS = {"", "班子", "领导班子", "班子整体"}
HEADERS = [CADRE_ID, NAME, CATEGORY, *GRADE_HEADERS]
MAX_ISSUES = 500


@dataclass
class Parsed:
    """The votes of a sheet with their row numbers, or the problems found in it."""

    sha256: str = ""
    votes: list[tuple[int, VoteIn]] = field(default_factory=list)
    issues: list[dict[str, object]] = field(default_factory=list)

    def issue(self, row: int, column: str, name: str, message: str) -> None:
        """Note a problem at a cell (column "" for the row or the sheet)."""
        if len(self.issues) < MAX_ISSUES:
            self.issues.append({"row": row, "column": column, "field": name, "message": message})


def column_of(field_name: str) -> str:
    """The sheet column holding a vote field (for problems found against the database)."""
    return {"cadre_id": "A", "rater_category": "C"}.get(field_name, "")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _count(value: object) -> int | str | None:
    text = _text(value)
    if text == "":
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        return "票数必须是 0 到 100000 的整数"
    n = int(text)
    return n if n <= 100_000 else "票数必须是 0 到 100000 的整数"


def read(path: Path) -> Parsed:
    """Parse and check a sheet (blocking; run it in a thread)."""
    parsed = Parsed(sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    raw = read_rows(path)
    if raw.problem:
        parsed.issue(1, "", "", raw.problem.replace("成绩表", "测评表").replace("模板", "测评模板"))
        return parsed
    cols: dict[str, int] = {}
    for i, h in enumerate(raw.header, start=1):
        if h == "":
            continue
        if h not in HEADERS:
            parsed.issue(1, get_column_letter(i), h, f"未知的列“{h}”")
        elif h in cols:
            parsed.issue(1, get_column_letter(i), h, f"“{h}”列重复")
        cols.setdefault(h, i)
    for h in (CADRE_ID, CATEGORY):
        if h not in cols:
            parsed.issue(1, "", h, f"缺少“{h}”列")
    if parsed.issues:
        return parsed
    if not raw.rows:
        parsed.issue(2, "", "", "表中没有数据行")
    for row_no, cells in raw.rows:
        _row(parsed, row_no, cells, cols)
    return parsed


def _row(parsed: Parsed, row_no: int, cells: list[object], cols: dict[str, int]) -> None:
    def cell(h: str) -> object:
        i = cols.get(h)
        return cells[i - 1] if i is not None and i <= len(cells) else None

    before = len(parsed.issues)
    ident = _text(cell(CADRE_ID))
    cadre_id: int | None = None
    if ident not in TEAM_WORDS:
        if ident.isascii() and ident.isdigit() and 0 < int(ident) < 2**63:
            cadre_id = int(ident)
        else:
            parsed.issue(row_no, get_column_letter(cols[CADRE_ID]), CADRE_ID,
                         "干部编号应为数字，班子整体的测评请留空或填“班子”")
    category = CATEGORY_LABELS.get(_text(cell(CATEGORY)))
    if category is None:
        parsed.issue(row_no, get_column_letter(cols[CATEGORY]), CATEGORY,
                     "测评人类别应为：" + "、".join(CATEGORY_LABELS))
    counts: dict[str, int] = {}
    for h, grade in GRADE_HEADERS.items():
        if h not in cols:
            continue
        value = _count(cell(h))
        if isinstance(value, str):
            parsed.issue(row_no, get_column_letter(cols[h]), h, value)
        elif value is not None:
            counts[grade] = value
    if not counts:
        parsed.issue(row_no, "", "", "没有填写任何票数")
    elif not (set(counts) <= set(GRADE_SCALE) or set(counts) <= set(APPROVAL_SCALE)):
        parsed.issue(row_no, "", "", "同一行只能填写一种测评等次（优秀至不称职，或认同至不了解）")
    if len(parsed.issues) > before:
        return
    try:
        parsed.votes.append((row_no, VoteIn(cadre_id=cadre_id, rater_category=category,  # type: ignore[arg-type]
                                            counts=counts)))  # type: ignore[arg-type]
    except ValidationError:
        parsed.issue(row_no, "", "", "该行数据无效")


def template(team_name: str, members: list[tuple[int, str]]) -> bytes:
    """A blank sheet: the team row and one row per member for each rater category to fill."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "民主测评"
    ws.append(HEADERS)
    ws.append(["班子", "领导班子整体", "班子成员"])
    for cadre_id, name in members:
        ws.append([cadre_id, name, "班子成员"])
    ws.column_dimensions["B"].width = 16
    book.properties.title = f"{team_name}民主测评导入模板"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
