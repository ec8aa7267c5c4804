"""Application factory and lifespan (pools and clients live here, not in module globals)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from schemas import clock
from service import problems
from service.admission import Admission, AdmissionGate
from service.attachments.store import private_dirs
from service.audit.sealer import start_sealer
from service.auth import passwords
from service.config import Settings, get_settings
from service.db import create_pool
from service.exports.worker import start_export_worker
from service.health.service import Freshness
from service.id_masking import IdMaskingMiddleware
from service.input_guard import InputGuardMiddleware
from service.middleware import RequestContextMiddleware
from service.routes import include_routers
from service.search.client import SearchClient


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI app for the given settings."""
    # The app searches with the search-only key; the master key only creates keys (`cadre
    # search-keys`), so the web process never keeps it, however it was started.
    settings = (settings or get_settings()).model_copy(update={"meili_master_key": None})
    clock.configure(settings.business_tz)
    passwords.configure(settings.password_hash_profile)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.database_url:
            raise RuntimeError("CADRE_DATABASE_URL 未设置（使用 `cadre serve` 可自动启动内置数据库）")
        app.state.pool = await create_pool(settings.database_url, settings.db_pool_min,
                                           settings.db_pool_max)
        settings.attachments_dir.parent.mkdir(parents=True, exist_ok=True)
        private_dirs(settings.attachments_dir, settings.attachments_dir)
        app.state.search = (SearchClient(settings) if settings.meili_url and settings.meili_search_key
                            else None)
        stop_export_worker = start_export_worker(app.state.pool, settings)
        stop_sealer = start_sealer(app.state.pool, settings) if settings.audit_sealer else None
        app.state.freshness = Freshness()
        freshness = asyncio.create_task(app.state.freshness.run(app.state.pool))
        try:
            yield
        finally:
            freshness.cancel()
            if stop_sealer is not None:
                await stop_sealer()
            await stop_export_worker()
            if app.state.search is not None:
                app.state.search.close()
            await app.state.pool.close()

    app = FastAPI(title="干部实绩档案与选任证据库 API", version="0.1.0", lifespan=lifespan,
                  docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None,
                  swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
                  responses=problems.RESPONSES)
    app.state.settings = settings
    problems.install(app)
    include_routers(app)
    app.state.admission = Admission(settings.request_concurrency)
    app.add_middleware(AdmissionGate, admission=app.state.admission)
    app.add_middleware(InputGuardMiddleware)
    app.add_middleware(IdMaskingMiddleware)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_credentials=True, allow_methods=["*"], allow_headers=["*"])
    app.add_middleware(RequestContextMiddleware, max_body=settings.request_max_bytes,
                       max_upload=settings.upload_max_bytes, hsts=settings.env == "production")
    return app
