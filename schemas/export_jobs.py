"""Batch export requests and job status (the PDF contents themselves are in schemas.export)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from schemas.common import DbId, Strict, Version

MAX_BATCH = 500


class BatchExportIn(Strict):
    """Dossiers to export into one zip: explicit cadre ids, or a saved shortlist version."""

    cadre_ids: Annotated[list[DbId], Field(min_length=1, max_length=MAX_BATCH)] | None = None
    shortlist_id: DbId | None = None
    version: Version | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "BatchExportIn":
        if (self.cadre_ids is None) == (self.shortlist_id is None):
            raise ValueError("请提供 cadre_ids，或 shortlist_id 与 version，二者选一")
        if self.shortlist_id is not None and self.version is None:
            raise ValueError("按候选人名单导出时须提供 version")
        if self.shortlist_id is None and self.version is not None:
            raise ValueError("version 只能与 shortlist_id 一起使用")
        return self


JobStatus = Literal["queued", "running", "done", "failed"]


class ExportJobOut(BaseModel):
    """A batch export job as its owner sees it: progress, outcome and where to download."""

    id: int
    status: JobStatus
    total: int
    done: int
    exported: int
    not_found: list[int]
    error: str | None
    zip_sha256: str | None
    zip_size: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    status_url: str
    download_url: str | None
    # Why a finished zip is no longer handed out to its owner (role or scope changed since); then
    # download_url is None.
    download_refused: str | None = None
