"""Receiving one uploaded file (multipart field `file`) for an import, within the upload limit."""

import re
from dataclasses import dataclass

import anyio
from fastapi import Request
from starlette.requests import ClientDisconnect

from service.attachments.service import decode_name
from service.attachments.store import BlobStore, multipart_boundary, receive
from service.config import Settings
from service.errors import BadRequest

UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}}}}},
    }
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Upload:
    """The uploaded file's name (as the client gave it) and bytes."""

    name: str
    data: bytes


async def read_upload(request: Request, settings: Settings) -> Upload:
    """The `file` part of the request, streamed to a staging file and read back."""
    store = BlobStore(settings.attachments_dir)
    boundary = multipart_boundary(request.headers.get("content-type"))
    try:
        received = await receive(request.stream(), boundary, store=store, max_bytes=settings.upload_max_bytes)
    except ClientDisconnect as exc:
        raise BadRequest("上传连接中断") from exc
    try:
        data = await anyio.Path(received.blob.path).read_bytes()
    finally:
        await store.discard(received.blob.path)
    name = decode_name(received.filename).replace("\\", "/").rsplit("/", 1)[-1]
    # Control characters (a NUL cannot even be stored) have no place in a name shown in the report.
    name = _CONTROL.sub("", name).strip()
    return Upload(name[:255] or "上传文件", data)
