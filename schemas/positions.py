"""Positions to fill (拟任职务), their eligibility rules and score weights, kept as data."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from schemas.common import (
    AppraisalGrade,
    DbId,
    Domain,
    EducationLevel,
    PostLevel,
    Rank,
    Strict,
    Tier,
    Version,
)

Years = Annotated[float, Field(ge=0, le=45)]
Weight = Annotated[float, Field(ge=0, le=100)]
Category = Literal["urban_construction", "economy", "social", "party_affairs", "emergency", "general"]


class RankRule(Strict):
    """At least this rank (职级), held for at least `years` when exactly at it."""

    rank: Rank
    years: Years = 0


class PostLevelRule(Strict):
    """At least this post level (职务层次), held for at least `years` when exactly at it."""

    post_level: PostLevel
    years: Years = 0


class AgeRule(Strict):
    """Not older than `max_age` full years on the reference date (the position's if not given)."""

    max_age: Annotated[int, Field(ge=18, le=70)]
    on: date | None = None


class EducationRule(Strict):
    """At least this education level (full-time, or either full-time or in-service)."""

    level: EducationLevel
    fulltime_only: bool = False


class DomainRule(Strict):
    """At least `min_verified` verified, positive evidence items in a work domain."""

    domain: Domain
    min_verified: Annotated[int, Field(ge=1, le=1000)] = 1
    within_years: Annotated[int, Field(ge=1, le=30)] | None = None


class AppraisalRule(Strict):
    """No annual appraisal below `min_grade` in the last `years` completed years."""

    years: Annotated[int, Field(ge=1, le=10)] = 3
    min_grade: AppraisalGrade = AppraisalGrade.competent


class Rules(Strict):
    """Eligibility rules; a missing rule is not applied. Rank and post level pass if either holds."""

    min_rank: RankRule | None = None
    min_post_level: PostLevelRule | None = None
    # Fit to the post's level: a cadre whose current post level is above this one would take a
    # lower post, so is not a candidate (a 区委书记, 正处, for a 正科 局长). Defaults to the
    # position's own level (PositionFields); an explicit null switches the rule off.
    max_post_level: PostLevel | None = None
    max_age: AgeRule | None = None
    min_education: EducationRule | None = None
    tiers: Annotated[list[Tier], Field(max_length=2)] = []
    grassroots_years: Years | None = None
    domains: Annotated[list[DomainRule], Field(max_length=6)] = []
    appraisal: AppraisalRule | None = None
    no_open_penalty: bool = True

    @model_validator(mode="after")
    def _one_rule_per_domain(self) -> "Rules":
        if len({d.domain for d in self.domains}) != len(self.domains):
            raise ValueError("同一工作领域只能设置一条实绩要求")
        return self


class Weights(Strict):
    """Score weights and parameters; `relevance` overrides the post category's domain relevance."""

    evidence: Weight = 1.0
    appraisal: Weight = 2.0
    unit_rank: Weight = 3.0
    contest: Weight = 2.0
    half_life_years: Annotated[float, Field(ge=0.25, le=20)] = 2.0
    window_years: Annotated[int, Field(ge=1, le=20)] = 5
    appraisal_years: Annotated[int, Field(ge=1, le=10)] = 3
    relevance: dict[Domain, Annotated[float, Field(ge=0, le=1)]] = {}


class PositionFields(Strict):
    """A post to fill and how candidates are judged."""

    unit_id: DbId
    title: Annotated[str, Field(min_length=1, max_length=100)]
    post_level: PostLevel | None = None
    tier: Tier
    category: Category = "general"
    is_elected: bool = False
    reference_date: date | None = None
    rules: Rules = Rules()
    weights: Weights = Weights()

    @model_validator(mode="after")
    def _fit_to_the_post_level(self) -> "PositionFields":
        # The level-fit rule follows the position's level unless the rules set it themselves.
        if self.post_level is not None and "max_post_level" not in self.rules.model_fields_set:
            self.rules.max_post_level = self.post_level
        return self


class PositionCreate(PositionFields):
    """A new position."""


class PositionUpdate(PositionFields):
    """A full replacement, based on a version; saved shortlists keep their own copy of the rules."""

    version: Version | None = None
    status: Literal["open", "closed"] = "open"


class PositionOut(BaseModel):
    """A position as stored."""

    id: int
    unit_id: int
    unit_name: str
    title: str
    post_level: PostLevel | None
    tier: Tier
    category: Category
    is_elected: bool
    reference_date: date
    rules: Rules
    weights: Weights
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


class PositionPage(BaseModel):
    """A page of positions."""

    items: list[PositionOut]
    total: int
    limit: int
    offset: int


class EligibilityPreviewIn(Strict):
    """Rules being edited, counted before they are saved."""

    rules: Rules = Rules()
    reference_date: date | None = None


class RuleCount(BaseModel):
    """How many cadres of the pool pass one rule."""

    rule: str
    label: str
    passed: int


class EligibilityPreview(BaseModel):
    """The pool (active cadres in the caller's scope), the eligible count and each rule's count."""

    reference_date: date
    pool: int
    eligible: int
    rules: list[RuleCount]


class RuleOutcome(BaseModel):
    """One rule applied to one cadre: passed or not, and the actual value behind it."""

    rule: str
    label: str
    passed: bool
    detail: str


class CadreEligibility(BaseModel):
    """Every rule's outcome for one cadre."""

    cadre_id: int
    name: str
    unit_name: str
    post: str
    eligible: bool
    rules: list[RuleOutcome]
    failed: list[str]


class EligibilityPage(BaseModel):
    """Cadres checked against a position's rules."""

    position_id: int
    reference_date: date
    eligible_total: int
    items: list[CadreEligibility]
    total: int
    limit: int
    offset: int

