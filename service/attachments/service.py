"""Rules for attachments: allowed types by content, safe names, storage, scoped reads."""

import logging
import re
import unicodedata
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import anyio
import anyio.to_thread
import asyncpg
import filetype
from starlette.requests import ClientDisconnect

from schemas.attachments import AttachmentOut
from schemas.national_id import mask_national_ids_in
from service.attachments import repo
from service.attachments.store import BlobStore, StagedBlob, multipart_boundary, receive
from service.cadres.service import sees_sensitive
from service.config import Settings
from service.errors import BadRequest, NotFound, UnsupportedMediaType
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.uow import UnitOfWork, unit_of_work

log = logging.getLogger("cadre.attachments")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The allow-list: sniffed MIME type -> (label shown to users, extension for unnamed files).
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    "image/jpeg": ("JPEG 图片", "jpg"),
    "image/png": ("PNG 图片", "png"),
    "image/webp": ("WEBP 图片", "webp"),
    "application/pdf": ("PDF 文档", "pdf"),
    DOCX: ("Word 文档（docx）", "docx"),
    XLSX: ("Excel 表格（xlsx）", "xlsx"),
}
# Zip members that identify an Office Open XML package, checked in the central directory.
OOXML_MAIN_PART = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
ZIP_MAGIC = b"PK\x03\x04"
MAX_NAME_CHARS = 255
# Other spellings of an allowed type's extension that a name may keep.
_EXTENSION_ALIASES = {"jpg": {"jpg", "jpeg", "jpe"}}
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _ooxml_type(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    found = {OOXML_MAIN_PART[n] for n in names if n in OOXML_MAIN_PART}
    return found.pop() if len(found) == 1 else None


async def sniff(blob: StagedBlob) -> str:
    """The file's type judged by its content alone, or 415 if it is not on the allow-list."""
    if blob.head.startswith(ZIP_MAGIC):
        # filetype only looks at the first few local headers; the central directory is decisive.
        mime = await anyio.to_thread.run_sync(_ooxml_type, blob.path)
    else:
        kind = filetype.guess(blob.head)
        mime = kind.mime if kind is not None else None
    if mime is None or mime not in ALLOWED_TYPES:
        labels = "、".join(label for label, _ in ALLOWED_TYPES.values())
        raise UnsupportedMediaType(f"不支持的文件类型（按文件内容识别），仅允许：{labels}",
                                   allowed=sorted(ALLOWED_TYPES))
    return mime


@asynccontextmanager
async def xlsx_upload(chunks: AsyncIterator[bytes], content_type: str | None, *,
                      settings: Settings) -> AsyncIterator[Path]:
    """A multipart .xlsx upload spooled to a staged blob (400 when cut off, 415 when no .xlsx),
    discarded when the block ends."""
    store = BlobStore(settings.attachments_dir)
    try:
        received = await receive(chunks, multipart_boundary(content_type), store=store,
                                 max_bytes=settings.request_max_bytes)
    except ClientDisconnect as exc:
        raise BadRequest("上传连接中断") from exc
    blob = received.blob
    try:
        try:
            mime = await sniff(blob)
        except UnsupportedMediaType:
            mime = None  # the attachment allow-list's message would name images and PDFs here
        if mime != XLSX:
            raise UnsupportedMediaType("请上传 Excel 表格（.xlsx）", allowed=[XLSX])
        yield blob.path
    finally:
        await store.discard(blob.path)


def decode_name(raw: bytes | None) -> str:
    """A client-sent file name as text (UTF-8, or GB18030 from older Chinese Windows clients)."""
    if not raw:
        return ""
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        name = raw.decode("gb18030", errors="replace")
    # Browsers (WHATWG form encoding) and httpx escape exactly these three in file names.
    return name.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


def sanitize_name(name: str, content_type: str) -> str:
    """A safe name to store and offer for download: the last path component, without control or
    reserved characters, not hidden, at most 255 characters, and ending in the extension of the
    type sniffed from the content (`报告.html` that is a PNG is stored as `报告.png`)."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    name = re.sub(r"[<>:|?*]", "_", name).strip().lstrip(".").strip()
    ext = ALLOWED_TYPES[content_type][1]
    stem, dot, given = name.rpartition(".")
    if not dot:
        stem = name
    elif given.lower() in _EXTENSION_ALIASES.get(ext, {ext}):
        ext = given  # the client's spelling of the right extension (.JPEG, .jpeg) is kept
    stem = stem.rstrip(". ") or "未命名附件"
    return stem[: MAX_NAME_CHARS - len(ext) - 1] + "." + ext


def content_disposition(name: str) -> str:
    """An attachment disposition with an ASCII fallback and the RFC 5987 UTF-8 name."""
    fallback = "".join(ch if " " <= ch < "\x7f" and ch not in '"\\%;' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def to_out(row: asyncpg.Record) -> AttachmentOut:
    """Attachment row to API model."""
    return AttachmentOut(**dict(row))


async def upload(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                 content_type: str | None, chunks: AsyncIterator[bytes],
                 key: str | None) -> AttachmentOut:
    """Receive one file, accept it only by its content, store it once, and record the upload."""
    store = BlobStore(settings.attachments_dir)
    boundary = multipart_boundary(content_type)
    try:
        received = await receive(chunks, boundary, store=store, max_bytes=settings.upload_max_bytes)
    except ClientDisconnect as exc:
        raise BadRequest("上传连接中断") from exc
    blob = received.blob
    try:
        mime = await sniff(blob)
        name = sanitize_name(decode_name(received.filename), mime)

        async def work(uow: UnitOfWork) -> AttachmentOut:
            # Into the store inside the transaction (a replay never gets here), but before the
            # row commits, so no committed row ever points at a missing blob.
            await store.commit(blob)
            row = await repo.insert(uow.conn, blob.sha256, blob.size, mime, name, principal.user_id)
            uow.audit("attachment.upload", "attachment", row["id"],
                      {"sha256": blob.sha256, "size": blob.size})
            return to_out(row)

        request_hash = fingerprint("attachment.upload",
                                   {"sha256": blob.sha256, "name": name, "size": blob.size})
        out, _ = await run_idempotent(pool, principal, key, request_hash, AttachmentOut, work)
        return out
    finally:
        # Gone already if committed; otherwise this upload leaves nothing behind.
        await store.discard(blob.path)


async def get_attachment(pool: asyncpg.Pool, principal: Principal, attachment_id: int) -> AttachmentOut:
    """Metadata of an attachment the principal may read."""
    async with pool.acquire() as conn:
        row = await repo.get_visible(conn, principal, attachment_id)
    if row is None:
        raise NotFound("附件不存在")
    return to_out(row)


async def open_download(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                        attachment_id: int) -> tuple[AttachmentOut, Path]:
    """A readable attachment and the path of its blob; the download is audited."""
    store = BlobStore(settings.attachments_dir)
    async with unit_of_work(pool, principal) as uow:
        row = await repo.get_visible(uow.conn, principal, attachment_id)
        if row is None:
            raise NotFound("附件不存在")
        item = to_out(row)
        path = store.path_for(item.sha256)
        if not await anyio.Path(path).is_file():
            # A row without its blob is a storage fault to investigate, not a missing object.
            log.error("attachment blob missing", extra={"attachment_id": item.id,
                                                        "sha256": item.sha256})
            raise RuntimeError(f"blob of attachment {item.id} is missing")
        uow.audit("attachment.download", "attachment", item.id,
                  {"sha256": item.sha256, "size": item.size_bytes})
    if not sees_sensitive(principal):
        # The name goes out in a header, which the answer masking (service/id_masking.py) never
        # sees: an ID number typed into it is masked here for every role but officers.
        item = item.model_copy(update={"original_name": mask_national_ids_in(item.original_name)})
    return item, path
