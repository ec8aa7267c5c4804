"""The 任免审批表 of one cadre or a selection, as PDF or Word: scoped, masked, registered, audited."""

from datetime import date
from functools import partial

import asyncpg
from fastapi import Response

from schemas import clock
from schemas.approval_form import ApprovalFormDoc, Layout
from schemas.formats import SelectionIn
from service.attachments.store import BlobStore
from service.cadres.service import sees_sensitive
from service.config import Settings
from service.dossier.masking import mask_free_text
from service.errors import NotFound
from service.exports.service import in_render_thread, issue_pdf, pdf_response
from service.forms.docx import build_docx
from service.forms.exporting import MEDIA, download, register
from service.forms.load import load_form
from service.forms.printing import to_print
from service.lrmx.archive import build_zip
from service.lrmx.exports import selected
from service.pdf import render_approval_forms
from service.principal import Principal

Printed = tuple[list[tuple[int, ApprovalFormDoc]], list[int]]


async def print_docs(conn: asyncpg.Connection, principal: Principal, *, settings: Settings,
                     cadre_ids: list[int], reference: date, layout: Layout,
                     overrides: dict[str, str] | None = None) -> Printed:
    """The printed form of each readable cadre, and the ids not found (absent or out of scope)."""
    store = BlobStore(settings.attachments_dir)
    docs, missing = [], []
    for cadre_id in cadre_ids:
        form = await load_form(conn, principal, store=store, cadre_id=cadre_id)
        if form is None:
            missing.append(cadre_id)
            continue
        for key, value in (overrides or {}).items():
            setattr(form, key, value)
        printed = to_print(form, reference=reference, layout=layout,
                           family_restricted=not sees_sensitive(principal))
        # ID numbers typed into the resume, reason or any other text: masked for every role but officers.
        docs.append((cadre_id, mask_free_text(principal, printed)))
    return docs, missing


async def _selection_docs(pool: asyncpg.Pool, principal: Principal, settings: Settings, body: SelectionIn,
                          reference: date, layout: Layout) -> Printed:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        ids, overrides = await selected(conn, principal, body)
        docs, missing = await print_docs(conn, principal, settings=settings, cadre_ids=ids,
                                         reference=reference, layout=layout,
                                         overrides=overrides)
    if not docs:
        raise NotFound("干部不存在")
    return docs, missing


async def form_pdf(pool: asyncpg.Pool, principal: Principal, *, settings: Settings, body: SelectionIn,
                   reference: date | None, layout: Layout) -> Response:
    """The forms of a selection in one PDF (two pages each), watermarked, registered and audited."""
    docs, missing = await _selection_docs(pool, principal, settings, body, reference or clock.today(), layout)
    title = f"干部任免审批表_{docs[0][1].name}" if len(docs) == 1 else f"干部任免审批表_{len(docs)}人"
    issued = await issue_pdf(pool, principal, settings=settings, kind="approval_form",
                             object_ids=[i for i, _ in docs], title=title,
                             render=partial(render_approval_forms, [d for _, d in docs]),
                             details={"forms": len(docs), "not_found": missing, "layout": layout,
                                      "promotion_id": body.promotion_id})
    return pdf_response(issued)


async def form_docx(pool: asyncpg.Pool, principal: Principal, *, settings: Settings, body: SelectionIn,
                    reference: date | None, layout: Layout, as_zip: bool) -> Response:
    """The forms as Word: one .docx, or a zip with one .docx per cadre."""
    docs, missing = await _selection_docs(pool, principal, settings, body, reference or clock.today(), layout)
    exported_at = clock.now()
    if as_zip or len(docs) > 1:
        files = [(f"干部任免审批表_{d.name}.docx", await in_render_thread(build_docx, [d])) for _, d in docs]
        data = build_zip(files)
    else:
        data = await in_render_thread(build_docx, [docs[0][1]])
    serial = await register(pool, principal, kind="approval_form_docx", object_ids=[i for i, _ in docs],
                            data=data, exported_at=exported_at,
                            details={"forms": len(docs), "not_found": missing, "layout": layout})
    if as_zip or len(docs) > 1:
        return download(data, f"干部任免审批表_{len(docs)}人_{serial}.zip", media=MEDIA["zip"], serial=serial)
    return download(data, f"干部任免审批表_{docs[0][1].name}_{serial}.docx", media=MEDIA["docx"],
                    serial=serial)
