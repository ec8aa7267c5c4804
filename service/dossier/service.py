"""A cadre's dossier as one reader may see it, and its export as a watermarked PDF."""

from datetime import datetime
from functools import partial

import asyncpg

from schemas import clock
from schemas.export import DossierDoc
from service.attachments.store import BlobStore
from service.cadres import repo as cadres_repo
from service.cadres.service import sees_sensitive
from service.config import Settings
from service.dossier import assemble, repo, sections
from service.dossier.masking import apply_masking
from service.errors import NotFound
from service.exports.service import IssuedPdf, issue_pdf
from service.forms.load import load_form, photo_bytes
from service.forms.printing import to_print
from service.pdf import render_dossier
from service.principal import Principal


async def load_dossier(conn: asyncpg.Connection, principal: Principal, *, settings: Settings,
                       cadre_id: int, generated_at: datetime) -> DossierDoc | None:
    """Everything the principal may read about a cadre, as the dossier prints it; None if out of scope.

    Runs on one consistent snapshot (callers open a REPEATABLE READ transaction).
    """
    cadre = await cadres_repo.get_visible(conn, principal, cadre_id)
    if cadre is None:
        return None
    evidence = await repo.evidence(conn, principal, cadre_id)
    records = await repo.field_records(conn, principal, cadre_id)
    files = await repo.attachments(conn, principal, [r["id"] for r in records],
                                   [e["id"] for e in evidence], cadre["photo_attachment_id"])
    photo_row = next((f for f in files if f["id"] == cadre["photo_attachment_id"]), None)
    proposed = await sections.proposed_post(conn, principal, cadre_id)
    form = await load_form(conn, principal, store=BlobStore(settings.attachments_dir), cadre_id=cadre_id)
    if form is not None and not form.proposed_post and proposed:
        form.proposed_post = proposed
    doc = DossierDoc(
        cover=assemble.cover(cadre, generated_at),
        profile=assemble.profile(cadre, await photo_bytes(BlobStore(settings.attachments_dir), photo_row),
                                 proposed),
        resume=assemble.resume(await cadres_repo.career(conn, cadre_id)),
        rewards_penalties=assemble.rewards(await cadres_repo.rewards(conn, cadre_id)),
        appraisals=assemble.appraisals(await cadres_repo.appraisals(conn, cadre_id)),
        evidence=assemble.evidence_groups(evidence),
        field_records=assemble.field_records(records),
        unit_assessments=await sections.unit_assessment_results(conn, principal, cadre_id),
        promotions=await sections.promotion_history(conn, principal, cadre_id),
        attachments=assemble.attachments(files),
        form=None if form is None else to_print(form, reference=clock.to_local(generated_at).date(),
                                                family_restricted=not sees_sensitive(principal)),
    )
    return apply_masking(principal, doc)


async def read_dossier(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                       cadre_id: int, generated_at: datetime) -> DossierDoc | None:
    """`load_dossier` on its own read-only snapshot."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return await load_dossier(conn, principal, settings=settings, cadre_id=cadre_id,
                                  generated_at=generated_at)


async def export_dossier(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                         cadre_id: int, job_id: int | None = None) -> IssuedPdf | None:
    """Render a cadre's dossier for the principal and register the export; None if out of scope."""
    exported_at = clock.now()
    doc = await read_dossier(pool, principal, settings=settings, cadre_id=cadre_id, generated_at=exported_at)
    if doc is None:
        return None
    details = {"evidence": sum(len(g.items) for g in doc.evidence),
               "field_records": len(doc.field_records), "attachments": len(doc.attachments)}
    return await issue_pdf(pool, principal, settings=settings, kind="dossier", object_ids=[cadre_id],
                           title=f"{doc.cover.title}_{doc.cover.cadre_name}", render=partial(render_dossier,
                                                                                             doc),
                           exported_at=exported_at, job_id=job_id, details=details)


async def export_dossier_or_404(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                                cadre_id: int) -> IssuedPdf:
    """`export_dossier` for a route: out of scope is 404, never 403."""
    issued = await export_dossier(pool, principal, settings=settings, cadre_id=cadre_id)
    if issued is None:
        raise NotFound("干部不存在")
    return issued
