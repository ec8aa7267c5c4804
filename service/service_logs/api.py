"""Routes for leaders' front-line service logs (window service, mobile service visits)."""

from fastapi import APIRouter, Response

from schemas.common import DbDate
from schemas.records import RevisionOut
from schemas.service_logs import (
    GroupBy,
    ServiceKind,
    ServiceLogCreate,
    ServiceLogFilter,
    ServiceLogOut,
    ServiceLogPage,
    ServiceLogUpdate,
    ServiceTotalsOut,
    VoidIn,
)
from service.deps import (
    EntityId,
    IdempotencyKey,
    IdQuery,
    IfMatch,
    Limit,
    OfficeReader,
    OfficerUser,
    Offset,
    Pool,
)
from service.service_logs import service
from service.versioning import etag

router = APIRouter(prefix="/api/service-logs", tags=["service-logs"])


@router.post("", response_model=ServiceLogOut, status_code=201)
async def create_log(body: ServiceLogCreate, pool: Pool, user: OfficerUser,
                     key: IdempotencyKey = None) -> ServiceLogOut:
    """Log a leader's window-service session or mobile service visit (officer, leader in scope)."""
    return await service.create_log(pool, user, body=body, key=key)


@router.get("", response_model=ServiceLogPage)
async def list_logs(pool: Pool, user: OfficeReader, cadre_id: IdQuery = None, unit_id: IdQuery = None,
                    kind: ServiceKind | None = None, date_from: DbDate | None = None,
                    date_to: DbDate | None = None, include_voided: bool = False,
                    limit: Limit = 50, offset: Offset = 0) -> ServiceLogPage:
    """Logs of readable leaders, newest first (unit_id takes the whole subtree)."""
    filters = ServiceLogFilter(cadre_id=cadre_id, unit_id=unit_id, kind=kind, date_from=date_from,
                               date_to=date_to, include_voided=include_voided)
    return await service.list_logs(pool, user, filters=filters, limit=limit, offset=offset)


@router.get("/totals", response_model=ServiceTotalsOut)
async def totals(pool: Pool, user: OfficeReader, group_by: GroupBy = GroupBy.cadre, cadre_id: IdQuery = None,
                 unit_id: IdQuery = None, kind: ServiceKind | None = None, date_from: DbDate | None = None,
                 date_to: DbDate | None = None) -> ServiceTotalsOut:
    """Totals per leader or per unit over any period (void logs excluded)."""
    filters = ServiceLogFilter(cadre_id=cadre_id, unit_id=unit_id, kind=kind, date_from=date_from,
                               date_to=date_to)
    return await service.totals(pool, user, group_by=group_by.value, filters=filters)


@router.get("/{log_id}", response_model=ServiceLogOut)
async def get_log(log_id: EntityId, pool: Pool, user: OfficeReader, response: Response) -> ServiceLogOut:
    """One log (audited)."""
    out = await service.get_log(pool, user, log_id)
    response.headers["ETag"] = etag(out.version)
    return out


@router.put("/{log_id}", response_model=ServiceLogOut)
async def update_log(log_id: EntityId, body: ServiceLogUpdate, pool: Pool, user: OfficerUser,
                     if_match: IfMatch) -> ServiceLogOut:
    """Replace a log's content, based on its version."""
    return await service.update_log(pool, user, log_id=log_id, body=body, if_match=if_match)


@router.post("/{log_id}/void", response_model=ServiceLogOut)
async def void_log(log_id: EntityId, body: VoidIn, pool: Pool, user: OfficerUser,
                   if_match: IfMatch) -> ServiceLogOut:
    """Void a mistaken log with a reason (kept, excluded from totals)."""
    return await service.void_log(pool, user, log_id=log_id, body=body, if_match=if_match)


@router.get("/{log_id}/revisions", response_model=list[RevisionOut])
async def log_revisions(log_id: EntityId, pool: Pool, user: OfficeReader) -> list[RevisionOut]:
    """Every revision of a log."""
    return await service.log_revisions(pool, user, log_id)
