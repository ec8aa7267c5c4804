"""The framework floor for the filing benchmark: the fixed stack doing only what filing must do.

    python -m bench.floor_app serve --port 8123      (started by `python -m bench.filing`)

A bare FastAPI app under uvicorn (same loop, same HTTP parser as `cadre serve`) with one asyncpg
pool. Its `POST /api/records` and `POST /api/evidence` do the minimum any implementation of these
two requests on this stack has to do: parse and validate the body with the product's own pydantic
models, resolve the bearer token (one query, as the product does), run the filing transaction —
the raw baseline's statements, i.e. the service's own SQL (`bench.filing.raw_record` /
`raw_evidence`) — and answer with the product's response model as JSON. No middleware, no access
log, no idempotency replay, no error mapping, no admission gate: everything the product adds on
top of this is what the benchmark's "API − floor" gap measures, and "floor ÷ raw" bounds what any
implementation on FastAPI + uvicorn + asyncpg can reach against raw asyncpg on this machine.
"""

import argparse
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response

from bench.filing import Researcher, World, raw_evidence, raw_record
from schemas.evidence import EvidenceCreate, EvidenceOut
from schemas.records import RecordCreate, RecordOut
from service.auth import repo as auth_repo
from service.config import get_settings
from service.db import create_pool

HOST = "127.0.0.1"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One pool, sized as the product's."""
    settings = get_settings()
    assert settings.database_url, "CADRE_DATABASE_URL is set by the benchmark"
    app.state.pool = await create_pool(settings.database_url, settings.db_pool_min,
                                       settings.db_pool_max)
    try:
        yield
    finally:
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def get_pool(request: Request) -> asyncpg.Pool:
    """The app's pool."""
    pool: asyncpg.Pool = request.app.state.pool
    return pool


Pool = Annotated[asyncpg.Pool, Depends(get_pool)]


async def researcher(pool: Pool, authorization: Annotated[str, Header()]) -> Researcher:
    """The bearer token's user, one query (the product's own token SQL)."""
    async with pool.acquire() as conn:
        row = await auth_repo.resolve_token(
            conn, hashlib.sha256(authorization.removeprefix("Bearer ").encode()).digest())
    if row is None:
        raise HTTPException(401)
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
