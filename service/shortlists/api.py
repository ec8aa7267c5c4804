"""Routes for shortlists: the working list, marks, search seeds and saved versions."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from schemas.shortlists import (
    MarkIn,
    MarkOut,
    ReproduceResult,
    SavedShortlist,
    SavedSummary,
    SaveShortlist,
    SeedIn,
    SeedResult,
    ShortlistDiff,
    ShortlistQuery,
    ShortlistResult,
)
from service.deps import AppSettings, EntityId, IdempotencyKey, OfficeReader, OfficerUser, Pool, VersionNo
from service.errors import ServiceUnavailable
from service.exports.service import PDF_RESPONSES, pdf_response
from service.search.client import SearchClient
from service.shortlists import pdf, service, versions

router = APIRouter(prefix="/api/positions/{position_id}/shortlist", tags=["shortlists"])


@router.get("", response_model=ShortlistResult)
async def working_shortlist(position_id: EntityId, pool: Pool, user: OfficeReader,
                            query: Annotated[ShortlistQuery, Query()]) -> ShortlistResult:
    """Eligible cadres ranked and explained; `include_ineligible` lists the others with failed rules."""
    return await service.generate(pool, user, position_id=position_id, query=query)


@router.post("/marks", response_model=MarkOut, status_code=201)
async def add_mark(position_id: EntityId, body: MarkIn, pool: Pool, user: OfficerUser,
                   key: IdempotencyKey = None) -> MarkOut:
    """Pin or exclude a cadre with a reason (officer)."""
    return await versions.add_mark(pool, user, position_id=position_id, body=body, key=key)


@router.get("/marks", response_model=list[MarkOut])
async def list_marks(position_id: EntityId, pool: Pool, user: OfficeReader) -> list[MarkOut]:
    """Pins, exclusions and seeds, withdrawn ones included."""
    return await versions.list_marks(pool, user, position_id)


@router.post("/marks/{mark_id}/withdraw", response_model=MarkOut)
async def withdraw_mark(position_id: EntityId, mark_id: EntityId, pool: Pool,
                        user: OfficerUser) -> MarkOut:
    """Withdraw a mark (officer); the history keeps it."""
    return await versions.withdraw_mark(pool, user, position_id=position_id, mark_id=mark_id)


@router.post("/seed", response_model=SeedResult)
async def seed(position_id: EntityId, body: SeedIn, request: Request, pool: Pool,
               user: OfficerUser) -> SeedResult:
    """Add eligible cadres found by the candidate search to the working shortlist (officer)."""
    client: SearchClient | None = getattr(request.app.state, "search", None)
    if client is None:
        raise ServiceUnavailable("检索服务未配置")
    return await versions.seed(pool, user, client=client, position_id=position_id, body=body)


@router.post("/versions", response_model=SavedShortlist, status_code=201)
async def save(position_id: EntityId, body: SaveShortlist, pool: Pool, user: OfficerUser,
               key: IdempotencyKey = None) -> SavedShortlist:
    """Save the working shortlist as the next immutable version (officer)."""
    return await versions.save(pool, user, position_id=position_id, body=body, key=key)


@router.get("/versions", response_model=list[SavedSummary])
async def list_versions(position_id: EntityId, pool: Pool, user: OfficeReader) -> list[SavedSummary]:
    """Saved versions."""
    return await versions.list_saved(pool, user, position_id)


@router.get("/versions/{version}", response_model=SavedShortlist)
async def get_version(position_id: EntityId, version: VersionNo, pool: Pool,
                      user: OfficeReader) -> SavedShortlist:
    """One saved version with its rules, weights, marks, hashes and result."""
    return await versions.get_saved(pool, user, position_id=position_id, version=version)


@router.post("/versions/{version}/reproduce", response_model=ReproduceResult)
async def reproduce(position_id: EntityId, version: VersionNo, pool: Pool,
                    user: OfficeReader) -> ReproduceResult:
    """Recompute a saved version from today's data and compare hashes and rankings."""
    return await versions.reproduce(pool, user, position_id=position_id, version=version)


@router.get("/versions/{version}/compare/{other}", response_model=ShortlistDiff)
async def compare(position_id: EntityId, version: VersionNo, other: VersionNo, pool: Pool,
                  user: OfficeReader) -> ShortlistDiff:
    """Differences from one saved version to another."""
    return await versions.compare(pool, user, position_id=position_id, from_version=version, to_version=other)


@router.get("/versions/{version}/shortlist.pdf", response_class=Response, responses=PDF_RESPONSES)
async def shortlist_pdf(position_id: EntityId, version: VersionNo, pool: Pool, settings: AppSettings,
                        user: OfficeReader) -> Response:
    """A saved shortlist version as a watermarked PDF (officer, leader; audited)."""
    return pdf_response(await pdf.export_shortlist_or_404(pool, user, settings=settings,
                                                          position_id=position_id, version=version))
