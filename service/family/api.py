"""Routes for cadres' family members (officers only)."""

from fastapi import APIRouter

from schemas.family import FamilyMemberIn, FamilyMemberOut
from service.deps import EntityId, IdempotencyKey, OfficerUser, Pool
from service.family import service

router = APIRouter(prefix="/api/cadres", tags=["cadres"])


@router.get("/{cadre_id}/family-members", response_model=list[FamilyMemberOut])
async def list_family(cadre_id: EntityId, pool: Pool, user: OfficerUser) -> list[FamilyMemberOut]:
    """A cadre's family members (officer, within scope; audited)."""
    return await service.list_members(pool, user, cadre_id)


@router.post("/{cadre_id}/family-members", response_model=FamilyMemberOut, status_code=201)
async def add_family(cadre_id: EntityId, body: FamilyMemberIn, pool: Pool, user: OfficerUser,
                     key: IdempotencyKey = None) -> FamilyMemberOut:
    """Add a family member (officer, within scope; audited, with a revision)."""
    return await service.add_member(pool, user, cadre_id=cadre_id, body=body, key=key)
