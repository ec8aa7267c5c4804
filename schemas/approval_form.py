"""The 任免审批表 as printed: every value already the text that goes into its cell."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

Layout = Literal["reform", "classic"]


class PrintModel(BaseModel):
    """Base of the printed form's models: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ResumeLine(PrintModel):
    """One printed resume line: the period column and the text; sub-entries have no period."""

    period: str
    text: str
    sub: bool = False


class FamilyLine(PrintModel):
    """One row of 家庭主要成员及重要社会关系."""

    relation: str
    name: str
    age: str
    political_status: str
    work: str


class Education(PrintModel):
    """One education track: 学历 and 学位, each with its school and major."""

    level: str = ""
    degree: str = ""
    level_school: str = ""
    degree_school: str = ""


class ApprovalFormDoc(PrintModel):
    """Both pages of the form, for PDF and Word."""

    layout: Layout = "reform"
    name: str
    gender: str = ""
    birth: str = ""
    age: str = ""
    ethnicity: str = ""
    native_place: str = ""
    birthplace: str = ""
    party_join: str = ""
    work_start: str = ""
    health: str = ""
    retirement: str = ""
    retirement_age: str = ""
    professional_title: str = ""
    expertise: str = ""
    full_time: Education = Education()
    in_service: Education = Education()
    current_post: str = ""
    proposed_post: str = ""
    removed_post: str = ""
    resume: list[ResumeLine] = []
    rewards: str = ""
    appraisals: str = ""
    reason: str = ""
    family: list[FamilyLine] = []
    family_restricted: bool = False
    reporting_unit: str = ""
    reporting_date: str = "年　月　日"
    filled_by: str = ""
    reference_date: str = ""
    photo: bytes | None = None
