"""Secondments (下沉/选派) to task forces (专班), and task force metrics defined as data."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from schemas.common import DbId, LongText, ShortText, Strict, Version

Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,32}$")]


class Bucket(StrEnum):
    """Time buckets of a metric series."""

    day = "day"
    week = "week"
    month = "month"


class ProgramCreate(Strict):
    """A secondment programme, e.g. 129 cadres to 6 task forces for a year."""

    name: ShortText
    description: LongText = ""
    owner_unit_id: DbId
    starts_on: date
    ends_on: date
    task_force_unit_ids: Annotated[list[DbId], Field(min_length=1, max_length=100)]

    @model_validator(mode="after")
    def _consistent(self) -> "ProgramCreate":
        if self.ends_on < self.starts_on:
            raise ValueError("结束日期不能早于开始日期")
        if len(set(self.task_force_unit_ids)) != len(self.task_force_unit_ids):
            raise ValueError("专班不能重复")
        return self


class PlacementIn(Strict):
    """One cadre sent to a task force; home unit and post default to the cadre's current ones."""

    cadre_id: DbId
    task_force_unit_id: DbId
    home_unit_id: DbId | None = None
    home_post: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                max_length=200)] | None = None
    role: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _dates_in_order(self) -> "PlacementIn":
        if self.ends_on < self.starts_on:
            raise ValueError("结束日期不能早于开始日期")
        return self


class PlacementsIn(Strict):
    """Placements to add to a programme (all or none)."""

    placements: Annotated[list[PlacementIn], Field(min_length=1, max_length=500)]


class PlacementUpdate(Strict):
    """Change a placement's dates or role (e.g. ended early), based on its version."""

    version: Version | None = None
    role: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _dates_in_order(self) -> "PlacementUpdate":
        if self.ends_on < self.starts_on:
            raise ValueError("结束日期不能早于开始日期")
        return self


class MetricCreate(Strict):
    """A task force metric definition, e.g. client_contacts 客户接触 次."""

    code: Code
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    unit_label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    description: Annotated[str, StringConstraints(max_length=2000)] = ""


class MetricOut(BaseModel):
    """A metric definition."""

    id: int
    code: str
    name: str
    unit_label: str
    description: str


class MetricValueIn(Strict):
    """The count of one metric for the interval reported on a day; version when changing a stored one."""

    metric_code: Code
    recorded_on: date
    value: Annotated[Decimal, Field(ge=0, le=10**12, max_digits=14, decimal_places=2)]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    version: Version | None = None


class MetricValuesIn(Strict):
    """Values to store for a task force (all or none)."""

    values: Annotated[list[MetricValueIn], Field(min_length=1, max_length=2000)]


class WriteResult(BaseModel):
    """What a batch write did."""

    created: int
    updated: int
    unchanged: int


class MetricTotal(BaseModel):
    """A metric summed over a span."""

    code: str
    name: str
    unit_label: str
    value: float


class SeriesPoint(BaseModel):
    """A metric's sum in one time bucket."""

    bucket_start: date
    value: float


class MetricSeries(BaseModel):
    """A metric over time (data for a chart)."""

    code: str
    name: str
    unit_label: str
    total: float
    points: list[SeriesPoint]


class TaskForceMetrics(BaseModel):
    """A task force's metrics over a span."""

    unit_id: int
    unit_name: str
    date_from: date | None
    date_to: date | None
    bucket: Bucket
    series: list[MetricSeries]


class TaskForceOut(BaseModel):
    """A task force of a programme: how many cadres were placed, and its metrics in the programme."""

    unit_id: int
    unit_code: str
    unit_name: str
    placed: int
    metrics: list[MetricTotal]


class ProgramOut(BaseModel):
    """A programme with its task forces."""

    id: int
    name: str
    description: str
    owner_unit_id: int
    starts_on: date
    ends_on: date
    placed_cadres: int
    version: int
    created_at: datetime
    task_forces: list[TaskForceOut]


class ProgramPage(BaseModel):
    """A page of programmes."""

    items: list[ProgramOut]
    total: int
    limit: int
    offset: int


class PlacementOut(BaseModel):
    """A placement with the task force metrics attributed to it (values dated within it)."""

    id: int
    program_id: int
    program_name: str
    task_force_unit_id: int
    task_force_name: str
    cadre_id: int
    cadre_name: str
    home_unit_id: int
    home_unit_name: str
    home_post: str
    role: str
    starts_on: date
    ends_on: date
    version: int
    metrics: list[MetricTotal]


class PlacementPage(BaseModel):
    """A page of placements."""

    items: list[PlacementOut]
    total: int
    limit: int
    offset: int
