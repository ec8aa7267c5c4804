"""Research archives (专题调研纪实档案) and 考察材料 drafts: every statement cites its sources."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from schemas.common import DbId, Strict, Version
from schemas.leadership import TalkStats

SourceKind = Literal["evidence", "record", "evaluation", "appraisal", "cadre", "career", "promotion",
                     "conclusion", "reward"]


class Source(BaseModel):
    """Where a statement comes from: an object the reader may open."""

    kind: SourceKind
    id: int


class Statement(BaseModel):
    """One sentence of an archive or draft and the records it rests on."""

    text: str
    sources: list[Source] = []


class DomainGroup(BaseModel):
    """Evidence statements of one work domain."""

    domain: str
    label: str
    statements: list[Statement]


class Conclusion(BaseModel):
    """A written conclusion (per member or for the team) with its version."""

    id: int
    cadre_id: int | None
    body: str
    version: int
    updated_by_name: str
    updated_at: datetime


class MemberSection(BaseModel):
    """One member's section of an archive."""

    cadre_id: int
    name: str
    post: str
    role: str
    member_from: date
    member_to: date | None
    evidence: list[DomainGroup]
    records: list[Statement]
    talks: TalkStats
    evaluations: list[Statement]
    strengths: list[Statement]
    shortcomings: list[Statement]
    conclusion: Conclusion | None


class ArchiveOverview(BaseModel):
    """Counts of what the campaign filed about the team."""

    members: int
    heads: list[str]
    talks: int
    people_interviewed: int
    site_visits: int
    records: int
    evidence: int
    evaluation_rounds: int
    members_without_records: list[str]


class ArchiveOut(BaseModel):
    """The archive of one leadership team in one campaign, as the reader may see it."""

    campaign_id: int
    campaign_name: str
    starts_on: date
    ends_on: date
    unit_id: int
    unit_name: str
    overview: ArchiveOverview
    members: list[MemberSection]
    findings: list[Statement]
    team_conclusion: Conclusion | None
    generated_at: datetime


class ConclusionIn(Strict):
    """Write or revise a conclusion; `version` is required when one exists already."""

    cadre_id: DbId | None = None
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
    version: Version | None = None


class TeamStatus(BaseModel):
    """One studied team on the campaign overview."""

    unit_id: int
    unit_name: str
    members: int
    records: int
    talks: int
    site_visits: int
    evaluation_rounds: int
    members_without_records: list[str]
    concluded_members: int
    team_concluded: bool
    status: Literal["not_started", "in_progress", "concluded"]


class CampaignOverview(BaseModel):
    """Teams studied by a campaign, with counts and coverage gaps."""

    campaign_id: int
    campaign_name: str
    status: str
    starts_on: date
    ends_on: date
    talks: int
    site_visits: int
    records: int
    teams: list[TeamStatus]


class DraftSection(BaseModel):
    """A section of a 考察材料 draft: its sentences, or a prompt for the writer when empty."""

    key: str
    title: str
    statements: list[Statement]
    prompt: str | None = None


class StatementIn(Strict):
    """A sentence as the writer edits it (sources kept from the draft or cleared)."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    sources: Annotated[list[Source], Field(max_length=50)] = []


class DraftSectionIn(Strict):
    """An edited section."""

    key: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
    statements: Annotated[list[StatementIn], Field(max_length=200)] = []


class DraftCreate(Strict):
    """Compile a draft for a cadre, from a promotion record at inspection or from the dossier."""

    cadre_id: DbId | None = None
    promotion_id: DbId | None = None


class DraftUpdate(Strict):
    """Save the writer's edits as a new revision."""

    version: Version | None = None
    sections: Annotated[list[DraftSectionIn], Field(min_length=1, max_length=20)]


class DraftOut(BaseModel):
    """A 考察材料 draft."""

    id: int
    cadre_id: int
    cadre_name: str
    promotion_id: int | None
    title: str
    sections: list[DraftSection]
    version: int
    created_at: datetime
    updated_at: datetime
