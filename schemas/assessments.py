"""Quarterly unit scoreboards (季度考核榜单): periods, indicators, scores, stars, ranks, seating."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from schemas.common import DbId, ShortText, Strict, Version

Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=1000)]
Score = Annotated[Decimal, Field(ge=0, le=10000, max_digits=7, decimal_places=2)]
Points = Annotated[Decimal, Field(gt=0, le=1000, max_digits=6, decimal_places=2)]


class PeriodState(StrEnum):
    """Lifecycle of an assessment period: drafted, published, then locked."""

    draft = "draft"
    published = "published"
    locked = "locked"


class StarRuleKind(StrEnum):
    """How a star is earned (摘星)."""

    indicator_top_n = "indicator_top_n"
    indicator_at_least = "indicator_at_least"
    total_top_n = "total_top_n"
    total_at_least = "total_at_least"


class AdjustmentKind(StrEnum):
    """Bonus (加分) or deduction (扣分) points."""

    bonus = "bonus"
    deduction = "deduction"


class IndicatorIn(Strict):
    """An indicator of a period, e.g. economic operation with weight 40 (percent)."""

    code: Code
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    weight: Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]
    max_score: Annotated[Decimal, Field(gt=0, le=10000, max_digits=7, decimal_places=2)] = Decimal(100)


class StarRuleIn(Strict):
    """A star rule kept as data: top N or a threshold, per indicator or on the total."""

    kind: StarRuleKind
    indicator_code: Code | None = None
    top_n: Annotated[int, Field(ge=1, le=1000)] | None = None
    threshold: Annotated[Decimal, Field(ge=-10000, le=10000, max_digits=8, decimal_places=2)] | None = None
    stars: Annotated[int, Field(ge=1, le=10)] = 1
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""

    @model_validator(mode="after")
    def _fields_match_kind(self) -> "StarRuleIn":
        per_indicator = self.kind.value.startswith("indicator_")
        top = self.kind.value.endswith("_top_n")
        if per_indicator != (self.indicator_code is not None):
            raise ValueError("单项指标的摘星规则须选择指标，按总分的规则不选指标")
        if top != (self.top_n is not None) or top == (self.threshold is not None):
            raise ValueError("前N名规则须填写前 N 名（不填分数线），分数线规则须填写分数线（不填前 N 名）")
        return self


class PeriodSetup(Strict):
    """What is compared in a period: units, indicators (weights sum to 100) and star rules."""

    name: ShortText
    starts_on: date
    ends_on: date
    unit_ids: Annotated[list[DbId], Field(min_length=1, max_length=500)]
    indicators: Annotated[list[IndicatorIn], Field(min_length=1, max_length=50)]
    star_rules: Annotated[list[StarRuleIn], Field(max_length=100)] = []

    @model_validator(mode="after")
    def _consistent(self) -> "PeriodSetup":
        if self.ends_on < self.starts_on:
            raise ValueError("结束日期不能早于开始日期")
        codes = [i.code for i in self.indicators]
        if len(set(codes)) != len(codes) or len({i.name for i in self.indicators}) != len(codes):
            raise ValueError("指标代码和名称不能重复")
        if len(set(self.unit_ids)) != len(self.unit_ids):
            raise ValueError("参评单位不能重复")
        unknown = {r.indicator_code for r in self.star_rules if r.indicator_code} - set(codes)
        if unknown:
            raise ValueError(f"摘星规则引用了未定义的指标：{'、'.join(sorted(unknown))}")
        return self


class PeriodCreate(PeriodSetup):
    """A new period (draft) of an owner unit, e.g. 2024Q3 of the city."""

    code: Code
    owner_unit_id: DbId


class PeriodUpdate(PeriodSetup):
    """Replace the setup of a draft period."""

    version: Version | None = None


class VersionIn(Strict):
    """The version a state change is based on."""

    version: Version | None = None


class ScoreCell(Strict):
    """One unit's score in one indicator; version is that of the stored cell (None for a new one)."""

    unit_id: DbId
    indicator_code: Code
    score: Score
    version: Version | None = None


class ScoresIn(Strict):
    """Scores to enter or change in a draft or published period."""

    scores: Annotated[list[ScoreCell], Field(min_length=1, max_length=5000)]


