"""Family members: officers only, within scope; every read and write is audited."""

import asyncpg

from schemas.common import Role
from schemas.family import FamilyMemberIn, FamilyMemberOut
from service.errors import NotFound
from service.family import repo
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.uow import UnitOfWork, unit_of_work


def _out(row: asyncpg.Record) -> FamilyMemberOut:
    return FamilyMemberOut(**{k: row[k] for k in FamilyMemberOut.model_fields})


async def _require(uow: UnitOfWork, cadre_id: int, lock: bool = False) -> None:
    # The route already admits officers only; the check here keeps the rule if it is reused.
    if uow.principal.role is not Role.officer or not await repo.cadre_manageable(
            uow.conn, uow.principal, cadre_id, lock):
        raise NotFound("干部不存在")


async def list_members(pool: asyncpg.Pool, principal: Principal,
                       cadre_id: int) -> list[FamilyMemberOut]:
    """A readable cadre's family members (the read is audited)."""
    async with unit_of_work(pool, principal) as uow:
        await _require(uow, cadre_id)
        rows = await repo.of_cadre(uow.conn, cadre_id)
        uow.audit("family.read", "cadre", cadre_id, {"count": len(rows)})
        return [_out(r) for r in rows]


async def add_member(pool: asyncpg.Pool, principal: Principal, *, cadre_id: int,
                     body: FamilyMemberIn, key: str | None) -> FamilyMemberOut:
    """Add a family member to a cadre in the officer's scope, with a revision."""

    async def work(uow: UnitOfWork) -> FamilyMemberOut:
        await _require(uow, cadre_id, lock=True)
        out = _out(await repo.insert(uow.conn, cadre_id, body.model_dump(), principal.user_id))
        await uow.record_change("family_member", out.id, version=out.version, action="create",
                                snapshot=out.model_dump(mode="json"), audit="family.create",
                                details={"cadre_id": cadre_id, "version": out.version})
        return out

    out, _ = await run_idempotent(pool, principal, key,
                                  fingerprint(f"cadre.{cadre_id}.family", body), FamilyMemberOut, work)
    return out
