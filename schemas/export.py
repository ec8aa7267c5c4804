"""What the PDF exports render: plain data with display labels, no database types.

Field names are English; every label or value meant for the reader is already the
Chinese text to print (the caller maps enums to labels, masks the ID number, etc.).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.approval_form import ApprovalFormDoc

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_PHOTO_BYTES = 2 * 1024 * 1024

Number = int | Decimal | float


class ExportModel(BaseModel):
    """Base of every export model: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class LabelValue(ExportModel):
    """One labelled value, printed as `label：value`."""

    label: str
    value: str


class Watermark(ExportModel):
    """Who exported the document, when, and under which serial number."""

    user_name: str = Field(min_length=1)
    exported_at: datetime
    serial: str = Field(min_length=1)


# --- dossier -----------------------------------------------------------------


class DossierCover(ExportModel):
    """Cover page of a dossier."""

    title: str = "干部实绩档案"
    cadre_name: str
    unit: str
    post: str
    generated_at: datetime


class Education(ExportModel):
    """One education track of the appointment approval form."""

    degree: str | None = None
    school: str | None = None
    major: str | None = None


class CadreProfile(ExportModel):
    """The profile as laid out on the 任免审批表 (appointment approval form)."""

    name: str
    gender: str | None = None
    birth_date: date | None = None
    ethnicity: str | None = None
    native_place: str | None = None
    birthplace: str | None = None
    party_join_date: date | None = None
    work_start_date: date | None = None
    health: str | None = None
    professional_title: str | None = None
    full_time_education: Education = Education()
    in_service_education: Education = Education()
    current_unit: str
    current_post: str
    proposed_post: str | None = None
    post_level: str | None = None
    rank: str | None = None
    tier: str | None = None
    national_id: str | None = None
    photo: bytes | None = None

    @field_validator("photo")
    @classmethod
    def _photo_is_jpeg_or_png(cls, value: bytes | None) -> bytes | None:
        if value is None:
            return None
        if len(value) > MAX_PHOTO_BYTES:
            raise ValueError("照片不能超过 2 MB")
        if not (value.startswith(JPEG_MAGIC) or value.startswith(PNG_MAGIC)):
            raise ValueError("照片必须是 JPEG 或 PNG 图片")
        return value


class ResumeLine(ExportModel):
    """One period of the resume (简历); `end` None means up to now."""

    start: date
    end: date | None = None
    unit: str
    post: str


class RewardPenalty(ExportModel):
    """A commendation or a disciplinary record."""

    date: date
    kind: Literal["reward", "penalty"]
    title: str
    issuer: str | None = None


class AnnualAppraisal(ExportModel):
    """Yearly appraisal grade, e.g. 优秀 / 称职."""

    year: int
    grade: str


class Metric(ExportModel):
    """A measured figure of an evidence item, e.g. 接待群众 412 人次."""

    name: str
    value: Number | str
    unit: str | None = None


class EvidenceItem(ExportModel):
    """One item of achievement evidence with its verification state."""

    id: int | str
    title: str
    description: str = ""
    period_start: date | None = None
    period_end: date | None = None
    metrics: list[Metric] = []
    judgement: Literal["positive", "negative"]
    verification_state: str
    verifier: str | None = None
    verified_at: datetime | None = None


class EvidenceGroup(ExportModel):
    """Evidence items of one domain (e.g. 城市更新)."""

    domain: str
    items: list[EvidenceItem] = []


class FieldRecordSummary(ExportModel):
    """Summary of one field record (interview, site visit …)."""

    id: int | str
    kind: str
    date: date
    author: str
    title: str
    summary: str = ""


class UnitAssessmentResult(ExportModel):
    """A quarterly or annual assessment result of the cadre's unit."""

    period: str
    unit: str
    total: Number
    rank: int | None = None
    stars: int = 0


class PromotionHistoryEntry(ExportModel):
    """A past or running promotion record."""

    kind: str
    post: str
    stage: str
    start_date: date | None = None
    end_date: date | None = None


class AttachmentInfo(ExportModel):
    """A file attached to the dossier (listed, not embedded)."""

    name: str
    size: int = Field(ge=0)
    sha256: str
    content_type: str


class DossierDoc(ExportModel):
    """Everything printed in a cadre dossier export."""

    cover: DossierCover
    profile: CadreProfile
    resume: list[ResumeLine] = []
    rewards_penalties: list[RewardPenalty] = []
    appraisals: list[AnnualAppraisal] = []
    evidence: list[EvidenceGroup] = []
    field_records: list[FieldRecordSummary] = []
    unit_assessments: list[UnitAssessmentResult] = []
    promotions: list[PromotionHistoryEntry] = []
    attachments: list[AttachmentInfo] = []
    # The profile as the standard two-page 任免审批表 (printed instead of the one-page grid).
    form: ApprovalFormDoc | None = None


# --- shortlist ---------------------------------------------------------------


class Position(ExportModel):
    """The post a shortlist is built for."""

    unit: str
    post: str
    post_level: str | None = None


class Weight(ExportModel):
    """Weight of one scoring component."""

    label: str
    weight: Number


class RuleOutcome(ExportModel):
    """Whether a candidate met one eligibility rule."""

    label: str
    passed: bool
    detail: str | None = None


class EvidenceContribution(ExportModel):
    """How much one evidence item added to a candidate's score."""

    evidence_id: int | str
    title: str | None = None
    contribution: Number


class ShortlistCandidate(ExportModel):
    """One ranked (or pinned/excluded) candidate with the reasons for the score."""

    rank: int | None = None
    name: str
    unit: str
    post: str
    score: Number | None = None
    pinned: bool = False
    excluded: bool = False
    reason: str | None = None
    rule_outcomes: list[RuleOutcome] = []
    evidence: list[EvidenceContribution] = []


class ShortlistDoc(ExportModel):
    """A shortlist version for a position, with its rules and weights."""

    title: str = "候选人名单"
    position: Position
    rules: list[LabelValue] = []
    weights: list[Weight] = []
    version: int
    inputs_hash: str
    candidates: list[ShortlistCandidate] = []


# --- promotion ---------------------------------------------------------------


class PromotionStage(ExportModel):
    """One stage of a promotion record (动议, 民主推荐, 考察, 公示 …)."""

    label: str
    start_date: date | None = None
    end_date: date | None = None
    details: list[LabelValue] = []


class PromotionDoc(ExportModel):
    """A promotion record with its stages timeline."""

    title: str = "干部选拔任用纪实"
    cadre_name: str
    kind: str
    target_post: str
    stages: list[PromotionStage] = []
    status: str
