"""Many dossiers into one zip: the work of a batch job and of `cadre export dossiers` alike.

Each PDF inside is an export of its own (serial, exports row, audit entry). Cadres the
requester may not read are skipped and listed as not found, exactly like ids that do
not exist, so the zip never tells which of them exist.
"""

import hashlib
import json
import os
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import asyncpg

from schemas import clock
from service.config import Settings
from service.dossier.service import export_dossier
from service.exports.service import in_render_thread
from service.pdf.formatting import to_beijing
from service.principal import Principal

MANIFEST = "manifest.json"
# Called after each cadre with (done, exported, not_found); False stops the batch.
Progress = Callable[[int, int, list[int]], Awaitable[bool]]


class BatchAborted(RuntimeError):
    """The progress callback asked to stop (e.g. the job's lease went to another worker)."""


@dataclass
class ZipEntry:
    """One PDF in the zip."""

    file: str
    cadre_id: int
    serial: str
    sha256: str
    size: int


@dataclass
class BatchOutcome:
    """What went into the zip, what was skipped, and the zip's own digest."""

    path: Path
    entries: list[ZipEntry] = field(default_factory=list)
    not_found: list[int] = field(default_factory=list)
    sha256: str = ""
    size: int = 0


def unique_ids(ids: list[int]) -> list[int]:
    """The ids in first-seen order without repeats."""
    return list(dict.fromkeys(ids))


def _file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest(), path.stat().st_size


def _zip_info(name: str, at: datetime) -> zipfile.ZipInfo:
    local = to_beijing(at)
    info = zipfile.ZipInfo(name, date_time=(local.year, local.month, local.day, local.hour,
                                            local.minute, local.second))
    # PDFs are compressed already; storing keeps the job cheap and the bytes as audited.
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def _manifest(principal: Principal, job_id: int | None, started: datetime,
              outcome: BatchOutcome) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "exported_by": {"username": principal.username, "display_name": principal.display_name},
        "exported_at": started.isoformat(),
        "files": [asdict(e) for e in outcome.entries],
        "not_found": outcome.not_found,
        "note": "未找到：编号不存在或不在导出人的查阅范围内（二者不作区分）。",
    }


async def write_dossier_zip(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                            cadre_ids: list[int], out: Path, job_id: int | None = None,
                            progress: Progress | None = None, part_suffix: str = "") -> BatchOutcome:
    """Export each readable cadre's dossier into the zip at `out` (written whole, then renamed).

    The zip is built in `out` + `.part` + suffix and only renamed into place by the caller
    (`finalize`), so a reader never sees a half-written file.
    """
    ids = unique_ids(cadre_ids)
    started = clock.now()
    part = out.with_name(f"{out.name}{part_suffix}.part")
    await anyio.Path(part.parent).mkdir(parents=True, exist_ok=True)
    outcome = BatchOutcome(path=part)
    archive = await in_render_thread(zipfile.ZipFile, part, "w")
    try:
        for done, cadre_id in enumerate(ids, start=1):
            issued = await export_dossier(pool, principal, settings=settings, cadre_id=cadre_id,
                                          job_id=job_id)
            if issued is None:
                outcome.not_found.append(cadre_id)
            else:
                name = f"{len(outcome.entries) + 1:03d}_{issued.filename}"
                await in_render_thread(archive.writestr, _zip_info(name, issued.exported_at),
                                       issued.pdf)
                outcome.entries.append(ZipEntry(name, cadre_id, issued.serial, issued.sha256,
                                                len(issued.pdf)))
            if progress is not None and not await progress(done, len(outcome.entries),
                                                           list(outcome.not_found)):
                raise BatchAborted(f"batch stopped after {done} of {len(ids)}")
        manifest = json.dumps(_manifest(principal, job_id, started, outcome), ensure_ascii=False,
                              indent=2)
        await in_render_thread(archive.writestr, _zip_info(MANIFEST, started), manifest.encode())
        await in_render_thread(archive.close)
    except BaseException:
        archive.close()
        await anyio.Path(part).unlink(missing_ok=True)
        raise
    outcome.sha256, outcome.size = await in_render_thread(_file_digest, part)
    return outcome


def finalize(outcome: BatchOutcome, out: Path) -> None:
    """Move the finished zip into place (atomic on one file system)."""
    os.replace(outcome.path, out)
    outcome.path = out
