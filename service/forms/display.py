"""A form as label → printed value, for field-by-field previews, and merging a file into a form."""

import dataclasses
import hashlib

from service.forms.model import CadreForm
from service.forms.words import GENDER_WORDS, education_word
from service.lrmx import appraisals, jianli
from service.lrmx.dates import dotted


def _resume(form: CadreForm) -> str:
    return jianli.format_entries([
        jianli.Entry(r.start, r.end, r.text, [jianli.SubEntry(s.start, s.end, s.text) for s in r.subs])
        for r in form.resume]).replace("\r\n", "\n")


def _party(form: CadreForm) -> str:
    return form.party_text or dotted(form.party_join_date)


def display(form: CadreForm) -> dict[str, str]:
    """Every stored field of the form as it reads on paper."""
    return {
        "姓名": form.name, "性别": GENDER_WORDS.get(form.gender or "", ""),
        "出生年月": dotted(form.birth_date), "民族": form.ethnicity, "籍贯": form.native_place,
        "出生地": form.birthplace, "入党时间": _party(form),
        "参加工作时间": dotted(form.work_start_date), "健康状况": form.health,
        "专业技术职务": form.professional_title, "熟悉专业有何专长": form.expertise,
        "全日制学历": education_word(form.ft_level, form.ft_level_text) or form.ft_level_text,
        "全日制学位": form.ft_degree, "全日制毕业院校系及专业": form.ft_school,
        "全日制学位毕业院校系及专业": form.ft_degree_school,
        "在职学历": education_word(form.is_level, form.is_level_text) or form.is_level_text,
        "在职学位": form.is_degree, "在职毕业院校系及专业": form.is_school,
        "在职学位毕业院校系及专业": form.is_degree_school,
        "现任职务": form.current_post_text, "拟任职务": form.proposed_post,
        "拟免职务": form.removed_post, "简历": _resume(form), "奖惩情况": form.rewards_text,
        "年度考核结果": appraisals.format_grades(form.appraisals),
        "任免理由": form.reason,
        "家庭成员": "\n".join(" ".join(x for x in (m.relation, m.name, dotted(m.birth), m.political_status,
                                                  m.work) if x) for m in form.family),
        "呈报单位": form.reporting_unit, "身份证号": form.national_id,
        "照片": hashlib.sha256(form.photo).hexdigest()[:12] if form.photo else "",
        "改革前任职年龄界限": f"{form.retirement_base_age}岁" if form.retirement_base_age else "",
    }


def diff(before: dict[str, str], after: dict[str, str]) -> list[dict[str, str]]:
    """The fields whose printed value differs: field, before, after."""
    return [{"field": k, "before": before.get(k, ""), "after": v} for k, v in after.items()
            if v != before.get(k, "")]


def _empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def merge(base: CadreForm, incoming: CadreForm) -> CadreForm:
    """`base` with every field the file fills taken from the file (an empty field never clears)."""
    merged = dataclasses.replace(base)
    for f in dataclasses.fields(CadreForm):
        value = getattr(incoming, f.name)
        if not _empty(value):
            setattr(merged, f.name, value)
    if not _empty(incoming.party_join_date) and _empty(incoming.party_text):
        merged.party_text = ""  # a plain date replaces the old wording
    if incoming.appraisals:
        merged.appraisals = {**base.appraisals, **incoming.appraisals}
    return merged
