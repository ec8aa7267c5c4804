"""Leaders' front-line service logs: window-service sessions (窗口服务) and mobile service visits."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from schemas.common import DbId, LongText, NotFutureDate, Strict, Version

Count = Annotated[int, Field(ge=0, le=100_000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ServiceKind(StrEnum):
    """A session at a service window, or a visit with the mobile service vehicle (流动服务车)."""

    window_service = "window_service"
    mobile_service = "mobile_service"


class GroupBy(StrEnum):
    """What service totals are grouped by."""

    cadre = "cadre"
    unit = "unit"


class ServiceLogContent(Strict):
    """What happened in one session or visit."""

    served_on: NotFutureDate
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    items_handled: Count
    problems_solved: Count
    rectification_proposals: Annotated[list[Line], Field(max_length=50)] = []
    processes_improved: Annotated[list[Line], Field(max_length=50)] = []
    notes: LongText = ""
    record_id: DbId | None = None


class ServiceLogCreate(ServiceLogContent):
    """Log a leader's session; the unit defaults to the leader's current unit."""

    kind: ServiceKind
    cadre_id: DbId
    unit_id: DbId | None = None


class ServiceLogUpdate(ServiceLogContent):
    """Replace a log's content, based on its version."""

    version: Version | None = None


class VoidIn(Strict):
    """Void a mistaken log (kept, excluded from totals), saying why."""

    version: Version | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ServiceLogOut(BaseModel):
    """A service log as stored."""

    id: int
    kind: ServiceKind
    cadre_id: int
    cadre_name: str
    unit_id: int
    unit_name: str
    served_on: date
    place: str
    items_handled: int
    problems_solved: int
    rectification_proposals: list[str]
    processes_improved: list[str]
    notes: str
    record_id: int | None
    voided_at: datetime | None
    void_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class ServiceLogFilter(BaseModel):
    """The filters of a log listing or totals (None: any; unit_id takes the whole subtree)."""

    cadre_id: int | None = None
    unit_id: int | None = None
    kind: ServiceKind | None = None
    date_from: date | None = None
    date_to: date | None = None
    include_voided: bool = False


class ServiceLogPage(BaseModel):
    """A page of service logs."""

    items: list[ServiceLogOut]
    total: int
    limit: int
    offset: int


class ServiceTotals(BaseModel):
    """Sums over a span for one leader or unit (or everything, when id is None)."""

    id: int | None
    name: str
    sessions: int
    window_sessions: int
    mobile_visits: int
    items_handled: int
    problems_solved: int
    rectification_proposals: int
    processes_improved: int
    first_on: date | None
    last_on: date | None


class ServiceTotalsOut(BaseModel):
    """Totals per leader or unit over a span, most items handled first."""

    group_by: GroupBy
    date_from: date | None
    date_to: date | None
    kind: ServiceKind | None
    overall: ServiceTotals
    rows: list[ServiceTotals]
