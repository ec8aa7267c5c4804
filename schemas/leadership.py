"""Leadership teams (领导班子), democratic evaluation rounds (民主测评) and talk statistics."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from schemas.common import DbId, ShortText, Strict, Version

TeamRole = Literal["head", "member", "none"]
RaterCategory = Literal["leadership", "middle", "staff", "service_object", "other"]
# 优秀/称职/基本称职/不称职 for serving members; 认同/不认同/不了解 for newly promoted cadres.
GRADE_SCALE = ("excellent", "competent", "basically_competent", "incompetent")
APPROVAL_SCALE = ("approve", "disapprove", "unknown")
Grade = Literal["excellent", "competent", "basically_competent", "incompetent",
                "approve", "disapprove", "unknown"]
Scale = Literal["grade", "approval"]
VoteCount = Annotated[int, Field(ge=0, le=100_000)]


class TeamMemberOut(BaseModel):
    """One resume line that places a cadre in the team, with its role."""

    line_id: int
    line_version: int
    cadre_id: int
    name: str
    post: str
    post_level: str | None
    role: TeamRole
    role_source: Literal["set", "derived"]
    member_from: date
    member_to: date | None


class TeamOut(BaseModel):
    """A unit's leadership team over a date range (members whose lines overlap it)."""

    unit_id: int
    unit_name: str
    unit_kind: str
    date_from: date
    date_to: date
    head_ids: list[int]
    members: list[TeamMemberOut]


class TeamSummary(BaseModel):
    """A leadership team in a list."""

    unit_id: int
    unit_name: str
    unit_kind: str
    head_name: str | None
    members: int
    city_managed: int


class LineRoleIn(Strict):
    """Set (or clear, with null) the team role of one resume line."""

    team_role: TeamRole | None
    version: Version | None = None


class LineRoleOut(BaseModel):
    """A resume line's team role after a change."""

    line_id: int
    cadre_id: int
    unit_id: int | None
    team_role: TeamRole | None
    version: int


class VoteIn(Strict):
    """Votes of one rater category for one subject (cadre_id null: the team as a whole)."""

    cadre_id: DbId | None = None
    rater_category: RaterCategory
    counts: Annotated[dict[Grade, VoteCount], Field(min_length=1, max_length=7)]

    @model_validator(mode="after")
    def _one_scale(self) -> "VoteIn":
        grades = set(self.counts)
        if not (grades <= set(GRADE_SCALE) or grades <= set(APPROVAL_SCALE)):
            raise ValueError("同一行只能使用一种测评等次：优秀/称职/基本称职/不称职，或认同/不认同/不了解")
        return self


class RoundIn(Strict):
    """A democratic evaluation round for one leadership team."""

    unit_id: DbId
    campaign_id: DbId | None = None
    name: ShortText
    held_on: date
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    votes: Annotated[list[VoteIn], Field(min_length=1, max_length=2000)]


class Rate(BaseModel):
    """Votes and rate (percent, 2 decimals) of one grade."""

    grade: Grade
    votes: int
    rate: str | None


class Tally(BaseModel):
    """Counts and rates of one subject, overall or for one rater category."""

    rater_category: RaterCategory | None
    scale: Scale
    total: int
    rates: list[Rate]
    favourable_rate: str | None


class SubjectResult(BaseModel):
    """Results of one subject of a round (cadre_id null: the team as a whole)."""

    cadre_id: int | None
    name: str
    overall: Tally
    by_category: list[Tally]


class RoundOut(BaseModel):
    """A round with its computed results."""

    id: int
    unit_id: int
    unit_name: str
    campaign_id: int | None
    name: str
    held_on: date
    note: str
    version: int
    subjects: list[SubjectResult]


class TalkStats(BaseModel):
    """Talks (个别谈话 records) about one cadre in a campaign, by the interviewees' relation."""

    cadre_id: int
    records: int
    people: int
    by_relation: dict[str, int]
    record_ids: list[int] = []


class ImportRowError(BaseModel):
    """One problem of an imported sheet."""

    row: int
    column: str
    message: str
