"""The framework floor of the filing and search benchmarks: the fixed stack doing only what it must.

    python -m bench.floor_app serve --port 8123   (started by `python -m bench.filing` / `bench.search`)

A bare FastAPI app under uvicorn (same loop, same HTTP parser as `cadre serve`) with one asyncpg
pool. Its `POST /api/records` and `POST /api/evidence` do the minimum any implementation of these
two requests on this stack has to do: parse and validate the body with the product's own pydantic
models, resolve the bearer token (one query, as the product does), run the filing transaction —
the raw baseline's statements, i.e. the service's own SQL (`bench.filing.raw_record` /
`raw_evidence`) — and answer with the product's response model as JSON. No middleware, no access
log, no idempotency replay, no error mapping, no admission gate: everything the product adds on
top of this is what the benchmark's "API − floor" gap measures, and "floor ÷ raw" bounds what any
implementation on FastAPI + uvicorn + asyncpg can reach against raw asyncpg on this machine.

Its `GET /api/search` likewise: validate the parameters with the product's model, resolve the token
with the search scope (one query, as the product does), build the product's own Meilisearch request
(`meili_request`), send it with the product's `SearchClient` (the official client's request, sent on
the event loop)
while the audit entry is written (`audit_only`, durable before the answer), and answer the asked
page of Meilisearch's hits as JSON — no checking or re-ranking of the window, no pages past it, no
near matches, no highlighting, no middleware: "floor ÷ direct" bounds what any search API on this
stack reaches against the official client alone.
"""

import argparse
import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response

from bench.filing import Researcher, World, raw_evidence, raw_record
from schemas.common import Role
from schemas.evidence import EvidenceCreate, EvidenceOut
from schemas.records import RecordCreate, RecordOut
from schemas.search_api import SearchParams
from service.auth import repo as auth_repo
from service.auth.service import hash_token
from service.config import get_settings
from service.db import create_pool
from service.principal import Principal
from service.search.client import SearchClient
from service.search.repo import scope_from_row
from service.search.service import meili_request
from service.uow import audit_only

HOST = "127.0.0.1"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One pool, sized as the product's."""
    settings = get_settings()
    assert settings.database_url, "CADRE_DATABASE_URL is set by the benchmark"
    app.state.pool = await create_pool(settings.database_url, settings.db_pool_min,
                                       settings.db_pool_max)
    app.state.search = (SearchClient(settings) if settings.meili_url and settings.meili_search_key
                        else None)
    try:
        yield
    finally:
        if app.state.search is not None:
            app.state.search.close()
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def get_pool(request: Request) -> asyncpg.Pool:
    """The app's pool."""
    pool: asyncpg.Pool = request.app.state.pool
    return pool


Pool = Annotated[asyncpg.Pool, Depends(get_pool)]


async def _token_row(pool: asyncpg.Pool, authorization: str, with_scope: bool) -> asyncpg.Record:
    """The bearer token's user (and search scope), one query (the product's own token SQL)."""
    async with pool.acquire() as conn:
        row = await auth_repo.resolve_token(
            conn, hash_token(authorization.removeprefix("Bearer ")), with_scope)
    if row is None:
        raise HTTPException(401)
    return row


async def researcher(pool: Pool, authorization: Annotated[str, Header()]) -> Researcher:
    """The bearer token's user."""
    row = await _token_row(pool, authorization, with_scope=False)
    return Researcher(row["id"], row["username"], {})


Who = Annotated[Researcher, Depends(researcher)]


def _world(campaign_id: int, team_id: int) -> World:
    return World({"id": campaign_id, "teams": [{"id": team_id}]}, [], [])


def _json(model: RecordOut | EvidenceOut) -> Response:
    return Response(model.model_dump_json(), status_code=201, media_type="application/json")


@app.post("/api/records")
async def create_record(body: RecordCreate, pool: Pool, who: Who) -> Response:
    """File a record with the service's statements; answer the stored record."""
    data: dict[str, Any] = body.model_dump(mode="json")
    row = await raw_record(pool, _world(body.campaign_id, body.team_id), who, data)
    return _json(RecordOut(**{k: row[k] for k in RecordOut.model_fields}))


@app.post("/api/evidence")
async def create_evidence(body: EvidenceCreate, pool: Pool, who: Who) -> Response:
    """File an evidence item with the service's statements; answer the stored item."""
    data: dict[str, Any] = body.model_dump(mode="json")
    assert body.campaign_id is not None and body.team_id is not None
    row = await raw_evidence(pool, _world(body.campaign_id, body.team_id), who, data)
    return _json(EvidenceOut(**{k: row[k] for k in EvidenceOut.model_fields}))


@app.get("/api/search")
async def search(request: Request, pool: Pool, params: Annotated[SearchParams, Query()],
                 authorization: Annotated[str, Header()]) -> Response:
    """Token and scope, the product's Meilisearch request beside the audit insert, the page as JSON."""
    row = await _token_row(pool, authorization, with_scope=True)
    scope = scope_from_row(row)
    principal = Principal(row["id"], row["username"], row["display_name"], Role(row["role"]),
                          "127.0.0.1", row["kind"], search_scope=scope)
    meili = meili_request(principal, scope, params)
    client: SearchClient = request.app.state.search
    raw, _ = await asyncio.gather(
        client.search(meili.q, meili.body),
        audit_only(pool, principal, "search", "search", None,
                   params.model_dump(mode="json", exclude_defaults=True)))
    # A window (page 1 of hitsPerPage ≥ the page's end) holds the page; else the answer is the page.
    windowed = meili.body.get("page") == 1 and meili.body.get("hitsPerPage", 0) > params.per_page
    start = (params.page - 1) * params.per_page if windowed else 0
    page = {"total": raw.get("totalHits", 0), "hits": raw["hits"][start:start + params.per_page]}
    return Response(json.dumps(page, ensure_ascii=False), media_type="application/json")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """Up."""
    return {"status": "ok"}


def main() -> None:
    """`serve --port N`: run the floor app as `cadre serve` runs the product (one uvicorn worker)."""
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host=HOST, port=args.port, log_config=None, access_log=False,
                proxy_headers=False)


if __name__ == "__main__":
    main()
