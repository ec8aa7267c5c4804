"""Imports and exports of exchange formats (LRMX, rosters): previews and reports."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from schemas.common import DbId, IdList, Strict, Tier

FileStatus = Literal["create", "update", "unchanged", "error"]


class FieldChange(BaseModel):
    """One field that an import changes: its printed value before and after."""

    field: str
    before: str
    after: str


class FieldIssue(BaseModel):
    """A problem with one field (or row/column of a sheet)."""

    field: str
    message: str
    row: int | None = None
    column: str | None = None


class FileReport(BaseModel):
    """What an import does (or would do) with one file or sheet row."""

    name: str
    sha256: str | None = None
    status: FileStatus
    cadre_id: int | None = None
    cadre_name: str = ""
    changes: list[FieldChange] = []
    warnings: list[FieldIssue] = []
    errors: list[FieldIssue] = []
    checks: list[FieldIssue] = []


class ImportSummary(BaseModel):
    """Counts of a preview or an applied import."""

    files: int
    create: int
    update: int
    unchanged: int
    error: int


class ImportOut(BaseModel):
    """A staged import: its preview (or, once applied, its report)."""

    id: int
    kind: Literal["lrmx", "roster"]
    file_name: str
    sha256: str
    status: Literal["previewed", "applied"]
    created_at: datetime
    applied_at: datetime | None = None
    summary: ImportSummary
    files: list[FileReport]
    apply_url: str


class ImportOptions(Strict):
    """Where newly registered cadres go when the file does not name a unit in scope."""

    unit_id: DbId | None = None
    tier: Tier | None = None


class SelectionIn(Strict):
    """Cadres to export: ids, or a saved shortlist version, or a promotion record."""

    cadre_ids: IdList = []
    shortlist_id: DbId | None = None
    version: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    promotion_id: DbId | None = None


class RosterCheckOut(BaseModel):
    """A roster compared with the registry: per person, every field that differs."""

    file_name: str
    rows: list[FileReport]
    same: int
    different: int
    missing: int
    errors: int


class RosterExportIn(Strict):
    """Which cadres (filters of the cadre list, or ids) and columns to export, and sheet layout."""

    columns: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=60)] = []
    unit_id: DbId | None = None
    name: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    tier: Tier | None = None
    status: Literal["active", "retired", "transferred", "dismissed"] | None = None
    cadre_ids: Annotated[list[DbId], Field(max_length=20_000)] | None = None
    shortlist_id: DbId | None = None
    version: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    per_unit: bool = False


class QualityFinding(BaseModel):
    """One 三龄两历一身份 inconsistency, under the field it concerns."""

    code: str
    field: str
    message: str


class QualityOut(BaseModel):
    """A cadre's consistency checks and retirement-age date (到龄) under the 2025 rules."""

    cadre_id: int
    findings: list[QualityFinding]
    retirement: str
    retirement_age: str
    retirement_rule: str


class SourceFileOut(BaseModel):
    """A file a cadre was imported from, kept for provenance."""

    id: int
    import_id: int
    file_name: str
    sha256: str
    created_at: datetime
    content_url: str
