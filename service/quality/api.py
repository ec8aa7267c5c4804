"""Route of a cadre's data-quality report (三龄两历一身份 checks and 到龄)."""

from fastapi import APIRouter

from schemas.formats import QualityOut
from service.deps import AppSettings, EntityId, Pool, Reader
from service.quality import service

router = APIRouter(tags=["quality"])


@router.get("/api/cadres/{cadre_id}/quality", response_model=QualityOut)
async def cadre_quality(cadre_id: EntityId, pool: Pool, settings: AppSettings, user: Reader) -> QualityOut:
    """Consistency of ages, histories and identity, and the retirement-age date under the 2025 rules."""
    return await service.quality(pool, user, settings=settings, cadre_id=cadre_id)
