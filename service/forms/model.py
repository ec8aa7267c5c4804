"""A cadre's approval-form data, typed, shared by LRMX, the PDF/Word form and rosters."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class ResumeSub:
    """A （其间…） entry; dates may be missing when the form gave none."""

    start: date | None
    end: date | None
    text: str


@dataclass
class ResumeRow:
    """A main resume line: period and the text printed after it."""

    start: date
    end: date | None
    text: str
    subs: list[ResumeSub] = field(default_factory=list)


@dataclass
class FamilyRow:
    """A family member or important social relation."""

    relation: str
    name: str
    birth: date | None = None
    political_status: str = ""
    work: str = ""

    @property
    def deceased(self) -> bool:
        """Whether the work column says the person has died (no age is printed then)."""
        return any(word in self.work for word in ("去世", "已故", "病故", "逝世"))


@dataclass
class CadreForm:
    """Everything printed on or exchanged with the form, for one cadre."""

    name: str = ""
    gender: str | None = None  # male / female
    birth_date: date | None = None
    ethnicity: str = ""
    native_place: str = ""
    birthplace: str = ""
    party_join_date: date | None = None
    party_text: str = ""  # as written, when it is not just the date (民建, 200108；民建)
    work_start_date: date | None = None
    health: str = ""
    professional_title: str = ""
    expertise: str = ""
    ft_level: str | None = None  # EducationLevel code
    ft_level_text: str = ""
    ft_degree: str = ""
    ft_school: str = ""
    ft_degree_school: str = ""
    is_level: str | None = None
    is_level_text: str = ""
    is_degree: str = ""
    is_school: str = ""
    is_degree_school: str = ""
    current_post_text: str = ""
    proposed_post: str = ""
    removed_post: str = ""
    reason: str = ""
    resume: list[ResumeRow] = field(default_factory=list)
    rewards_text: str = ""
    appraisals: dict[int, str] = field(default_factory=dict)
    appraisals_text: str = ""
    family: list[FamilyRow] = field(default_factory=list)
    reporting_unit: str = ""
    age_reference: date | None = None
    filled_on: date | None = None
    filled_by: str = ""
    national_id: str = ""
    photo: bytes | None = None
    retirement_base_age: int | None = None
    lrmx_version: str = ""
    extras: list[dict[str, Any]] = field(default_factory=list)
