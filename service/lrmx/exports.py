"""Exporting cadres as .lrmx: one file, or a zip for a selection or shortlist."""

import asyncpg
from fastapi import Response

from schemas import clock
from schemas.formats import SelectionIn
from service.config import Settings
from service.errors import NotFound, ValidationFailed
from service.forms.exporting import MEDIA, download, register
from service.lrmx.archive import build_zip
from service.lrmx.service import lrmx_files, promotion_fields
from service.principal import Principal
from service.shortlists.pdf import shortlist_cadre_ids


async def selection_ids(conn: asyncpg.Connection, principal: Principal, body: SelectionIn) -> list[int]:
    """The cadre ids a selection names (a shortlist's in rank order), without repeats."""
    if body.shortlist_id is not None:
        if body.version is None:
            raise ValidationFailed("请指定名单版本", errors=[{"field": "version", "message": "必填"}])
        ids = await shortlist_cadre_ids(conn, principal, position_id=body.shortlist_id,
                                        version=body.version)
        if ids is None:
            raise NotFound("该版本的候选人名单不存在")
        return ids
    return list(dict.fromkeys(body.cadre_ids))


async def selected(conn: asyncpg.Connection, principal: Principal,
                   body: SelectionIn) -> tuple[list[int], dict[str, str]]:
    """The cadre ids of a selection (or a promotion's cadre with its form overrides); never empty."""
    if body.promotion_id is not None:
        cadre_id, overrides = await promotion_fields(conn, principal, body.promotion_id)
        return [cadre_id], overrides
    ids = await selection_ids(conn, principal, body)
    if not ids:
        raise ValidationFailed("请选择要导出的干部", errors=[{"field": "cadre_ids", "message": "不能为空"}])
    return ids, {}


async def export_response(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                          body: SelectionIn) -> Response:
    """The .lrmx (one cadre) or zip (several) of a selection, registered and audited."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        ids, overrides = await selected(conn, principal, body)
        files, missing = await lrmx_files(conn, principal, settings=settings, cadre_ids=ids,
                                          overrides=overrides)
    if not files:
        raise NotFound("干部不存在")
    exported_at = clock.now()
    single = len(ids) == 1
    data = files[0][1] if single else build_zip(files)
    found = [i for i in ids if i not in missing]
    serial = await register(pool, principal, kind="lrmx", object_ids=found, data=data,
                            exported_at=exported_at,
                            details={"files": len(files), "not_found": missing,
                                     "promotion_id": body.promotion_id})
    if single:
        return download(data, f"{files[0][0].removesuffix('.lrmx')}_{serial}.lrmx", media=MEDIA["lrmx"],
                        serial=serial)
    return download(data, f"任免审批表_{len(files)}人_{serial}.zip", media=MEDIA["zip"], serial=serial)
