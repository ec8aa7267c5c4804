"""The roster's columns: Chinese header, how a value is read from a cadre row and written back."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from schemas import labels
from service.quality.retirement import age_on, retirement_for

Kind = str  # "text" | "date" | "enum" | "computed"


@dataclass(frozen=True)
class Column:
    """One roster column."""

    key: str
    header: str
    kind: Kind
    table: dict[str, str] | None = None  # code -> label, for enumerations
    required: bool = False
    sensitive: bool = False  # ID numbers: officers only (rosters are officers-only anyway)
    width: int = 12
    compute: Callable[[dict[str, Any], date], Any] | None = None

    @property
    def importable(self) -> bool:
        """Whether the import template has this column."""
        return self.kind != "computed"


def _age(row: dict[str, Any], on: date) -> Any:
    return age_on(row["birth_date"], on) if row.get("birth_date") else None


def _retire(row: dict[str, Any], on: date) -> Any:
    if not row.get("birth_date"):
        return None
    return retirement_for(row["birth_date"], row["gender"], row.get("retirement_base_age")).reached


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "text", required=True, width=10),
    Column("gender", "性别", "enum", labels.GENDER, required=True, width=6),
    Column("birth_date", "出生日期", "date", required=True),
    Column("age", "年龄", "computed", width=6, compute=_age),
    Column("ethnicity", "民族", "text", width=8),
    Column("native_place", "籍贯", "text"),
    Column("birthplace", "出生地", "text"),
    Column("party_join_date", "入党时间", "date"),
    Column("work_start_date", "参加工作时间", "date"),
    Column("health", "健康状况", "text", width=8),
    Column("professional_title", "专业技术职务", "text", width=14),
    Column("edu_fulltime_level", "全日制学历", "enum", labels.EDUCATION_LEVEL),
    Column("edu_fulltime_school", "全日制毕业院校系及专业", "text", width=24),
    Column("edu_inservice_level", "在职学历", "enum", labels.EDUCATION_LEVEL),
    Column("edu_inservice_school", "在职毕业院校系及专业", "text", width=24),
    Column("unit_code", "单位代码", "text", required=True),
    Column("unit_name", "单位名称", "computed", width=20),
    Column("post", "职务", "text", required=True, width=20),
    Column("post_level", "职务层次", "enum", labels.POST_LEVEL, width=8),
    Column("post_level_since", "任现职务层次时间", "date"),
    Column("rank", "职级", "enum", labels.RANK),
    Column("rank_since", "任现职级时间", "date"),
    Column("tier", "管理类别", "enum", labels.TIER, required=True),
    Column("status", "状态", "enum", labels.CADRE_STATUS, width=8),
    Column("retirement", "到龄时间", "computed", compute=_retire),
    Column("national_id", "身份证号", "text", required=True, sensitive=True, width=20),
)
BY_KEY = {c.key: c for c in COLUMNS}
BY_HEADER = {c.header: c for c in COLUMNS}
DEFAULT_EXPORT = ("name", "gender", "birth_date", "age", "ethnicity", "native_place", "party_join_date",
                  "work_start_date", "edu_fulltime_level", "edu_fulltime_school", "edu_inservice_level",
                  "unit_name", "post", "post_level", "rank", "tier", "retirement", "national_id")


def cell_value(column: Column, row: dict[str, Any], on: date) -> Any:
    """The value written into the sheet for a cadre row (dates stay dates, codes become labels)."""
    if column.compute is not None:
        return column.compute(row, on)
    value = row.get(column.key)
    if column.key == "edu_fulltime_school":
        value = (row.get("edu_fulltime_school") or "") + (row.get("edu_fulltime_major") or "") or None
    if column.key == "edu_inservice_school":
        value = (row.get("edu_inservice_school") or "") + (row.get("edu_inservice_major") or "") or None
    if column.table is not None and value is not None:
        return column.table.get(str(value), str(value))
    return value
