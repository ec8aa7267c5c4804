"""The original files a cadre was imported from (provenance): listed and downloaded by officers in scope."""

from pathlib import Path

import anyio
import asyncpg

from schemas.formats import SourceFileOut
from service.attachments.store import BlobStore
from service.cadres import repo as cadres_repo
from service.config import Settings
from service.errors import NotFound
from service.forms import repo
from service.principal import Principal
from service.uow import unit_of_work


async def list_sources(pool: asyncpg.Pool, principal: Principal, cadre_id: int) -> list[SourceFileOut]:
    """The cadre's source files, newest first (the read is audited)."""
    async with unit_of_work(pool, principal) as uow:
        if await cadres_repo.get_visible(uow.conn, principal, cadre_id) is None:
            raise NotFound("干部不存在")
        rows = await repo.sources(uow.conn, cadre_id)
        uow.audit("cadre.sources.read", "cadre", cadre_id, {"count": len(rows)})
    return [SourceFileOut(id=r["id"], import_id=r["import_id"], file_name=r["file_name"], sha256=r["sha256"],
                          created_at=r["created_at"],
                          content_url=f"/api/cadres/{cadre_id}/sources/{r['id']}/content") for r in rows]


async def open_source(pool: asyncpg.Pool, principal: Principal, *, settings: Settings, cadre_id: int,
                      source_id: int) -> tuple[str, Path]:
    """The name and stored path of one source file (the download is audited)."""
    async with unit_of_work(pool, principal) as uow:
        if await cadres_repo.get_visible(uow.conn, principal, cadre_id) is None:
            raise NotFound("文件不存在")
        row = await repo.source(uow.conn, cadre_id, source_id)
        if row is None:
            raise NotFound("文件不存在")
        path = BlobStore(settings.attachments_dir).path_for(row["sha256"])
        if not await anyio.Path(path).is_file():
            raise RuntimeError(f"blob of source file {source_id} is missing")
        uow.audit("cadre.source.download", "cadre", cadre_id,
                  {"source_id": source_id, "sha256": row["sha256"]})
    return row["file_name"].rsplit("/", 1)[-1], path
