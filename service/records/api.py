"""Routes for field records."""

from typing import Annotated

from fastapi import APIRouter, Body, Response

from schemas.common import RecordKind, RecordState, Version
from schemas.records import RecordCreate, RecordFilter, RecordOut, RecordPage, RecordUpdate, RevisionOut
from service.deps import EntityId, Filer, IdempotencyKey, IdQuery, IfMatch, Limit, Offset, Pool, Reader
from service.records import service
from service.versioning import etag

router = APIRouter(prefix="/api/records", tags=["records"])


@router.post("", response_model=RecordOut, status_code=201)
async def create_record(body: RecordCreate, pool: Pool, user: Filer,
                        key: IdempotencyKey = None) -> RecordOut:
    """File a field record (draft, or submitted with submit=true)."""
    return await service.create_record(pool, user, body=body, key=key)


@router.get("", response_model=RecordPage)
async def list_records(
    pool: Pool, user: Reader,
    cadre_id: IdQuery = None,
    campaign_id: IdQuery = None,
    kind: RecordKind | None = None, state: RecordState | None = None,
    limit: Limit = 50, offset: Offset = 0,
) -> RecordPage:
    """Records the caller may read."""
    filters = RecordFilter(cadre_id=cadre_id, campaign_id=campaign_id, kind=kind, state=state)
    return await service.list_records(pool, user, filters=filters, limit=limit, offset=offset)


@router.get("/{record_id}", response_model=RecordOut)
async def get_record(record_id: EntityId, pool: Pool, user: Reader, response: Response) -> RecordOut:
    """One record."""
    out = await service.get_record(pool, user, record_id)
    response.headers["ETag"] = etag(out.version)
    return out


@router.put("/{record_id}", response_model=RecordOut)
async def update_record(record_id: EntityId, body: RecordUpdate, pool: Pool, user: Filer,
                        if_match: IfMatch) -> RecordOut:
    """Edit a draft or amend a submitted record (author; amendments need a reason)."""
    return await service.update_record(pool, user, record_id=record_id, body=body, if_match=if_match)


@router.post("/{record_id}/submit", response_model=RecordOut)
async def submit_record(
    record_id: EntityId, pool: Pool, user: Filer, if_match: IfMatch,
    version: Annotated[Version | None, Body(embed=True)] = None,
) -> RecordOut:
    """Submit a draft (author)."""
    return await service.submit_record(pool, user, record_id=record_id, body_version=version,
                                       if_match=if_match)


@router.get("/{record_id}/revisions", response_model=list[RevisionOut])
async def record_revisions(record_id: EntityId, pool: Pool, user: Reader) -> list[RevisionOut]:
    """Every revision of a record."""
    return await service.record_revisions(pool, user, record_id)
