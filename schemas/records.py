"""Field records: interviews, site visits, window service, arena contests and more."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from schemas.common import (
    DbId,
    IdList,
    LongText,
    NotFutureDate,
    RecordKind,
    RecordState,
    ShortText,
    Strict,
    Version,
)

Count = Annotated[int, Field(ge=0, le=1_000_000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class InterviewDetails(Strict):
    """Who was interviewed, in relation to the cadre."""

    kind: Literal["interview"] = "interview"
    interviewee_relation: Literal["self", "superior", "colleague", "subordinate", "public", "other"]
    interviewee_count: Annotated[int, Field(ge=1, le=1000)] = 1


class WindowServiceDetails(Strict):
    """What a leader did at the service window."""

    kind: Literal["window_service"] = "window_service"
    items_handled: Count
    problems_solved: Count
    rectification_proposals: Annotated[list[Line], Field(max_length=50)] = []
    processes_improved: Annotated[list[Line], Field(max_length=50)] = []


class ArenaContestDetails(Strict):
    """One presentation in an arena contest."""

    kind: Literal["arena_contest"] = "arena_contest"
    contest_name: ShortText
    achievements: LongText = ""
    shortcomings: LongText = ""
    goals: LongText = ""
    score: Annotated[float, Field(ge=0, le=1000)] | None = None


class GenericDetails(Strict):
    """Kinds without extra structured fields."""

    kind: Literal["site_visit", "secondment_log", "document_review"]


Details = Annotated[
    InterviewDetails | WindowServiceDetails | ArenaContestDetails | GenericDetails,
    Field(discriminator="kind"),
]


class RecordContent(Strict):
    """The editable content of a field record."""

    occurred_on: NotFutureDate
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    title: ShortText
    body: Annotated[str, StringConstraints(min_length=1, max_length=20000)]
    details: Details
    cadre_ids: Annotated[IdList, Field(min_length=1)]
    attachment_ids: IdList = []


class RecordCreate(RecordContent):
    """File a field record within a campaign team; submit it at once or keep a draft."""

    campaign_id: DbId
    team_id: DbId
    kind: RecordKind
    submit: bool = False

    @model_validator(mode="after")
    def _details_match_kind(self) -> "RecordCreate":
        if self.details.kind != self.kind.value:
            raise ValueError("details.kind 必须与 kind 一致")
        return self


class RecordUpdate(RecordContent):
    """Edit a draft, or amend a submitted record (a revision with a reason)."""

    version: Version | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class RecordOut(BaseModel):
    """A field record as the caller may see it."""

    id: int
    campaign_id: int
    team_id: int
    author_id: int
    author_name: str
    kind: RecordKind
    occurred_on: date
    place: str
    title: str
    body: str
    details: dict[str, object]
    state: RecordState
    submitted_at: datetime | None
    cadre_ids: list[int]
    attachment_ids: list[int]
    version: int
    created_at: datetime
    updated_at: datetime


class RecordFilter(BaseModel):
    """The filters of a record listing (None: any)."""

    cadre_id: int | None = None
    campaign_id: int | None = None
    kind: RecordKind | None = None
    state: RecordState | None = None


class RevisionOut(BaseModel):
    """One revision of an entity: who, when, what changed."""

    version: int
    action: str
    actor_id: int | None
    actor_name: str | None
    at: datetime
    changes: dict[str, object]


class RecordPage(BaseModel):
    """A page of field records."""

    items: list[RecordOut]
    total: int
    limit: int
    offset: int
