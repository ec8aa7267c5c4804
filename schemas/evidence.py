"""Achievement evidence (实绩) credited to a cadre."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from schemas.common import DbId, Domain, IdList, Judgement, ShortText, Strict, Verification, Version


class Metric(Strict):
    """A quantified result, e.g. 563 client contacts."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    value: Annotated[float, Field(ge=-1e12, le=1e12)]
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""


class EvidenceContent(Strict):
    """The editable content of an evidence item."""

    domain: Domain
    title: ShortText
    description: Annotated[str, StringConstraints(max_length=20000)] = ""
    period_start: date
    period_end: date
    metrics: Annotated[list[Metric], Field(max_length=50)] = []
    judgement: Judgement = Judgement.positive
    record_ids: IdList = []
    attachment_ids: IdList = []

    @model_validator(mode="after")
    def _period_in_order(self) -> "EvidenceContent":
        if self.period_end < self.period_start:
            raise ValueError("结束日期不能早于开始日期")
        return self


class EvidenceCreate(EvidenceContent):
    """New evidence for a cadre, optionally filed within a campaign team."""

    cadre_id: DbId
    campaign_id: DbId | None = None
    team_id: DbId | None = None


class EvidenceUpdate(EvidenceContent):
    """Amend evidence; amending verified evidence sends it back to claimed."""

    version: Version | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class VerificationIn(Strict):
    """Verify or dispute evidence."""

    version: Version | None = None
    verification: Literal["verified", "disputed"]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class EvidenceOut(BaseModel):
    """Evidence as the caller may see it."""

    id: int
    cadre_id: int
    domain: Domain
    title: str
    description: str
    period_start: date
    period_end: date
    metrics: list[Metric]
    judgement: Judgement
    verification: Verification
    verified_by: int | None
    verified_at: datetime | None
    verification_note: str | None
    campaign_id: int | None
    team_id: int | None
    created_by: int
    record_ids: list[int]
    attachment_ids: list[int]
    version: int
    created_at: datetime
    updated_at: datetime


class EvidenceFilter(BaseModel):
    """The filters of an evidence listing (None: any)."""

    cadre_id: int | None = None
    domain: Domain | None = None
    verification: Verification | None = None


class EvidencePage(BaseModel):
    """A page of evidence."""

    items: list[EvidenceOut]
    total: int
    limit: int
    offset: int
