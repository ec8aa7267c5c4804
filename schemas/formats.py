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
