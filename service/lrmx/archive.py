"""Reading an upload that is one .lrmx file or a zip of many (entry names may be GBK)."""

import io
import lzma
import zipfile
import zlib
from dataclasses import dataclass

from service.lrmx.reader import MAX_FILE_BYTES

MAX_ENTRIES = 2000
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200  # a higher compression ratio than this is a zip bomb, not a form
ZIP_MAGIC = b"PK\x03\x04"
UTF8_FLAG = 0x800


class ArchiveError(ValueError):
    """The upload cannot be read (the message is for the user)."""


@dataclass(frozen=True)
class Member:
    """One .lrmx file of the upload."""

    name: str
    data: bytes


def _name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    # zipfile decoded the raw bytes as cp437; Chinese Windows wrote them in GBK.
    raw = info.filename.encode("cp437", errors="replace")
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return info.filename


def members(data: bytes, upload_name: str) -> list[Member]:
    """The .lrmx files of the upload, in name order (other zip entries are ignored)."""
    if not data.startswith(ZIP_MAGIC):
        return [Member(upload_name or "未命名.lrmx", data)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ArchiveError("zip 文件已损坏，无法读取") from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        picked = []
        for info in infos:
            name = _name(info)
            base = name.replace("\\", "/").rsplit("/", 1)[-1]
            if base.startswith((".", "__MACOSX")) or "__MACOSX/" in name:
                continue
            if base.lower().endswith((".lrmx", ".xml")):
                picked.append((name, info))
        if not picked:
            raise ArchiveError("zip 中没有 .lrmx 文件")
        if len(picked) > MAX_ENTRIES:
            raise ArchiveError(f"zip 中的 .lrmx 文件不能超过 {MAX_ENTRIES} 个")
        total = sum(i.file_size for _, i in picked)
        if total > MAX_TOTAL_BYTES:
            raise ArchiveError("zip 解压后过大")
        out = []
        for name, info in sorted(picked, key=lambda p: p[0]):
            if info.file_size > MAX_FILE_BYTES:
                raise ArchiveError(f"{name}：单个文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise ArchiveError(f"{name}：压缩比异常，拒绝解压")
            try:
                with archive.open(info) as handle:
                    content = handle.read(MAX_FILE_BYTES + 1)
            # A damaged member fails inside its decompressor: zlib.error (deflate), OSError (bzip2),
            # LZMAError, or EOFError when the stream ends early; all mean "cannot be unpacked".
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, OSError, EOFError,
                    lzma.LZMAError) as exc:
                raise ArchiveError(f"{name}：无法解压（已加密或已损坏）") from exc
            if len(content) > MAX_FILE_BYTES:
                raise ArchiveError(f"{name}：单个文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
            out.append(Member(name, content))
        return out


def build_zip(files: list[tuple[str, bytes]]) -> bytes:
    """A zip of named files, names stored as UTF-8 (flagged, so every unzip tool reads them)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        seen: set[str] = set()
        for name, content in files:
            unique, n = name, 1
            while unique in seen:
                n += 1
                stem, dot, ext = name.rpartition(".")
                unique = f"{stem}（{n}）.{ext}" if dot else f"{name}（{n}）"
            seen.add(unique)
            archive.writestr(unique, content)
    return buffer.getvalue()
