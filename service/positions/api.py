"""Routes for positions to fill and their eligibility listings."""

from typing import Literal

from fastapi import APIRouter, Response

from schemas.positions import (
    EligibilityPage,
    EligibilityPreview,
    EligibilityPreviewIn,
    PositionCreate,
    PositionOut,
    PositionPage,
    PositionUpdate,
)
from schemas.records import RevisionOut
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
from service.positions import service
from service.versioning import etag

router = APIRouter(prefix="/api/positions", tags=["positions"])
# Leaders read selection work; researchers, auditors and admins see none of it.


@router.post("", response_model=PositionOut, status_code=201)
async def create_position(body: PositionCreate, pool: Pool, user: OfficerUser,
                          key: IdempotencyKey = None) -> PositionOut:
    """Create a position to fill with its eligibility rules and weights (officer)."""
    return await service.create_position(pool, user, body=body, key=key)


@router.post("/eligibility-preview", response_model=EligibilityPreview)
async def eligibility_preview(body: EligibilityPreviewIn, pool: Pool,
                              user: OfficeReader) -> EligibilityPreview:
    """Count the cadres in scope that rules being edited would admit, overall and per rule."""
    return await service.eligibility_preview(pool, user, body)


@router.get("", response_model=PositionPage)
async def list_positions(pool: Pool, user: OfficeReader,
                         status: Literal["open", "closed"] | None = None,
                         limit: Limit = 50, offset: Offset = 0) -> PositionPage:
    """Positions in the caller's scope."""
    return await service.list_positions(pool, user, status=status, limit=limit, offset=offset)


@router.get("/{position_id}", response_model=PositionOut)
async def get_position(position_id: EntityId, pool: Pool, user: OfficeReader,
                       response: Response) -> PositionOut:
    """One position."""
    out = await service.get_position(pool, user, position_id)
    response.headers["ETag"] = etag(out.version)
    return out


@router.put("/{position_id}", response_model=PositionOut)
async def update_position(position_id: EntityId, body: PositionUpdate, pool: Pool, user: OfficerUser,
                          if_match: IfMatch, response: Response) -> PositionOut:
    """Replace a position's fields, rules and weights, based on a version (officer)."""
    out = await service.update_position(pool, user, position_id=position_id, body=body, if_match=if_match)
    response.headers["ETag"] = etag(out.version)
    return out


@router.get("/{position_id}/revisions", response_model=list[RevisionOut])
async def position_revisions(position_id: EntityId, pool: Pool,
                             user: OfficeReader) -> list[RevisionOut]:
    """The revision history of a position."""
    return await service.position_revisions(pool, user, position_id)


@router.get("/{position_id}/eligibility", response_model=EligibilityPage)
async def eligibility(position_id: EntityId, pool: Pool, user: OfficeReader,
                      which: Literal["all", "eligible", "failed"] = "failed",
                      cadre_id: IdQuery = None,
                      limit: Limit = 50, offset: Offset = 0) -> EligibilityPage:
    """Cadres in scope checked against every rule; by default the ineligible with the rules they fail."""
    return await service.eligibility_page(pool, user, position_id=position_id, which=which,
                                          cadre_id=cadre_id, limit=limit, offset=offset)
