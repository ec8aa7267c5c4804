"""Registering a non-PDF export (LRMX, Word, roster): serial, SHA-256, exports row, audit entry."""

import hashlib
from datetime import datetime
from typing import Any

import asyncpg
from fastapi import Response

from service.attachments.service import content_disposition
from service.exports import repo as exports_repo
from service.exports.service import format_serial
from service.principal import Principal
from service.uow import unit_of_work

MEDIA = {"lrmx": "application/xml", "zip": "application/zip",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


async def register(pool: asyncpg.Pool, principal: Principal, *, kind: str, object_ids: list[int],
                   data: bytes, exported_at: datetime, details: dict[str, Any]) -> str:
    """Record the export (append-only register and audit trail) before any byte leaves; its serial."""
    digest = hashlib.sha256(data).hexdigest()
    async with unit_of_work(pool, principal) as uow:
        serial = format_serial(await exports_repo.next_serial_number(uow.conn), exported_at)
        await exports_repo.insert_export(uow.conn, serial, principal.user_id, kind,
                                         object_ids or [0], digest, len(data), None, exported_at)
        uow.audit(f"export.{kind}", "cadre", object_ids[0] if len(object_ids) == 1 else None,
                  {"serial": serial, "sha256": digest, "size": len(data), "object_ids": object_ids,
                   **details})
    return serial


def download(data: bytes, filename: str, *, media: str, serial: str) -> Response:
    """The bytes as a download with a Chinese file name, serial and digest."""
    return Response(content=data, media_type=media, headers={
        "Content-Disposition": content_disposition(filename), "Cache-Control": "no-store",
        "X-Export-Serial": serial, "X-Content-SHA256": hashlib.sha256(data).hexdigest()})
