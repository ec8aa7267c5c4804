"""Route for the performance section of a cadre's dossier."""

from fastapi import APIRouter

from schemas.performance import CadrePerformance
from service.deps import EntityId, Pool, Reader
from service.performance import service

router = APIRouter(prefix="/api/cadres", tags=["cadres"])


@router.get("/{cadre_id}/performance", response_model=CadrePerformance)
async def cadre_performance(cadre_id: EntityId, pool: Pool, user: Reader) -> CadrePerformance:
    """Ranks and stars of units the cadre led while leading them, contests, secondments, service (audited)."""
    return await service.get_performance(pool, user, cadre_id)
