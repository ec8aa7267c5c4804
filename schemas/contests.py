"""Arena contests (擂台比武): events, presentations, judges' scores and the evidence they produce."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from schemas.common import DbId, Domain, Judgement, LongText, ShortText, Strict, Version
from schemas.evidence import Metric


class ContestLevel(StrEnum):
    """Who competes: district heads, department heads, community Party secretaries, or others."""

    district_head = "district_head"
    department_head = "department_head"
    community_secretary = "community_secretary"
    other = "other"


class ContestCreate(Strict):
    """A contest event."""

    name: ShortText
    level: ContestLevel
    held_on: date
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    description: LongText = ""
    organizer_unit_id: DbId


class JudgeScore(Strict):
    """A score given by one judge or panel, e.g. 评委1 or 群众代表."""

    scorer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    score: Annotated[Decimal, Field(ge=0, le=10000, max_digits=7, decimal_places=2)]
    max_score: Annotated[Decimal, Field(gt=0, le=10000, max_digits=7, decimal_places=2)] = Decimal(100)

    @model_validator(mode="after")
    def _within_max(self) -> "JudgeScore":
        if self.score > self.max_score:
            raise ValueError("得分不能超过满分")
        return self


class PresentationEvidenceIn(Strict):
    """An evidence item (positive, or negative for a shortcoming) credited to the presenting cadre."""

    domain: Domain
    judgement: Judgement
    title: ShortText
    description: LongText = ""
    metrics: Annotated[list[Metric], Field(max_length=50)] = []
    period_start: date | None = None
    period_end: date | None = None

    @model_validator(mode="after")
    def _period_in_order(self) -> "PresentationEvidenceIn":
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("结束日期不能早于开始日期")
        return self


class PresentationContent(Strict):
    """What the cadre presented, and the scores given."""

    speaking_order: Annotated[int, Field(ge=1, le=1000)] | None = None
    achievements: LongText = ""
    shortcomings: LongText = ""
    goals: LongText = ""
    measures: LongText = ""
    scores: Annotated[list[JudgeScore], Field(max_length=100)] = []
    record_id: DbId | None = None

    @model_validator(mode="after")
    def _distinct_scorers(self) -> "PresentationContent":
        names = [s.scorer for s in self.scores]
        if len(set(names)) != len(names):
            raise ValueError("同一评分人只能打一次分")
        return self


class PresentationCreate(PresentationContent):
    """A cadre's presentation, optionally producing evidence items in the same transaction."""

    cadre_id: DbId
    unit_id: DbId | None = None
    evidence: Annotated[list[PresentationEvidenceIn], Field(max_length=20)] = []


class PresentationUpdate(PresentationContent):
    """Replace the content and scores of a presentation, based on its version."""

    version: Version | None = None


class EvidenceBatch(Strict):
    """Evidence items to add from an existing presentation."""

    evidence: Annotated[list[PresentationEvidenceIn], Field(min_length=1, max_length=20)]


class ScoreOut(BaseModel):
    """A judge's score as stored."""

    scorer: str
    score: float
    max_score: float


class PresentationOut(BaseModel):
    """A presentation as the caller may see it; rank is within the whole contest."""

    id: int
    contest_id: int
    contest_name: str
    level: ContestLevel
    held_on: date
    cadre_id: int
    cadre_name: str
    unit_id: int
    unit_name: str
    speaking_order: int | None
    achievements: str
    shortcomings: str
    goals: str
    measures: str
    record_id: int | None
    scores: list[ScoreOut]
    average_score: float | None
    rank: int | None
    presenters: int
    evidence_ids: list[int]
    version: int
    created_at: datetime
    updated_at: datetime


class ContestOut(BaseModel):
    """A contest with the presentations the caller may see (ordered by speaking order)."""

    id: int
    name: str
    level: ContestLevel
    held_on: date
    place: str
    description: str
    organizer_unit_id: int
    version: int
    created_at: datetime
    presentations: list[PresentationOut] = []


class ContestFilter(BaseModel):
    """The filters of a contest listing (None: any)."""

    level: ContestLevel | None = None
    date_from: date | None = None
    date_to: date | None = None


class ContestPage(BaseModel):
    """A page of contests (without presentations)."""

    items: list[ContestOut]
    total: int
    limit: int
    offset: int
