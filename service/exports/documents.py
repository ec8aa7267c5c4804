"""Shortlist and promotion-record PDFs, for the shortlists and promotions modules to call.

They take documents their callers have already loaded with the reader's scope applied
(service.pdf's ShortlistDoc / PromotionDoc), and add what every export gets: serial,
watermark, render off the event loop, SHA-256, exports row and audit entry.
"""

from datetime import date
from functools import partial

import asyncpg

from schemas.export import LabelValue, PromotionDoc, ShortlistDoc
from service.config import Settings
from service.exports.service import IssuedPdf, issue_pdf
from service.pdf import render_promotion, render_shortlist
from service.pdf.formatting import fmt_span
from service.principal import Principal


async def export_shortlist(pool: asyncpg.Pool, principal: Principal, settings: Settings,
                           shortlist_id: int, doc: ShortlistDoc) -> IssuedPdf:
    """A saved shortlist version as a watermarked PDF, registered and audited (`export.shortlist`)."""
    title = f"{doc.title}_{doc.position.unit}{doc.position.post}_第{doc.version}版"
    return await issue_pdf(pool, principal, settings, "shortlist", [shortlist_id], title,
                           partial(render_shortlist, doc),
                           details={"version": doc.version, "inputs_hash": doc.inputs_hash,
                                    "candidates": len(doc.candidates)})


async def export_promotion(pool: asyncpg.Pool, principal: Principal, settings: Settings,
                           promotion_id: int, doc: PromotionDoc) -> IssuedPdf:
    """A promotion record with its stage timeline as a watermarked PDF (`export.promotion`)."""
    return await issue_pdf(pool, principal, settings, "promotion", [promotion_id],
                           f"{doc.title}_{doc.cadre_name}", partial(render_promotion, doc),
                           details={"status": doc.status, "stages": len(doc.stages)})


def notice_period(start: date, end: date | None, working_days: int | None) -> LabelValue:
    """The public-notice line of a promotion timeline: `2025.02.17—2025.02.21，5 个工作日`."""
    span = fmt_span(start, end)
    return LabelValue(label="公示期", value=span if working_days is None
                      else f"{span}，{working_days} 个工作日")


def votes(label: str, for_: int, total: int) -> LabelValue:
    """A vote line: `71 票（82.6%）` of `total` voters."""
    share = f"（{for_ / total:.1%}）" if total else ""
    return LabelValue(label=label, value=f"{for_} 票{share}")
