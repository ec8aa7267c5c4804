"""One roster row checked against the registry: typed profile values, cell errors, field changes."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from schemas.cadres import CadreFields, validate_national_id
from schemas.formats import FieldChange, FieldIssue
from service.cadres import repo as cadres_repo
from service.rosters.columns import BY_KEY, Column, cell_value
from service.rosters.sheets import SheetRow, parse_date, text


@dataclass
class RowPlan:
    """A row: the profile it would write, the cadre it matches, its problems and changes."""

    row: int
    national_id: str = ""
    cadre_id: int | None = None
    current: dict[str, Any] | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    errors: list[FieldIssue] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)


def _issue(plan: RowPlan, letters: dict[str, str], key: str, message: str) -> None:
    column = BY_KEY.get(key)
    plan.errors.append(FieldIssue(field=column.header if column else key, message=message, row=plan.row,
                                  column=letters.get(key)))


def _typed(column: Column, raw: Any) -> tuple[Any, str | None]:
    """The stored value of a cell, or an error message; None for a blank cell."""
    if raw is None or text(raw) == "":
        return None, None
    if column.kind == "date":
        parsed = parse_date(raw)
        return (None, parsed) if isinstance(parsed, str) else (parsed, None)
    if column.table is not None:
        value = text(raw)
        codes = {label: code for code, label in column.table.items()}
        code = codes.get(value, value if value in column.table else None)
        if code is None:
            return None, "取值应为：" + "、".join(column.table.values())
        return code, None
    value = text(raw)
    if column.key == "national_id":
        try:
            return validate_national_id(value), None
        except ValueError as exc:
            return None, str(exc)
    return value, None


def plan_row(sheet_row: SheetRow, letters: dict[str, str], *, units: dict[str, tuple[int, str, bool]],
             known: dict[str, tuple[int, bool]], current_rows: dict[int, dict[str, Any]],
             on: date, check_only: bool = False) -> RowPlan:
    """Check one row; `known` maps ID numbers to (cadre id, manageable), `current_rows` by cadre id.

    With `check_only` (a cross-check, nothing is written) an unregistered person needs no required
    columns, and a row whose values break a rule still lists how it differs from the registry.
    """
    plan = RowPlan(sheet_row.row)
    given: dict[str, Any] = {}
    for key, raw in sheet_row.values.items():
        value, problem = _typed(BY_KEY[key], raw)
        if problem:
            _issue(plan, letters, key, problem)
        elif value is not None:
            given[key] = value
    plan.national_id = given.get("national_id", "")
    if not plan.national_id and "national_id" not in [e.field for e in plan.errors]:
        _issue(plan, letters, "national_id", "身份证号不能为空（按身份证号匹配干部）")
    match = known.get(plan.national_id)
    if match is not None and not match[1]:
        _issue(plan, letters, "national_id", "该身份证号已登记在您管理范围以外的干部名下")
    elif match is not None:
        plan.cadre_id = match[0]
        plan.current = current_rows.get(match[0])
    if "unit_code" in given:
        unit = units.get(given["unit_code"])
        if unit is None:
            _issue(plan, letters, "unit_code", f"单位代码“{given['unit_code']}”不存在")
        elif not unit[2]:
            _issue(plan, letters, "unit_code", "该单位不在您的管理范围内")
        else:
            given["unit_id"] = unit[0]
            given["unit_name"] = unit[1]
    if plan.errors or (check_only and plan.current is None):
        return plan
    base = dict(plan.current or {})
    if plan.current is None:
        for key in ("name", "gender", "birth_date", "unit_code", "post", "tier"):
            if key not in given:
                _issue(plan, letters, key, f"新登记的干部必须填写“{BY_KEY[key].header}”")
        if plan.errors:
            return plan
    merged = {**base, **given}
    for prefix in ("edu_fulltime", "edu_inservice"):
        school = given.get(f"{prefix}_school")
        joined = (base.get(f"{prefix}_school") or "") + (base.get(f"{prefix}_major") or "")
        if school is not None and school != joined:
            merged[f"{prefix}_major"] = None
        elif school is not None:
            merged[f"{prefix}_school"] = base.get(f"{prefix}_school")
    profile = {c: merged.get(c) for c in cadres_repo.PROFILE_COLUMNS}
    profile["ethnicity"] = profile.get("ethnicity") or "汉族"
    profile["status"] = profile.get("status") or "active"
    profile["is_unit_head"] = bool(profile.get("is_unit_head"))
    try:
        checked = CadreFields.model_validate(profile)
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            key = "unit_code" if key == "unit_id" else key
            _issue(plan, letters, key, str(err["msg"]).removeprefix("Value error, "))
        if not check_only:
            return plan
    else:
        dumped = checked.model_dump(include=set(cadres_repo.PROFILE_COLUMNS))
        plan.profile = {k: (v.value if hasattr(v, "value") else v) for k, v in dumped.items()}
    new_row = {**merged, **plan.profile}
    for key in sheet_row.values:
        column = BY_KEY[key]
        before = "" if plan.current is None else str(cell_value(column, plan.current, on) or "")
        after = str(cell_value(column, new_row, on) or "")
        if before != after:
            plan.changes.append(FieldChange(field=column.header, before=before, after=after))
    return plan
