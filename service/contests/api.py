"""Routes for arena contests (擂台比武)."""

from fastapi import APIRouter

from schemas.common import DbDate
from schemas.contests import (
    ContestCreate,
    ContestFilter,
    ContestLevel,
    ContestOut,
    ContestPage,
    EvidenceBatch,
    PresentationCreate,
    PresentationOut,
    PresentationUpdate,
)
from schemas.records import RevisionOut
from service.contests import service
from service.deps import EntityId, IdempotencyKey, IfMatch, Limit, OfficeReader, OfficerUser, Offset, Pool

router = APIRouter(prefix="/api/contests", tags=["contests"])


@router.post("", response_model=ContestOut, status_code=201)
async def create_contest(body: ContestCreate, pool: Pool, user: OfficerUser,
                         key: IdempotencyKey = None) -> ContestOut:
    """Create a contest event (officer, organizer unit in scope)."""
    return await service.create_contest(pool, user, body=body, key=key)


@router.get("", response_model=ContestPage)
async def list_contests(pool: Pool, user: OfficeReader, level: ContestLevel | None = None,
                        date_from: DbDate | None = None, date_to: DbDate | None = None,
                        limit: Limit = 50, offset: Offset = 0) -> ContestPage:
    """Readable contests, latest first."""
    filters = ContestFilter(level=level, date_from=date_from, date_to=date_to)
    return await service.list_contests(pool, user, filters=filters, limit=limit, offset=offset)


@router.get("/{contest_id}", response_model=ContestOut)
async def get_contest(contest_id: EntityId, pool: Pool, user: OfficeReader) -> ContestOut:
    """A contest with the presentations of readable cadres, their scores and ranks (audited)."""
    return await service.get_contest(pool, user, contest_id)


@router.post("/{contest_id}/presentations", response_model=PresentationOut, status_code=201)
async def add_presentation(contest_id: EntityId, body: PresentationCreate, pool: Pool, user: OfficerUser,
                           key: IdempotencyKey = None) -> PresentationOut:
    """Record a presentation: achievements, shortcomings, goals, measures, scores, and evidence items."""
    return await service.add_presentation(pool, user, contest_id=contest_id, body=body, key=key)


@router.put("/{contest_id}/presentations/{presentation_id}", response_model=PresentationOut)
async def update_presentation(contest_id: EntityId, presentation_id: EntityId, body: PresentationUpdate,
                              pool: Pool, user: OfficerUser, if_match: IfMatch) -> PresentationOut:
    """Replace a presentation's content and scores, based on its version."""
    return await service.update_presentation(pool, user, contest_id=contest_id, pid=presentation_id,
                                             body=body, if_match=if_match)


@router.post("/{contest_id}/presentations/{presentation_id}/evidence", response_model=PresentationOut,
             status_code=201)
async def add_evidence(contest_id: EntityId, presentation_id: EntityId, body: EvidenceBatch, pool: Pool,
                       user: OfficerUser, key: IdempotencyKey = None) -> PresentationOut:
    """Credit evidence items (positive or negative) from the presentation to the presenting cadre."""
    return await service.add_evidence(pool, user, contest_id=contest_id, pid=presentation_id, body=body,
                                      key=key)


@router.get("/{contest_id}/presentations/{presentation_id}/revisions", response_model=list[RevisionOut])
async def presentation_revisions(contest_id: EntityId, presentation_id: EntityId, pool: Pool,
                                 user: OfficeReader) -> list[RevisionOut]:
    """Every revision of a presentation."""
    return await service.presentation_revisions(pool, user, contest_id=contest_id, pid=presentation_id)
