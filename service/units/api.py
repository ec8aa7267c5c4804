"""Routes for units."""


from fastapi import APIRouter, Response

from schemas.units import UnitCreate, UnitMove, UnitOut, UnitUpdate
from service.deps import (
    AdminUser,
    EntityId,
    IdempotencyKey,
    IdQuery,
    IfMatch,
    Limit,
    Offset,
    Pool,
    UnitReader,
)
from service.units import service
from service.versioning import etag

router = APIRouter(prefix="/api/units", tags=["units"])


@router.get("", response_model=list[UnitOut])
async def list_units(
    pool: Pool, user: UnitReader,
    parent_id: IdQuery = None,
    subtree_of: IdQuery = None,
    limit: Limit = 200, offset: Offset = 0,
) -> list[UnitOut]:
    """Children of a unit (roots by default) or a whole subtree."""
    return await service.list_units(pool, parent_id, subtree_of=subtree_of, limit=limit, offset=offset)


@router.get("/{unit_id}", response_model=UnitOut)
async def get_unit(unit_id: EntityId, pool: Pool, user: UnitReader, response: Response) -> UnitOut:
    """One unit."""
    out = await service.get_unit(pool, unit_id)
    response.headers["ETag"] = etag(out.version)
    return out


@router.post("", response_model=UnitOut, status_code=201)
async def create_unit(body: UnitCreate, pool: Pool, user: AdminUser,
                      key: IdempotencyKey = None) -> UnitOut:
    """Create a unit (admin)."""
    return await service.create_unit(pool, user, body=body, key=key)


@router.patch("/{unit_id}", response_model=UnitOut)
async def rename_unit(unit_id: EntityId, body: UnitUpdate, pool: Pool, user: AdminUser,
                      if_match: IfMatch) -> UnitOut:
    """Rename a unit (admin)."""
    return await service.rename_unit(pool, user, unit_id=unit_id, body=body, if_match=if_match)


@router.post("/{unit_id}/move", response_model=UnitOut)
async def move_unit(unit_id: EntityId, body: UnitMove, pool: Pool, user: AdminUser,
                    if_match: IfMatch) -> UnitOut:
    """Move a unit and everything below it under another parent (admin)."""
    return await service.move_unit(pool, user, unit_id=unit_id, body=body, if_match=if_match)
