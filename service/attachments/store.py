"""Content-addressed blob store on disk, and the streaming receiver of multipart uploads."""

import hashlib
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import anyio.to_thread
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from service.errors import PayloadTooLarge, ValidationFailed

FILE_FIELD = b"file"
HEAD_BYTES = 8192
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
log = logging.getLogger("cadre.attachments")
_FORM_HINT = "请以 multipart/form-data 格式上传，文件字段名为 file"


@dataclass
class StagedBlob:
    """An upload written to a temp file, with its digest, size and first bytes."""

    path: Path
    sha256: str
    size: int
    head: bytes


@dataclass
class Received:
    """The staged file part of an upload and the file name the client gave (raw bytes)."""

    blob: StagedBlob
    filename: bytes | None


def private_dirs(root: Path, leaf: Path) -> None:
    """Create root and every directory down to leaf readable by the service's user only (0700)."""
    parts = leaf.relative_to(root).parts
    for path in (root, *(root.joinpath(*parts[:i]) for i in range(1, len(parts) + 1))):
        path.mkdir(mode=0o700, exist_ok=True)
        if path.stat().st_mode & 0o077:  # made before this rule, or under a lax umask
            try:
                path.chmod(0o700)
            except OSError:  # a read-only store: writing into it fails next, and is answered
                log.warning("cannot make %s private (0700)", path)


class BlobStore:
    """Files named by their SHA-256 under root/ab/cd/abcd…; uploads are staged in root/tmp."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp_dir = root / "tmp"

    def path_for(self, sha256: str) -> Path:
        """Where the blob with this digest lives."""
        if not _SHA256.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    async def commit(self, blob: StagedBlob) -> bool:
        """Move a staged blob into place; False if identical content was already stored."""
        return await anyio.to_thread.run_sync(self._commit, blob)

    def _commit(self, blob: StagedBlob) -> bool:
        final = self.path_for(blob.sha256)
        if final.exists():
            blob.path.unlink(missing_ok=True)
            return False
        private_dirs(self.root, final.parent)
        # Same content under the same name, so a concurrent identical commit is harmless.
        os.replace(blob.path, final)
        return True

    async def discard(self, path: Path) -> None:
        """Remove a staged file if it is still there."""
        await anyio.Path(path).unlink(missing_ok=True)


def multipart_boundary(content_type: str | None) -> bytes:
    """The boundary of a multipart/form-data request, or a 422 problem."""
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary", b"")
    if kind != b"multipart/form-data" or not boundary:
        raise ValidationFailed(f"请求格式错误：{_FORM_HINT}")
    return boundary


@dataclass
class _FormState:
    """What the parser callbacks have seen so far; they run synchronously inside write()."""

    max_bytes: int
    header_name: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    headers: dict[bytes, bytes] = field(default_factory=dict)
    in_file: bool = False
    file_seen: bool = False
    file_done: bool = False
    ended: bool = False
    filename: bytes | None = None
    size: int = 0
    head: bytearray = field(default_factory=bytearray)
    digest: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    pending: list[bytes] = field(default_factory=list)

    def on_part_begin(self) -> None:
        self.headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[bytes(self.header_name).strip().lower()] = bytes(self.header_value).strip()
        self.header_name.clear()
        self.header_value.clear()

    def on_headers_finished(self) -> None:
        disposition = self.headers.get(b"content-disposition", b"").decode("latin-1")
        _, params = parse_options_header(disposition)
        if params.get(b"name") != FILE_FIELD:
            return
        if self.file_seen:
            raise ValidationFailed("一次只能上传一个文件（字段 file 出现了多次）")
        self.file_seen = self.in_file = True
        self.filename = params.get(b"filename")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self.in_file:
            return
        chunk = data[start:end]
        self.size += len(chunk)
        # Checked per parsed slice, before anything past the limit reaches the disk.
        if self.size > self.max_bytes:
            raise PayloadTooLarge(f"文件超过大小限制（最大 {self.max_bytes / 1048576:g} MB）",
                                  max_bytes=self.max_bytes)
        self.digest.update(chunk)
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        self.pending.append(chunk)

    def on_part_end(self) -> None:
        if self.in_file:
            self.in_file = False
            self.file_done = True

    def on_end(self) -> None:
        self.ended = True


async def receive(chunks: AsyncIterator[bytes], boundary: bytes, *, store: BlobStore,
                  max_bytes: int) -> Received:
    """Stream the `file` part of a multipart body into a temp file, hashing and counting it."""
    state = _FormState(max_bytes)
    try:
        parser = MultipartParser(boundary, {
            "on_part_begin": state.on_part_begin, "on_header_field": state.on_header_field,
            "on_header_value": state.on_header_value, "on_header_end": state.on_header_end,
            "on_headers_finished": state.on_headers_finished, "on_part_data": state.on_part_data,
            "on_part_end": state.on_part_end, "on_end": state.on_end,
        })
    except FormParserError as exc:
        raise ValidationFailed(f"multipart 边界无效：{_FORM_HINT}") from exc
    await anyio.to_thread.run_sync(private_dirs, store.root, store.tmp_dir)
    path = store.tmp_dir / f"{uuid.uuid4().hex}.part"
    try:
        async with await anyio.open_file(path, "xb") as out:
            # Readable by the service's user only, before any byte is written (kept by the rename).
            os.fchmod(out.wrapped.fileno(), 0o600)
            async for chunk in chunks:
                try:
                    parser.write(chunk)
                except FormParserError as exc:
                    raise ValidationFailed(f"multipart 内容格式错误：{_FORM_HINT}") from exc
                for piece in state.pending:
                    await out.write(piece)
                state.pending.clear()
            await out.flush()
            # Durable before the rename into the store, so a crash never leaves a torn blob.
            await anyio.to_thread.run_sync(os.fsync, out.wrapped.fileno())
        if not state.file_seen:
            raise ValidationFailed(f"缺少文件：{_FORM_HINT}",
                                   errors=[{"field": "file", "message": "必填项缺失"}])
        if not (state.file_done and state.ended):
            raise ValidationFailed("上传内容不完整（multipart 未正常结束）")
        if state.size == 0:
            raise ValidationFailed("文件为空", errors=[{"field": "file", "message": "文件为空"}])
    except BaseException:
        await store.discard(path)
        raise
    blob = StagedBlob(path, state.digest.hexdigest(), state.size, bytes(state.head))
    return Received(blob, state.filename)
