"""Routes for auditors: query the audit trail and verify its chain (both are themselves audited)."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from schemas.audit import AuditPage, ChainReportOut, CheckpointExport
from service.audit import service
from service.deps import AppSettings, AuditorUser, IdQuery, Limit, Offset, Pool

router = APIRouter(prefix="/api/audit", tags=["audit"])

Text = Annotated[str | None, Query(min_length=1, max_length=100)]


@router.get("", response_model=AuditPage)
async def search_audit(
    pool: Pool, user: AuditorUser,
    actor_id: IdQuery = None,
    object_type: Text = None, object_id: Text = None,
    action: Annotated[str | None, Query(min_length=1, max_length=100,
                                        description="action prefix, e.g. `auth.login`")] = None,
    since: Annotated[AwareDatetime | None, Query(description="inclusive, with time zone")] = None,
    until: Annotated[AwareDatetime | None, Query(description="exclusive, with time zone")] = None,
    limit: Limit = 50, offset: Offset = 0,
) -> AuditPage:
    """Audit entries by actor, object, action prefix and time range, newest first (auditor)."""
    filters = {"actor_id": actor_id, "object_type": object_type, "object_id": object_id,
               "action": action, "since": since, "until": until}
    return await service.read_trail(pool, user, filters=filters, limit=limit, offset=offset)


@router.get("/verify", response_model=ChainReportOut)
async def verify_audit(pool: Pool, settings: AppSettings, user: AuditorUser) -> ChainReportOut:
    """Walk the sealed chain against the signed checkpoints, then the unsealed tail (auditor)."""
    return await service.verify_report(pool, user, settings)


@router.get("/checkpoints", response_model=CheckpointExport)
async def export_checkpoints(pool: Pool, settings: AppSettings, user: AuditorUser) -> CheckpointExport:
    """Every signed checkpoint of the chain head and the public key, to keep outside the system."""
    return await service.export_checkpoints(pool, user, settings)
