"""The backup file: a tar of the dump, the attachment blobs, the checkpoints and manifest.json.

manifest.json is the last member and names every other member with its SHA-256 and size,
so a restore refuses a file that was truncated, corrupted or tampered with.
"""

import hashlib
import io
import json
import os
import tarfile
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

FORMAT = "cadre-backup/1"
MANIFEST = "manifest.json"
DUMP = "db.dump"
CHUNK = 1 << 20


class BadArchive(ValueError):
    """The backup file is not one of ours, or does not match its manifest."""


@dataclass
class Manifest:
    """What a backup holds, for checking it and the restored instance against it."""

    created_at: str
    postgres_major: int
    schema_revision: str | None
    tables: dict[str, int]
    audit: dict[str, Any]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    format: str = FORMAT


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Writer:
    """Adds files to the backup tar, recording their digests; manifest last."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data
        self.out = os.fdopen(fd, "wb")
        self.tar = tarfile.open(fileobj=self.out, mode="w|")
        self.files: dict[str, dict[str, Any]] = {}

    def add(self, source: Path, name: str) -> None:
        """Add one regular file under name (a relative POSIX path)."""
        self.files[name] = {"sha256": sha256_of(source), "size": source.stat().st_size}
        info = tarfile.TarInfo(name)
        info.size = self.files[name]["size"]
        info.mode = 0o600
        with source.open("rb") as fh:
            self.tar.addfile(info, fh)

    def finish(self, manifest: Manifest) -> None:
        """Write the manifest and close the file (fsynced)."""
        manifest.files = self.files
        data = json.dumps(asdict(manifest), ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mode = 0o600
        self.tar.addfile(info, io.BytesIO(data))
        self.tar.close()
        self.out.flush()
        os.fsync(self.out.fileno())
        self.out.close()


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BadArchive(f"备份文件中有不安全的路径：{name!r}")
    return str(path)


def extract(archive: Path, target: Path) -> Manifest:
    """Unpack into target (regular files only) and check every file against the manifest."""
    target.mkdir(parents=True, exist_ok=True)
    manifest_data: bytes | None = None
    seen: set[str] = set()
    try:
        with tarfile.open(archive, mode="r|") as tar:
            for member in tar:
                name = _safe_name(member.name)
                if not member.isfile():
                    raise BadArchive(f"备份文件中有非普通文件：{name!r}")
                source = tar.extractfile(member)
                assert source is not None
                if name == MANIFEST:
                    manifest_data = source.read()
                    continue
                out = target / name
                out.parent.mkdir(parents=True, exist_ok=True)
                with out.open("wb") as fh:
                    while chunk := source.read(CHUNK):
                        fh.write(chunk)
                seen.add(name)
    except (tarfile.TarError, EOFError) as exc:
        raise BadArchive(f"备份文件损坏或不完整：{exc}") from exc
    if manifest_data is None:
        raise BadArchive("备份文件没有 manifest.json（不完整或不是 cadre 备份）")
    raw = json.loads(manifest_data)
    if raw.get("format") != FORMAT:
        raise BadArchive(f"不支持的备份格式：{raw.get('format')!r}")
    manifest = Manifest(**raw)
    if set(manifest.files) != seen:
        raise BadArchive(f"备份内容与清单不符：缺少 {sorted(set(manifest.files) - seen)[:5]}，"
                         f"多出 {sorted(seen - set(manifest.files))[:5]}")
    for name, meta in manifest.files.items():
        if sha256_of(target / name) != meta["sha256"]:
            raise BadArchive(f"备份中的 {name} 与清单的 SHA-256 不符（文件损坏或被改动）")
    return manifest