class AdjustmentIn(Strict):
    """Bonus or deduction points for a unit, with the reason."""

    unit_id: DbId
    kind: AdjustmentKind
    points: Points
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class WithdrawIn(Strict):
    """Withdraw an adjustment, saying why."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class CorrectionIn(Strict):
    """An audited correction of a locked period: a reason, and what changes."""

    version: Version | None = None
    reason: Reason
    scores: Annotated[list[ScoreCell], Field(max_length=5000)] = []
    add_adjustments: Annotated[list[AdjustmentIn], Field(max_length=100)] = []
    withdraw_adjustment_ids: Annotated[list[DbId], Field(max_length=100)] = []

    @model_validator(mode="after")
    def _changes_something(self) -> "CorrectionIn":
        if not (self.scores or self.add_adjustments or self.withdraw_adjustment_ids):
            raise ValueError("更正须至少包含一项修改")
        return self


class IndicatorOut(BaseModel):
    """An indicator as stored."""

    id: int
    code: str
    name: str
    weight: float
    max_score: float
    position: int


class StarRuleOut(BaseModel):
    """A star rule as stored."""

    id: int
    kind: StarRuleKind
    indicator_code: str | None
    top_n: int | None
    threshold: float | None
    stars: int
    label: str


class UnitRef(BaseModel):
    """A unit named in a period."""

    id: int
    code: str
    name: str


class PeriodOut(BaseModel):
    """A period with its setup."""

    id: int
    code: str
    name: str
    owner_unit_id: int
    starts_on: date
    ends_on: date
    state: PeriodState
    published_at: datetime | None
    locked_at: datetime | None
    version: int
    units: list[UnitRef]
    indicators: list[IndicatorOut]
    star_rules: list[StarRuleOut]


class PeriodPage(BaseModel):
    """A page of periods."""

    items: list[PeriodOut]
    total: int
    limit: int
    offset: int


class AdjustmentOut(BaseModel):
    """A bonus or deduction as stored."""

    id: int
    unit_id: int
    kind: AdjustmentKind
    points: float
    reason: str
    created_at: datetime
    withdrawn_at: datetime | None
    withdraw_reason: str | None


class CellOut(BaseModel):
    """One unit's score and rank in one indicator."""

    indicator_code: str
    indicator_name: str
    score: float | None
    rank: int | None
    version: int | None


class StarAward(BaseModel):
    """A star rule a unit met."""

    rule_id: int
    label: str
    stars: int


class BoardRow(BaseModel):
    """A unit's line on the scoreboard."""

    unit: UnitRef
    cells: list[CellOut]
    weighted: float
    bonus: float
    deduction: float
    total: float
    rank: int
    seat: int
    stars: int
    star_details: list[StarAward]
    complete: bool
    adjustments: list[AdjustmentOut]


class Board(BaseModel):
    """The scoreboard of a period, ordered by seat (rank, then the stated tie-break)."""

    period: PeriodOut
    tie_rule: str
    rows: list[BoardRow]


class Seat(BaseModel):
    """A seat at the next city meeting."""

    seat: int
    unit: UnitRef
    rank: int
    total: float
    stars: int


class Seating(BaseModel):
    """Seating order for the next city meeting, following the published rank."""

    period_id: int
    period_name: str
    tie_rule: str
    seats: list[Seat]


class ScoresResult(BaseModel):
    """What a score entry or import changed."""

    created: int
    updated: int
    unchanged: int
    period_version: int


class ImportIssue(BaseModel):
    """One problem found in an uploaded sheet."""

    row: int
    column: str
    field: str
    message: str


class CorrectionOut(BaseModel):
    """An applied correction: who, when, why, and the values before and after."""

    id: int
    period_id: int
    period_version: int
    reason: str
    changes: dict[str, object]
    created_by: int
    created_at: datetime


class TrendPoint(BaseModel):
    """One unit in one period: total, rank and stars, and the chosen indicator if any."""

    period_id: int
    period_code: str
    period_name: str
    starts_on: date
    ends_on: date
    total: float
    rank: int
    participants: int
    stars: int
    indicator_score: float | None = None
    indicator_rank: int | None = None


class TrendSeries(BaseModel):
    """A unit's points across periods, oldest first (data for a chart)."""

    unit: UnitRef
    points: list[TrendPoint]


class Trends(BaseModel):
    """Trend lines of units across published periods."""

    indicator_code: str | None
    series: list[TrendSeries]
