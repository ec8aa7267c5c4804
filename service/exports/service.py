"""Issuing an exported PDF: serial number, watermark, render off the event loop, SHA-256,
then the exports row and the audit entry in one transaction."""

import asyncio
import contextvars
import functools
import hashlib
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import asyncpg
from fastapi import Response

from schemas import clock
from schemas.export import Watermark
from service.admission import awaited_outside_when_slow
from service.attachments.service import content_disposition
from service.config import Settings
from service.errors import ServiceUnavailable
from service.exports import repo
from service.pdf import FontNotFoundError, find_cjk_font_dirs
from service.pdf.formatting import to_beijing
from service.principal import Principal
from service.uow import unit_of_work

T = TypeVar("T")
Kind = Literal["dossier", "shortlist", "promotion", "approval_form", "archive", "archive_docx",
               "inspection", "inspection_docx"]
Renderer = Callable[[Watermark, list[Path]], bytes]

SERIAL_PREFIX: Final = "DA"
# Typst runs outside the GIL; a small dedicated pool keeps a burst of exports from
# taking every core (and every default-executor thread) away from request handling.
RENDER_THREADS: Final = max(1, min(4, os.cpu_count() or 1))
_render_pool = ThreadPoolExecutor(max_workers=RENDER_THREADS, thread_name_prefix="pdf-render")
# The audit entry is filed under the object exported, so the cadre's trail shows it.
OBJECT_TYPES: Final[dict[str, str]] = {"dossier": "cadre", "shortlist": "shortlist",
                                       "promotion": "promotion", "approval_form": "cadre",
                                       "archive": "campaign", "archive_docx": "campaign",
                                       "inspection": "inspection_draft",
                                       "inspection_docx": "inspection_draft"}
_font_dirs: dict[Path | None, list[Path]] = {}
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass(frozen=True)
class IssuedPdf:
    """An exported PDF as handed out, with the serial printed on its pages."""

    serial: str
    sha256: str
    pdf: bytes
    filename: str
    exported_at: datetime


def format_serial(number: int, at: datetime) -> str:
    """`DA-2026-000123`: the export year (Beijing time) and the sequence number."""
    return f"{SERIAL_PREFIX}-{to_beijing(at).year}-{number:06d}"


def watermark_name(principal: Principal) -> str:
    """The exporting user as printed in the watermark: display name and login name."""
    return f"{principal.display_name}（{principal.username}）"


def safe_file_name(*parts: str) -> str:
    """A file name from parts joined by `_`, without path separators or control characters."""
    return "_".join(_UNSAFE_NAME.sub("_", p).strip() or "_" for p in parts)


def font_dirs(settings: Settings) -> list[Path]:
    """The CJK font directory to render with; 503 naming CADRE_CJK_FONT_PATH if there is none."""
    configured = settings.cjk_font_path
    found = _font_dirs.get(configured)
    if found is None:
        try:
            found = find_cjk_font_dirs(configured)
        except FontNotFoundError as exc:
            # Not cached: installing the font fixes exports without a restart.
            raise ServiceUnavailable(str(exc), setting="CADRE_CJK_FONT_PATH") from exc
        _font_dirs[configured] = found
    return found


async def in_render_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking work (Typst, zip writing) on the render pool, keeping log context."""
    ctx = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    return await awaited_outside_when_slow(
        loop.run_in_executor(_render_pool, functools.partial(ctx.run, fn, *args)))


async def issue_pdf(pool: asyncpg.Pool, principal: Principal, *, settings: Settings, kind: Kind,
                    object_ids: list[int], title: str, render: Renderer,
                    exported_at: datetime | None = None, job_id: int | None = None,
                    details: dict[str, Any] | None = None) -> IssuedPdf:
    """Render with a fresh serial in the watermark and register the export with its SHA-256.

    The exports row and the `export.<kind>` audit entry commit together, before any byte
    leaves: a PDF that was handed out is always on record.
    """
    fonts = font_dirs(settings)
    exported_at = exported_at or clock.now()
    async with pool.acquire() as conn:
        serial = format_serial(await repo.next_serial_number(conn), exported_at)
    mark = Watermark(user_name=watermark_name(principal), exported_at=exported_at, serial=serial)
    pdf = await in_render_thread(render, mark, fonts)
    digest = hashlib.sha256(pdf).hexdigest()
    async with unit_of_work(pool, principal) as uow:
        await repo.insert_export(uow.conn, serial, principal.user_id, kind, object_ids, digest,
                                 len(pdf), job_id, exported_at)
        uow.audit(f"export.{kind}", OBJECT_TYPES[kind], object_ids[0],
                  {"serial": serial, "sha256": digest, "size": len(pdf), "object_ids": object_ids,
                   "job_id": job_id, **(details or {})})
    name = safe_file_name(title, serial) + ".pdf"
    return IssuedPdf(serial, digest, pdf, name, exported_at)


PDF_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/pdf": {}}, "description": "带水印和导出编号的 PDF"},
}


def pdf_response(issued: IssuedPdf) -> Response:
    """The PDF as a download with its Chinese file name (RFC 5987), serial and digest."""
    return Response(content=issued.pdf, media_type="application/pdf", headers={
        "Content-Disposition": content_disposition(issued.filename),
        "Cache-Control": "no-store",
        "X-Export-Serial": issued.serial,
        "X-Content-SHA256": issued.sha256,
    })
