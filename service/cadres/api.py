"""Routes for cadres."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from schemas.cadres import (
    AppraisalIn,
    CadreCreate,
    CadreDetail,
    CadreFilter,
    CadrePage,
    CadreUpdate,
    CareerEntryIn,
    RewardPenaltyIn,
)
from schemas.common import CadreStatus, Tier
from schemas.records import RevisionOut
from service.cadres import service
from service.deps import EntityId, IdempotencyKey, IdQuery, IfMatch, Limit, OfficerUser, Offset, Pool, Reader
from service.versioning import etag

router = APIRouter(prefix="/api/cadres", tags=["cadres"])


@router.get("", response_model=CadrePage)
async def list_cadres(
    pool: Pool, user: Reader,
    unit_id: IdQuery = None,
    name: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    tier: Tier | None = None, status: CadreStatus | None = None,
    limit: Limit = 50, offset: Offset = 0,
) -> CadrePage:
    """Cadres the caller may read, filtered by unit subtree, name prefix, tier and status."""
    filters = CadreFilter(unit_id=unit_id, name=name, tier=tier, status=status)
    return await service.list_cadres(pool, user, filters=filters, limit=limit, offset=offset)


@router.post("", response_model=CadreDetail, status_code=201)
async def create_cadre(body: CadreCreate, pool: Pool, user: OfficerUser,
                       key: IdempotencyKey = None) -> CadreDetail:
    """Register a cadre (officer, within scope)."""
    return await service.create_cadre(pool, user, body=body, key=key)


@router.get("/{cadre_id}", response_model=CadreDetail)
async def get_cadre(cadre_id: EntityId, pool: Pool, user: Reader, response: Response) -> CadreDetail:
    """A cadre's profile, resume, appraisals and rewards/penalties."""
    out = await service.get_cadre(pool, user, cadre_id)
    response.headers["ETag"] = etag(out.version)
    return out


@router.put("/{cadre_id}", response_model=CadreDetail)
async def update_cadre(cadre_id: EntityId, body: CadreUpdate, pool: Pool, user: OfficerUser,
                       if_match: IfMatch, response: Response) -> CadreDetail:
    """Replace a cadre's profile fields, based on a version (officer)."""
    out = await service.update_cadre(pool, user, cadre_id=cadre_id, body=body, if_match=if_match)
    response.headers["ETag"] = etag(out.version)
    return out


@router.post("/{cadre_id}/career", response_model=CadreDetail, status_code=201)
async def add_career(cadre_id: EntityId, body: Annotated[list[CareerEntryIn], Body(max_length=100)],
                     pool: Pool, user: OfficerUser, key: IdempotencyKey = None) -> CadreDetail:
    """Add resume lines (officer)."""
    return await service.add_career(pool, user, cadre_id=cadre_id, entries=body, key=key)


@router.post("/{cadre_id}/appraisals", response_model=CadreDetail, status_code=201)
async def set_appraisals(cadre_id: EntityId, body: Annotated[list[AppraisalIn], Body(max_length=100)],
                         pool: Pool, user: OfficerUser, key: IdempotencyKey = None) -> CadreDetail:
    """Set annual appraisal grades by year (officer)."""
    return await service.set_appraisals(pool, user, cadre_id=cadre_id, items=body, key=key)


@router.post("/{cadre_id}/rewards-penalties", response_model=CadreDetail, status_code=201)
async def add_rewards(cadre_id: EntityId, body: Annotated[list[RewardPenaltyIn], Body(max_length=100)],
                      pool: Pool, user: OfficerUser, key: IdempotencyKey = None) -> CadreDetail:
    """Add rewards or penalties (officer)."""
    return await service.add_rewards(pool, user, cadre_id=cadre_id, items=body, key=key)


@router.get("/{cadre_id}/revisions", response_model=list[RevisionOut])
async def cadre_revisions(cadre_id: EntityId, pool: Pool, user: OfficerUser) -> list[RevisionOut]:
    """The revision history of a cadre (officer)."""
    return await service.cadre_revisions(pool, user, cadre_id)
