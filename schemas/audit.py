"""The audit trail as auditors read it."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEntryOut(BaseModel):
    """One entry of the hash-chained audit trail (seq and hashes are null until it is sealed)."""

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
    seq: int | None = None
    prev_hash: str | None = None
    hash: str | None = None


class AuditPage(BaseModel):
    """A page of audit entries, newest first."""

    items: list[AuditEntryOut]
    total: int
    limit: int
    offset: int


class ChainReportOut(BaseModel):
    """Outcome of walking the audit chain: how many entries held, and the first broken one."""

    checked: int = Field(description="sealed entries whose links held")
    ok: bool
    broken_id: int | None = Field(description="the first entry that cannot be trusted")
    reason: str
    unsealed: int = Field(0, description="entries not yet linked by the sealer (their contents checked)")
    oldest_unsealed_at: datetime | None = None
    checkpoints_matched: int = Field(0, description="signed checkpoints the chain agrees with")
    last_good_checkpoint_seq: int | None = None
    warnings: list[str] = []


class CheckpointOut(BaseModel):
    """A signed checkpoint of the chain head (Ed25519 over seq, entry_id, hash and at)."""

    seq: int
    entry_id: int
    hash: str
    at: str
    key: str
    sig: str


class CheckpointExport(BaseModel):
    """Every checkpoint and the public key that verifies them, for auditors to keep."""

    public_key: str | None
    items: list[CheckpointOut]
