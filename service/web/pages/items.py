"""One field record and one evidence item, the pages search results and dossiers link to."""

from typing import Any

import asyncpg
from fastapi import Request, Response

from schemas.common import Role
from schemas.labels import label
from service.deps import EntityId, Pool, Reader
from service.evidence import service as evidence_service
from service.principal import Principal
from service.records import service as records_service
from service.web import repo
from service.web.page_route import page_router
from service.web.render import render

router = page_router()



async def _links(pool: asyncpg.Pool, principal: Principal, cadre_ids: list[int],
                 attachment_ids: list[int]) -> dict[str, Any]:
    async with pool.acquire() as conn:
        names = await repo.cadre_names(conn, principal, cadre_ids)
        files = await repo.attachments(conn, principal, attachment_ids)
    return {"cadres": [(cid, names[cid]) for cid in cadre_ids if cid in names],
            "files": [dict(f) for f in files]}


def _details(details: dict[str, object]) -> list[tuple[str, str]]:
    out = []
    for key, value in details.items():
        if key == "kind" or value in (None, "", []):
            continue
        if key == "interviewee_relation":
            value = label(value, "interviewee_relation")
        text = "；".join(str(v) for v in value) if isinstance(value, list) else str(value)
        out.append((label(key, "record_detail_field"), text))
    return out


@router.get("/records/{record_id}")
async def record_page(record_id: EntityId, request: Request, pool: Pool, user: Reader) -> Response:
    """A field record with its cadres and attachments (the read is audited by the service)."""
    record = await records_service.get_record(pool, user, record_id)
    links = await _links(pool, user, record.cadre_ids, record.attachment_ids)
    return render(request, "record.html", {"r": record, "details": _details(record.details), **links},
                  title=record.title)


@router.get("/evidence/{evidence_id}")
async def evidence_page(evidence_id: EntityId, request: Request, pool: Pool, user: Reader) -> Response:
    """An evidence item with metrics and verification; officers who did not file it may verify it."""
    item = await evidence_service.get_evidence(pool, user, evidence_id)
    links = await _links(pool, user, [item.cadre_id], item.attachment_ids)
    async with pool.acquire() as conn:
        people = await repo.users_names(conn, [i for i in (item.verified_by, item.created_by) if i])
        # The field records it rests on, as far as the reader may read them.
        records = [dict(r) for r in await repo.record_titles(conn, user, item.record_ids)]
    can_verify = user.role is Role.officer and item.created_by != user.user_id
    return render(request, "evidence.html", {
        "e": item, "people": people, "can_verify": can_verify, "records": records,
        "own_item": user.role is Role.officer and item.created_by == user.user_id, **links}, title=item.title)
