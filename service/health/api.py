"""`/healthz` (liveness), `/readyz` (readiness) and `/api/status` (admins)."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from service.deps import AdminUser, AppSettings, Pool
from service.health import service

router = APIRouter(tags=["health"])
_NOT_READY: dict[int | str, dict[str, Any]] = {503: {"description": "服务暂不可用（至少一个必需组件异常）"}}


@router.get("/healthz")
async def health() -> dict[str, str]:
    """Liveness: the process answers (touches nothing else, so an outage elsewhere never restarts it)."""
    return {"status": "ok"}


def _answer(ready: bool, report: dict[str, Any]) -> Response:
    return JSONResponse(report, status_code=200 if ready else 503,
                        headers=None if ready else {"Retry-After": "5"})


@router.get("/readyz", responses=_NOT_READY)
async def ready(request: Request, pool: Pool, settings: AppSettings) -> Response:
    """Readiness of each component; 503 when PostgreSQL, Meilisearch or the indexer is down."""
    ok, report = await service.readiness(pool, request.app.state.search, settings)
    return _answer(ok, report)


@router.get("/api/status")
async def status(request: Request, pool: Pool, settings: AppSettings,
                 user: AdminUser) -> dict[str, Any]:
    """Readiness with the supervised processes (pids, restarts) for administrators (always 200:
    the report itself says `status: unavailable`)."""
    ok, report = await service.readiness(pool, request.app.state.search, settings)
    report["ready"] = ok
    report["processes"] = service.supervisor_status(settings)
    report["thresholds"] = {"stale_search_after_s": settings.stale_search_after_s}
    report["requests"] = request.app.state.admission.report()
    return report
