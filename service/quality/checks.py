"""三龄两历一身份: age, years of work and Party years; education and work history; the ID number.

Each check compares facts of one form that must agree before any appointment and reports what
does not, in Chinese, under the field concerned. They are warnings: the officer decides.
"""

import itertools
from dataclasses import dataclass
from datetime import date

from schemas.cadres import national_id_birth_date, national_id_gender, validate_national_id
from service.forms.model import CadreForm, ResumeRow
from service.lrmx.dates import dotted

STUDY_WORDS = ("学习", "读书", "就读", "本科", "研究生", "大学", "学院", "学生", "毕业", "学校", "进修")
WORK_AGE_MIN = 16
PARTY_AGE_MIN = 18
GAP_MONTHS = 1


@dataclass(frozen=True)
class Finding:
    """One inconsistency: the field it concerns and what is wrong."""

    code: str
    field: str
    message: str


def _months(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _is_study(row: ResumeRow) -> bool:
    return any(w in row.text for w in STUDY_WORDS) and "工作" not in row.text[-4:]


def _identity(form: CadreForm) -> list[Finding]:
    if not form.national_id or "*" in form.national_id:
        return []
    try:
        nid = validate_national_id(form.national_id)
    except ValueError as exc:
        return [Finding("id_invalid", "身份证号", f"身份证号无效：{exc}")]
    out = []
    encoded = national_id_birth_date(nid)
    if form.birth_date is not None and (encoded.year, encoded.month) != (form.birth_date.year,
                                                                          form.birth_date.month):
        out.append(Finding("id_birth", "身份证号",
                           f"身份证号中的出生日期 {encoded:%Y.%m.%d} 与出生年月 "
                           f"{dotted(form.birth_date)} 不一致"))
    if form.gender is not None and national_id_gender(nid) != form.gender:
        out.append(Finding("id_gender", "身份证号", "身份证号编码的性别与登记的性别不一致"))
    return out


def _ages(form: CadreForm) -> list[Finding]:
    birth = form.birth_date
    if birth is None:
        return []
    out = []
    if form.work_start_date is not None and _months(birth, form.work_start_date) < WORK_AGE_MIN * 12:
        out.append(Finding("work_age", "参加工作时间",
                           f"参加工作时（{dotted(form.work_start_date)}）不满 {WORK_AGE_MIN} 周岁"))
    if form.party_join_date is not None and _months(birth, form.party_join_date) < PARTY_AGE_MIN * 12:
        out.append(Finding("party_age", "入党时间",
                           f"入党时（{dotted(form.party_join_date)}）不满 {PARTY_AGE_MIN} 周岁"))
    for row in form.resume:
        if row.start < birth:
            out.append(Finding("resume_before_birth", "简历", f"简历“{row.text[:16]}”早于出生年月"))
    return out


def _history(form: CadreForm) -> list[Finding]:
    rows = sorted(form.resume, key=lambda r: r.start)
    out = []
    for prev, row in itertools.pairwise(rows):
        if prev.end is None:
            out.append(Finding("resume_open", "简历", f"“{prev.text[:16]}”没有结束时间，但其后还有经历"))
        elif _months(prev.end, row.start) > GAP_MONTHS:
            out.append(Finding("resume_gap", "简历",
                               f"{dotted(prev.end)} 至 {dotted(row.start)} 之间简历断档"))
        elif _months(row.start, prev.end) > GAP_MONTHS:
            out.append(Finding("resume_overlap", "简历",
                               f"“{prev.text[:12]}”与“{row.text[:12]}”时间交叉"))
    work = [r for r in rows if not _is_study(r)]
    if form.work_start_date is not None and work:
        first = work[0].start
        if abs(_months(form.work_start_date, first)) > GAP_MONTHS:
            out.append(Finding("work_start_resume", "参加工作时间",
                               f"参加工作时间 {dotted(form.work_start_date)} 与简历中第一段工作经历的"
                               f"开始时间 {dotted(first)} 不一致"))
    study = [r for r in rows if _is_study(r)]
    if form.ft_level in ("college", "bachelor", "master", "doctorate") and rows and not study:
        out.append(Finding("education_resume", "全日制学历", "有全日制学历，但简历中没有相应的学习经历"))
    if form.work_start_date is not None:
        for r in study:
            if r.end is not None and r.end > form.work_start_date and r.start < form.work_start_date \
                    and _months(form.work_start_date, r.end) > GAP_MONTHS:
                out.append(Finding("study_after_work", "参加工作时间",
                                   f"全日制学习“{r.text[:16]}”结束于参加工作之后"))
    if rows and rows[-1].end is not None and form.current_post_text:
        out.append(Finding("resume_current", "简历", "简历最后一段有结束时间，与现任职务不衔接"))
    return out


def check_form(form: CadreForm) -> list[Finding]:
    """Every inconsistency found among the form's ages, histories and identity."""
    return _identity(form) + _ages(form) + _history(form)
