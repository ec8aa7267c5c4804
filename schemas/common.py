"""Shared vocabulary: enumerations (their Chinese labels are in schemas.labels) and small reusable models."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from schemas import clock
from schemas.labels import label as label  # re-exported: the label table lives in schemas.labels

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
LongText = Annotated[str, StringConstraints(max_length=20000)]
OptText = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=200)]


class Strict(BaseModel):
    """Base for request bodies: unknown fields are an error, not silently dropped; no date in
    them may be Python's first or last day (stored as ±infinity, see _storable)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _storable_dates(cls, value: Any) -> Any:
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, date):
                _storable(item.date() if isinstance(item, datetime) else item)
        return value


class Role(StrEnum):
    """Account roles."""

    admin = "admin"
    officer = "officer"
    researcher = "researcher"
    auditor = "auditor"
    leader = "leader"


class UnitKind(StrEnum):
    """Kinds of organization in the unit hierarchy."""

    city = "city"
    district = "district"
    department = "department"
    town = "town"
    street = "street"
    community = "community"
    task_force = "task_force"
    enterprise = "enterprise"


class Tier(StrEnum):
    """Which level's organization department manages the cadre."""

    city_managed = "city_managed"
    district_managed = "district_managed"


class Gender(StrEnum):
    """Gender as on the appointment approval form."""

    male = "male"
    female = "female"


class CadreStatus(StrEnum):
    """Employment status of a cadre."""

    active = "active"
    retired = "retired"
    transferred = "transferred"
    dismissed = "dismissed"


class Rank(StrEnum):
    """Rank ladder (职级), lowest first."""

    clerk_2 = "clerk_2"
    clerk_1 = "clerk_1"
    principal_clerk_4 = "principal_clerk_4"
    principal_clerk_3 = "principal_clerk_3"
    principal_clerk_2 = "principal_clerk_2"
    principal_clerk_1 = "principal_clerk_1"
    researcher_4 = "researcher_4"
    researcher_3 = "researcher_3"
    researcher_2 = "researcher_2"
    researcher_1 = "researcher_1"
    inspector_2 = "inspector_2"
    inspector_1 = "inspector_1"


class PostLevel(StrEnum):
    """Level of a leadership post (职务层次), lowest first."""

    section_deputy = "section_deputy"
    section_main = "section_main"
    division_deputy = "division_deputy"
    division_main = "division_main"
    bureau_deputy = "bureau_deputy"
    bureau_main = "bureau_main"


class EducationLevel(StrEnum):
    """Education levels, lowest first."""

    high_school = "high_school"
    secondary_vocational = "secondary_vocational"
    college = "college"
    bachelor = "bachelor"
    master = "master"
    doctorate = "doctorate"


class AppraisalGrade(StrEnum):
    """Annual appraisal grades (年度考核)."""

    excellent = "excellent"
    competent = "competent"
    basically_competent = "basically_competent"
    incompetent = "incompetent"


class Domain(StrEnum):
    """Work domains of achievement evidence."""

    urban_renewal = "urban_renewal"
    investment_attraction = "investment_attraction"
    livelihood = "livelihood"
    party_building = "party_building"
    risk_prevention = "risk_prevention"
    other = "other"


class RecordKind(StrEnum):
    """Kinds of field record."""

    interview = "interview"
    site_visit = "site_visit"
    window_service = "window_service"
    arena_contest = "arena_contest"
    secondment_log = "secondment_log"
    document_review = "document_review"


class RecordState(StrEnum):
    """Lifecycle of a field record."""

    draft = "draft"
    submitted = "submitted"


class Judgement(StrEnum):
    """Whether evidence speaks for or against the cadre."""

    positive = "positive"
    negative = "negative"


class Verification(StrEnum):
    """Verification state of evidence."""

    claimed = "claimed"
    verified = "verified"
    disputed = "disputed"


class Page(BaseModel):
    """Pagination envelope fields."""

    total: int
    limit: int
    offset: int


class DateRange(BaseModel):
    """An inclusive date range."""

    start: date
    end: date | None = None


# Ids are bigint and versions int in the database: bounded here, so an oversized number is a
# field error (422) rather than a driver overflow.
DbId = Annotated[int, Field(gt=0, le=2**63 - 1)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]
IdList = Annotated[list[DbId], Field(max_length=200)]


def _storable(value: date) -> date:
    # asyncpg sends Python's first and last dates as PostgreSQL's -infinity and infinity, which are
    # no calendar day: extract(year …)::int and the like fail on them long after they were stored.
    if value in (date.min, date.max):
        raise ValueError("日期超出允许范围（不能为 0001-01-01 或 9999-12-31）")
    return value


def _not_after_today(value: date) -> date:
    _storable(value)
    today = clock.today()
    if value > today:
        raise ValueError(f"日期不能晚于今天（{today.isoformat()}，北京时间）")
    return value


def _before_today(value: date) -> date:
    _storable(value)
    today = clock.today()
    if value >= today:
        raise ValueError(f"日期必须早于今天（{today.isoformat()}，北京时间）")
    return value


# A calendar day the database keeps as that day (not as ±infinity).
DbDate = Annotated[date, AfterValidator(_storable)]
# Dates of events that already happened: "today" is China's date, from the one business clock.
NotFutureDate = Annotated[date, AfterValidator(_not_after_today)]
PastDate = Annotated[date, AfterValidator(_before_today)]
