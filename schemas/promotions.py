"""Promotion records (提拔任用, 晋升职级, 平级调动) through the official selection stages."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from schemas.common import DbId, IdList, Name, PostLevel, Rank, ShortText, Strict, Tier, Version

Count = Annotated[int, Field(ge=0, le=100_000)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Kind = Literal["post_promotion", "rank_promotion", "lateral_transfer"]
MAX_CANDIDATES = 50  # candidate rows of one democratic recommendation
StageName = Literal["motion", "recommendation", "inspection", "decision", "notice", "appointment"]


class PromotionCreate(Strict):
    """Open a selection record for a cadre and a target post or rank."""

    cadre_id: DbId
    kind: Kind
    position_id: DbId | None = None
    target_unit_id: DbId
    target_post: ShortText
    target_post_level: PostLevel | None = None
    target_rank: Rank | None = None
    is_elected_post: bool = False

    @model_validator(mode="after")
    def _target_fits_kind(self) -> "PromotionCreate":
        if self.kind == "post_promotion" and self.target_post_level is None:
            raise ValueError("提拔须填写拟任职务层次 target_post_level")
        if self.kind == "rank_promotion" and self.target_rank is None:
            raise ValueError("晋升职级须填写拟晋升职级 target_rank")
        return self


class MotionIn(Strict):
    """动议: who proposed the selection and why."""

    stage: Literal["motion"]
    date: date
    proposed_by: ShortText
    reason: Text


class Vote(Strict):
    """Votes one candidate received in the democratic recommendation."""

    cadre_id: DbId
    votes: Count


class RecommendationIn(Strict):
    """民主推荐: participants, ballots and votes per candidate.

    Each count is checked against the one before it under its own field; the candidates (readable,
    named once, no more votes than ballots returned) are checked per row by the service
    (service/promotions/stages.py), which can say which row is wrong."""

    stage: Literal["recommendation"]
    date: date
    participants: Annotated[int, Field(ge=1, le=100_000)]
    ballots_issued: Annotated[int, Field(ge=1, le=100_000)]
    ballots_returned: Count
    votes: Annotated[list[Vote], Field(min_length=1, max_length=MAX_CANDIDATES)]

    @field_validator("ballots_issued")
    @classmethod
    def _issued_within_participants(cls, value: int, info: ValidationInfo) -> int:
        if value > info.data.get("participants", value):
            raise ValueError("发出票数不能多于参加推荐人数")
        return value

    @field_validator("ballots_returned")
    @classmethod
    def _returned_within_issued(cls, value: int, info: ValidationInfo) -> int:
        if value > info.data.get("ballots_issued", value):
            raise ValueError("收回票数不能多于发出票数")
        return value


class InspectionIn(Strict):
    """考察: the team, how many people were interviewed, the report and what it rests on."""

    stage: Literal["inspection"]
    date: date
    team: Annotated[list[Name], Field(min_length=2, max_length=20)]
    interviewed: Annotated[int, Field(ge=1, le=10_000)]
    report: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
    record_ids: IdList = []
    evidence_ids: IdList = []


class DecisionIn(Strict):
    """讨论决定: the committee's members, those present and the vote."""

    stage: Literal["decision"]
    date: date
    members_total: Annotated[int, Field(ge=1, le=200)]
    present: Annotated[int, Field(ge=0, le=200)]
    in_favour: Annotated[int, Field(ge=0, le=200)]
    against: Annotated[int, Field(ge=0, le=200)] = 0
    abstain: Annotated[int, Field(ge=0, le=200)] = 0

    @field_validator("present")
    @classmethod
    def _present_within_members(cls, value: int, info: ValidationInfo) -> int:
        if value > info.data.get("members_total", value):
            raise ValueError("到会人数不能多于应到会成员数")
        return value

    @model_validator(mode="after")
    def _votes_add_up(self) -> "DecisionIn":
        if self.in_favour + self.against + self.abstain > self.present:
            raise ValueError("同意、不同意、弃权票之和不能多于到会人数")
        return self


class NoticeIn(Strict):
    """任前公示: the notice period (at least 5 working days) and what came of it."""

    stage: Literal["notice"]
    start: date
    end: date
    channel: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    objections: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""

    @field_validator("end")
    @classmethod
    def _ends_after_start(cls, value: date, info: ValidationInfo) -> date:
        if value < info.data.get("start", value):
            raise ValueError("公示结束日期不能早于开始日期")
        return value


class AppointmentIn(Strict):
    """任职: the date and the number of the appointment document (文号)."""

    stage: Literal["appointment"]
    date: date
    document_no: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=60)]


StageIn = Annotated[MotionIn | RecommendationIn | InspectionIn | DecisionIn | NoticeIn | AppointmentIn,
                    Field(discriminator="stage")]


class StageRecord(Strict):
    """Record the next stage, based on the record's version."""

    version: Version | None = None
    payload: StageIn


class StageAmend(Strict):
    """Correct a recorded stage with a reason; the previous content stays in the revisions."""

    version: Version | None = None
    reason: Reason
    payload: StageIn


class CancelIn(Strict):
    """Cancel a selection that has not reached appointment."""

    version: Version | None = None
    reason: Reason


class ProbationIn(Strict):
    """End a probation: confirmed in post (试用期满考核合格) or removed from the post on trial."""

    version: Version | None = None
    outcome: Literal["confirmed", "removed"]
    date: date
    reason: Reason


class StageOut(BaseModel):
    """A recorded stage."""

    stage: StageName
    label: str
    stage_date: date
    end_date: date | None
    payload: dict[str, Any]
    revision: int
    recorded_by: int
    recorded_at: datetime


class PromotionOut(BaseModel):
    """A selection record with its stages."""

    id: int
    cadre_id: int
    cadre_name: str
    position_id: int | None
    kind: Kind
    target_unit_id: int
    target_unit_name: str
    target_post: str
    target_post_level: PostLevel | None
    target_rank: Rank | None
    is_elected_post: bool
    stage: str
    next_stage: str | None
    status: str
    appointed_on: date | None
    probation_end: date | None
    probation_outcome_on: date | None
    tier: Tier | None
    post_level_after: PostLevel | None
    cancel_reason: str | None
    version: int
    stages: list[StageOut]
    created_at: datetime
    updated_at: datetime


class PromotionPage(BaseModel):
    """A page of selection records."""

    items: list[PromotionOut]
    total: int
    limit: int
    offset: int


class StatsRow(BaseModel):
    """One group of appointed promotions."""

    key: str
    label: str
    count: int


class PromotionFilter(BaseModel):
    """The filters of a promotion listing (None: any)."""

    cadre_id: int | None = None
    status: str | None = None
    kind: Kind | None = None


class StatsFilter(BaseModel):
    """What promotion statistics count and how they group them."""

    group_by: Literal["unit", "kind", "tier", "period", "domain"] = "kind"
    period: Literal["year", "quarter"] = "year"
    date_from: date | None = None
    date_to: date | None = None
    unit_id: int | None = None
    kind: Kind | None = None
    post_levels: list[str] = []
    domain_years: int = 3


class StatsOut(BaseModel):
    """Counts of appointed promotions by one dimension."""

    group_by: str
    total: int
    rows: list[StatsRow]


class WorkingDays(BaseModel):
    """Working days in an inclusive range on the holiday calendar."""

    start: date
    end: date
    working_days: int
    covered: bool

