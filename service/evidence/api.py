"""Routes for achievement evidence."""


from fastapi import APIRouter, Response

from schemas.common import Domain, Verification
from schemas.evidence import (
    EvidenceCreate,
    EvidenceFilter,
    EvidenceOut,
    EvidencePage,
    EvidenceUpdate,
    VerificationIn,
)
from schemas.records import RevisionOut
from service.deps import (
    EntityId,
    Filer,
    IdempotencyKey,
    IdQuery,
    IfMatch,
    Limit,
    OfficerUser,
    Offset,
    Pool,
    Reader,
)
from service.evidence import service
from service.versioning import etag

router = APIRouter(prefix="/api/evidence", tags=["evidence"])


@router.post("", response_model=EvidenceOut, status_code=201)
async def create_evidence(body: EvidenceCreate, pool: Pool, user: Filer,
                          key: IdempotencyKey = None) -> EvidenceOut:
    """File achievement evidence for a cadre."""
    return await service.create_evidence(pool, user, body=body, key=key)


@router.get("", response_model=EvidencePage)
async def list_evidence(
    pool: Pool, user: Reader,
    cadre_id: IdQuery = None,
    domain: Domain | None = None, verification: Verification | None = None,
    limit: Limit = 50, offset: Offset = 0,
) -> EvidencePage:
    """Evidence the caller may read."""
    filters = EvidenceFilter(cadre_id=cadre_id, domain=domain, verification=verification)
    return await service.list_evidence(pool, user, filters=filters, limit=limit, offset=offset)


@router.get("/{evidence_id}", response_model=EvidenceOut)
async def get_evidence(evidence_id: EntityId, pool: Pool, user: Reader, response: Response) -> EvidenceOut:
    """One evidence item."""
    out = await service.get_evidence(pool, user, evidence_id)
    response.headers["ETag"] = etag(out.version)
    return out


@router.put("/{evidence_id}", response_model=EvidenceOut)
async def update_evidence(evidence_id: EntityId, body: EvidenceUpdate, pool: Pool, user: Filer,
                          if_match: IfMatch) -> EvidenceOut:
    """Amend evidence (its filer or an officer)."""
    return await service.update_evidence(pool, user, evidence_id=evidence_id, body=body, if_match=if_match)


@router.post("/{evidence_id}/verification", response_model=EvidenceOut)
async def verify_evidence(evidence_id: EntityId, body: VerificationIn, pool: Pool, user: OfficerUser,
                          if_match: IfMatch) -> EvidenceOut:
    """Verify or dispute evidence (officer, not its filer)."""
    return await service.verify_evidence(pool, user, evidence_id=evidence_id, body=body, if_match=if_match)


@router.get("/{evidence_id}/revisions", response_model=list[RevisionOut])
async def evidence_revisions(evidence_id: EntityId, pool: Pool, user: Reader) -> list[RevisionOut]:
    """Every revision of an evidence item."""
    return await service.evidence_revisions(pool, user, evidence_id)
