"""A cadre's form data to the printed 任免审批表 (ages against a reference date, 到龄 by the 2025 rules)."""

from datetime import date

from schemas.approval_form import ApprovalFormDoc, Education, FamilyLine, Layout, ResumeLine
from service.forms.model import CadreForm, ResumeSub
from service.forms.words import GENDER_WORDS, education_word
from service.lrmx.dates import dotted
from service.quality.retirement import age_on, retirement_for

FAMILY_ROWS = 7


def _period(start: date | None, end: date | None) -> str:
    if start is None:
        return ""
    return f"{dotted(start)}--{dotted(end)}" if end else f"{dotted(start)}--"


def _sub(s: ResumeSub) -> str:
    return _period(s.start, s.end) + s.text


def resume_lines(form: CadreForm) -> list[ResumeLine]:
    """Resume lines as printed: one per main entry, then its （其间…） entries on one line."""
    out = []
    for r in form.resume:
        out.append(ResumeLine(period=_period(r.start, r.end), text=r.text))
        if r.subs:
            out.append(ResumeLine(period="", text="（其间：" + "；".join(_sub(s) for s in r.subs) + "）",
                                  sub=True))
    return out


def _school(level_school: str, degree_school: str) -> tuple[str, str]:
    # The same school for 学历 and 学位 is printed once.
    return level_school, "" if degree_school == level_school else degree_school


def to_print(form: CadreForm, *, reference: date, layout: Layout = "reform",
             family_restricted: bool = False) -> ApprovalFormDoc:
    """The printed form of a cadre, ages as of `reference`."""
    birth = form.birth_date
    retire = retirement_for(birth, form.gender or "male", form.retirement_base_age) if birth else None
    ft_school, ft_degree_school = _school(form.ft_school, form.ft_degree_school)
    is_school, is_degree_school = _school(form.is_school, form.is_degree_school)
    family = [FamilyLine(relation=m.relation, name=m.name,
                         age="" if m.deceased or m.birth is None else str(age_on(m.birth, reference)),
                         political_status=m.political_status, work=m.work) for m in form.family]
    return ApprovalFormDoc(
        layout=layout, name=form.name, gender=GENDER_WORDS.get(form.gender or "", ""),
        birth=dotted(birth), age=f"（{age_on(birth, reference)}岁）" if birth else "",
        ethnicity=form.ethnicity, native_place=form.native_place, birthplace=form.birthplace,
        party_join=form.party_text or dotted(form.party_join_date),
        work_start=dotted(form.work_start_date), health=form.health,
        retirement=dotted(retire.reached) if retire else "",
        retirement_age=f"（{retire.label()}）" if retire else "",
        professional_title=form.professional_title, expertise=form.expertise,
        full_time=Education(level=education_word(form.ft_level, form.ft_level_text) or form.ft_level_text,
                            degree=form.ft_degree, level_school=ft_school,
                            degree_school=ft_degree_school),
        in_service=Education(level=education_word(form.is_level, form.is_level_text) or form.is_level_text,
                             degree=form.is_degree, level_school=is_school,
                             degree_school=is_degree_school),
        current_post=form.current_post_text, proposed_post=form.proposed_post,
        removed_post=form.removed_post, resume=resume_lines(form),
        rewards=form.rewards_text or "无", appraisals=form.appraisals_text, reason=form.reason,
        family=family, family_restricted=family_restricted, reporting_unit=form.reporting_unit,
        filled_by=form.filled_by, reference_date=dotted(reference), photo=form.photo,
    )
