"""A cadre's performance section of the dossier: units led, contests, secondments, front-line service."""

from datetime import date

from pydantic import BaseModel

from schemas.assessments import PeriodState, StarAward
from schemas.contests import PresentationOut
from schemas.secondments import PlacementOut
from schemas.service_logs import ServiceTotals


class IndicatorStanding(BaseModel):
    """The led unit's score and rank in one indicator."""

    code: str
    name: str
    score: float | None
    rank: int | None


class UnitStanding(BaseModel):
    """A published or locked period in which the cadre headed a compared unit, and how it stood."""

    period_id: int
    period_code: str
    period_name: str
    starts_on: date
    ends_on: date
    state: PeriodState
    unit_id: int
    unit_name: str
    headed_from: date
    headed_to: date | None
    total: float
    rank: int
    seat: int
    participants: int
    stars: int
    star_details: list[StarAward]
    indicators: list[IndicatorStanding]


class ServiceYear(BaseModel):
    """Front-line service sums of one calendar year."""

    year: int
    sessions: int
    window_sessions: int
    mobile_visits: int
    items_handled: int
    problems_solved: int
    rectification_proposals: int
    processes_improved: int


class CadrePerformance(BaseModel):
    """Everything of issue 7 that belongs in a cadre's dossier."""

    cadre_id: int
    cadre_name: str
    headship_rule: str
    unit_standings: list[UnitStanding]
    contests: list[PresentationOut]
    placements: list[PlacementOut]
    service_totals: ServiceTotals
    service_by_year: list[ServiceYear]
