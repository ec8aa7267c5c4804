"""Route for searching the library."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from schemas.search_api import SearchParams, SearchResult
from service.deps import Pool, SearchReader
from service.errors import ServiceUnavailable
from service.search import service
from service.search.client import SearchClient

router = APIRouter(prefix="/api/search", tags=["search"])


def _client(request: Request) -> SearchClient:
    client: SearchClient | None = getattr(request.app.state, "search", None)
    if client is None:
        raise ServiceUnavailable("检索服务未配置")
    return client


@router.get("", response_model=SearchResult)
async def search(request: Request, pool: Pool, user: SearchReader,
                 params: Annotated[SearchParams, Query()]) -> SearchResult:
    """Full-text search over cadres, field records and evidence within the caller's scope."""
    return await service.search(pool, user, client=_client(request), params=params)
