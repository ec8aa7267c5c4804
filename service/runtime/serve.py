"""`cadre serve`: bring up what is missing, migrate, optionally load demo data, run the app."""

import asyncio
import logging
from contextlib import ExitStack

import uvicorn

from service.config import Settings
from service.migrate import upgrade_head
from service.runtime.stack import local_stack, start_indexer

log = logging.getLogger(__name__)


async def _is_empty(url: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM units)")
    finally:
        await conn.close()


async def _load_demo(url: str, cadres: int) -> None:
    from service.db import create_pool
    from service.demo import load_demo

    pool = await create_pool(url, 1, 2)
    try:
        async with pool.acquire() as conn:
            summary = await load_demo(conn, cadres=cadres)
        log.info("demo data loaded", extra={"summary": str(summary)})
    finally:
        await pool.close()


def serve(settings: Settings, demo: bool, demo_cadres: int, with_indexer: bool) -> int:
    """Run until interrupted; everything started here is stopped on the way out."""
    from service.main import create_app

    with ExitStack() as stack, local_stack(settings, stack) as full:
        assert full.database_url
        upgrade_head(full.database_url)
        loaded = False
        if demo and asyncio.run(_is_empty(full.database_url)):
            asyncio.run(_load_demo(full.database_url, demo_cadres))
            loaded = True
        if full.meili_url and with_indexer:
            from indexer.reindex import reindex

            if loaded or not asyncio.run(_index_exists(full)):
                reindex(full, progress=True)
            start_indexer(full, stack)
        url = f"http://{full.host}:{full.port}"
        print(f"\n服务地址：{url}/  （API 文档：{url}/api/docs）", flush=True)
        if demo:
            from service.demo import DEMO_PASSWORD  # development tool: not in the production image

            print(f"演示账号：officer / {DEMO_PASSWORD}（干部工作人员）；"
                  f"researcher、leader、auditor、admin 密码相同\n", flush=True)
        uvicorn.run(create_app(full), host=full.host, port=full.port, log_config=None,
                    proxy_headers=False)
    return 0


async def _index_exists(settings: Settings) -> bool:
    from indexer.client import index_exists

    return await asyncio.to_thread(index_exists, settings)
