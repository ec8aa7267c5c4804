"""Rules for the unit hierarchy."""

import asyncpg

from schemas.units import UnitCreate, UnitMove, UnitOut, UnitUpdate
from service.errors import Conflict, NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.units import repo
from service.uow import UnitOfWork, unit_of_work
from service.versioning import require_version

ROOT_KINDS = {"city"}


def to_out(row: asyncpg.Record) -> UnitOut:
    """Unit row to API model."""
    return UnitOut(id=row["id"], code=row["code"], name=row["name"], kind=row["kind"],
                   parent_id=row["parent_id"], path_names=row["path_names"] or [],
                   depth=row["depth"], version=row["version"])


async def get_unit(pool: asyncpg.Pool, unit_id: int) -> UnitOut:
    """One unit."""
    async with pool.acquire() as conn:
        row = await repo.get(conn, unit_id)
    if row is None:
        raise NotFound("单位不存在")
    return to_out(row)


async def list_units(pool: asyncpg.Pool, parent_id: int | None, *, subtree_of: int | None,
                     limit: int, offset: int) -> list[UnitOut]:
    """Children of a unit, or a whole subtree."""
    async with pool.acquire() as conn:
        if subtree_of is not None:
            rows = await repo.subtree(conn, subtree_of, limit, offset)
        else:
            rows = (await repo.children(conn, parent_id))[offset:offset + limit]
    return [to_out(r) for r in rows]


async def create_unit(pool: asyncpg.Pool, principal: Principal, *, body: UnitCreate,
                      key: str | None) -> UnitOut:
    """Create a unit; only a city may be a root."""

    async def work(uow: UnitOfWork) -> UnitOut:
        parent = None
        if body.parent_id is not None:
            parent = await repo.get(uow.conn, body.parent_id)
            if parent is None:
                raise ValidationFailed("上级单位不存在",
                                       errors=[{"field": "parent_id", "message": "上级单位不存在"}])
        elif body.kind.value not in ROOT_KINDS:
            raise ValidationFailed("只有市级单位可以没有上级单位")
        created = await repo.insert(uow.conn, body.code, body.name, body.kind.value, parent)
        if created is None:
            raise Conflict("单位代码已存在")
        row = await repo.get(uow.conn, created["id"])
        assert row is not None
        out = to_out(row)
        await uow.record_change("unit", out.id, version=1, action="create",
                                snapshot=out.model_dump(mode="json"),
                                details={"code": body.code, "version": 1})
        return out

    out, _ = await run_idempotent(pool, principal, key, fingerprint("unit.create", body), UnitOut,
                                  work)
    return out


async def rename_unit(pool: asyncpg.Pool, principal: Principal, *, unit_id: int, body: UnitUpdate,
                      if_match: int | None) -> UnitOut:
    """Rename a unit; cadres below it are re-indexed because their unit path changed."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        before = await repo.get(uow.conn, unit_id)
        if before is None:
            raise NotFound("单位不存在")
        base.applied(await repo.rename(uow.conn, unit_id, base.version, body.name))
        row = await repo.get(uow.conn, unit_id)
        assert row is not None
        out = to_out(row)
        cadres = await repo.cadres_in_subtree(uow.conn, unit_id)
        await uow.record_change("unit", unit_id, version=out.version, action="update",
                                snapshot=out.model_dump(mode="json"),
                                changes={"name": [before["name"], body.name]},
                                reindex=[("cadre", c) for c in cadres],
                                details={"name": body.name, "version": out.version})
        return out


async def move_unit(pool: asyncpg.Pool, principal: Principal, *, unit_id: int, body: UnitMove,
                    if_match: int | None) -> UnitOut:
    """Move a unit and its subtree under another parent; scopes and search filters follow the tree."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        before = await repo.get(uow.conn, unit_id)
        if before is None:
            raise NotFound("单位不存在")
        if before["parent_id"] is None:
            raise Conflict("市级单位是整棵单位树的根，不能移动")
        parent = await repo.get(uow.conn, body.parent_id)
        if parent is None:
            missing = "上级单位不存在"
            raise ValidationFailed(missing, errors=[{"field": "parent_id", "message": missing}])
        if unit_id in parent["ancestor_ids"]:
            message = "不能把单位移动到它自己或它的下级单位之下"
            raise ValidationFailed(message, errors=[{"field": "parent_id", "message": message}])
        base.applied(await repo.move_subtree(uow.conn, unit_id, base.version, parent))
        row = await repo.get(uow.conn, unit_id)
        assert row is not None
        out = to_out(row)
        cadres = await repo.cadres_in_subtree(uow.conn, unit_id)
        await uow.record_change("unit", unit_id, version=out.version, action="move",
                                snapshot=out.model_dump(mode="json"),
                                changes={"parent_id": [before["parent_id"], body.parent_id]},
                                reindex=[("cadre", c) for c in cadres],
                                details={"from_parent_id": before["parent_id"], "parent_id": body.parent_id,
                                         "version": out.version})
        return out
