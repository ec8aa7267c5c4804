"""Health check (public)."""

from fastapi import APIRouter

from service.deps import Pool

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def health(pool: Pool) -> dict[str, str]:
    """Liveness and database reachability."""
    async with pool.acquire() as conn:
        await conn.fetchval("SELECT 1")
    return {"status": "ok"}
