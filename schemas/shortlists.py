"""Candidate shortlists: ranked, explained, pinned or excluded, saved as immutable versions."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, computed_field

from schemas.common import DbId, Strict
from schemas.positions import CadreEligibility, RuleOutcome, Rules, Weights
from schemas.posts import unit_post

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
TopN = Annotated[int, Field(ge=1, le=200)]


class EvidenceLine(BaseModel):
    """One verified evidence item and the points it earned (before the evidence weight)."""

    evidence_id: int
    version: int
    title: str
    domain: str
    period_end: date
    judgement: str
    relevance: float
    recency: float
    size: float
    points: float


class AppraisalLine(BaseModel):
    """One annual appraisal and its grade points."""

    year: int
    grade: str
    points: float


class ContestLine(BaseModel):
    """One arena-contest presentation: its mean score (of 100) and the share of rivals it beat."""

    presentation_id: int
    contest_id: int
    contest: str
    held_on: date
    score: float
    points: float


class UnitRankLine(BaseModel):
    """One scoreboard rank of a unit the cadre led."""

    unit_id: int
    unit_name: str
    period: str
    rank: int
    of: int
    points: float


class ScoreParts(BaseModel):
    """Weighted contributions that add up to the score."""

    evidence: float
    appraisal: float
    unit_rank: float
    contest: float


class Candidate(BaseModel):
    """A ranked eligible cadre with every rule's outcome and what earned the score."""

    pos: int
    cadre_id: int
    name: str
    unit_name: str
    post: str
    score: float
    parts: ScoreParts
    mark: Literal["pin", "seed"] | None = None
    mark_reason: str | None = None
    rules: list[RuleOutcome]
    evidence_count: int
    evidence: list[EvidenceLine]
    appraisals: list[AppraisalLine]
    contests: list[ContestLine]
    unit_ranks: list[UnitRankLine]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unit_post(self) -> str:
        """Unit and post as shown to people (schemas/posts.py: no doubled unit name)."""
        return unit_post(self.unit_name, self.post)


class MarkedOut(BaseModel):
    """An excluded cadre, or a pinned/seeded one that is not eligible now."""

    cadre_id: int
    name: str
    action: str
    reason: str
    failed: list[str] = []
    detail: str = ""


class ShortlistResult(BaseModel):
    """A computed shortlist."""

    position_id: int
    reference_date: date
    rules: Rules
    weights: Weights
    relevance: dict[str, float]
    top_n: int
    eligible_total: int
    inputs_hash: str
    result_hash: str
    candidates: list[Candidate]
    excluded: list[MarkedOut]
    ineligible_marked: list[MarkedOut]
    ineligible: list[CadreEligibility] = []


class ShortlistQuery(BaseModel):
    """Options of a shortlist computation."""

    top_n: TopN = 20
    include_ineligible: bool = False
    ineligible_limit: Annotated[int, Field(ge=1, le=200)] = 50


class SaveShortlist(Strict):
    """Save the current shortlist as the next immutable version."""

    top_n: TopN = 20
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class SavedShortlist(BaseModel):
    """An immutable saved version."""

    id: int
    position_id: int
    version: int
    reference_date: date
    top_n: int
    inputs_hash: str
    result_hash: str
    note: str
    created_by: int
    created_at: datetime
    result: ShortlistResult


class SavedSummary(BaseModel):
    """A saved version in a list."""

    id: int
    position_id: int
    version: int
    reference_date: date
    top_n: int
    inputs_hash: str
    result_hash: str
    note: str
    created_by: int
    created_at: datetime


class Move(BaseModel):
    """A candidate present in both versions."""

    cadre_id: int
    name: str
    pos_from: int
    pos_to: int
    score_from: float
    score_to: float


class Entry(BaseModel):
    """A candidate present in one version only."""

    cadre_id: int
    name: str
    pos: int
    score: float


class ShortlistDiff(BaseModel):
    """What changed between two versions (or a version and a recomputation)."""

    from_version: int
    to_version: int | None
    same_inputs: bool
    same_result: bool
    added: list[Entry]
    removed: list[Entry]
    moved: list[Move]
    rescored: list[Move]
    rules_changed: bool
    weights_changed: bool


class ReproduceResult(BaseModel):
    """A saved version recomputed with its own rules, weights, marks and reference date."""

    version: int
    reproduced: bool
    saved_inputs_hash: str
    current_inputs_hash: str
    saved_result_hash: str
    current_result_hash: str
    diff: ShortlistDiff


class MarkIn(Strict):
    """Pin a cadre to the shortlist or exclude it, with a reason."""

    cadre_id: DbId
    action: Literal["pin", "exclude"]
    reason: Reason


class MarkOut(BaseModel):
    """A pin, exclusion or search seed."""

    id: int
    position_id: int
    cadre_id: int
    action: str
    reason: str
    created_by: int
    created_at: datetime
    withdrawn_at: datetime | None = None


class SeedIn(Strict):
    """Free text for the candidate search; eligible hits join the working shortlist."""

    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class SeedResult(BaseModel):
    """What the candidate search added to the working shortlist."""

    q: str
    found: list[int]
    added: list[int]
    already: list[int]
    ineligible: list[CadreEligibility]
