"""The audit trail as auditors read it."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AuditEntryOut(BaseModel):
    """One entry of the hash-chained audit trail."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    object_type: str | None
    object_id: str | None
    source_ip: str | None
    details: dict[str, Any]
    content_hash: str
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    """A page of audit entries, newest first."""

    items: list[AuditEntryOut]
    total: int
    limit: int
    offset: int


class ChainReportOut(BaseModel):
    """Outcome of walking the audit chain: how many entries held, and the first broken one."""

    checked: int
    ok: bool
    broken_id: int | None
    reason: str
