"""Rules for positions: scope, versions, revisions, and eligibility listings."""

from datetime import date
from typing import Any

import asyncpg

from schemas import clock
from schemas.positions import (
    CadreEligibility,
    EligibilityPage,
    EligibilityPreview,
    EligibilityPreviewIn,
    PositionCreate,
    PositionOut,
    PositionPage,
    PositionUpdate,
    RuleCount,
    Rules,
)
from schemas.records import RevisionOut
from service.cadres import repo as cadres_repo
from service.errors import NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.positions import explain, repo
from service.principal import Principal
from service.revisions import diff_snapshots, list_revisions
from service.uow import UnitOfWork, audited_revisions, unit_of_work
from service.versioning import require_version


def to_out(row: asyncpg.Record) -> PositionOut:
    """Position row to API model."""
    return PositionOut(**{k: row[k] for k in PositionOut.model_fields})


def _fields(body: PositionCreate | PositionUpdate) -> dict[str, Any]:
    return {"unit_id": body.unit_id, "title": body.title,
            "post_level": body.post_level.value if body.post_level else None,
            "tier": body.tier.value, "category": body.category, "is_elected": body.is_elected,
            "reference_date": body.reference_date or clock.today(),
            "rules": body.rules.model_dump(mode="json"), "weights": body.weights.model_dump(mode="json")}


async def _check_unit(uow: UnitOfWork, unit_id: int, tier: str) -> None:
    if not await cadres_repo.unit_manageable(uow.conn, uow.principal, unit_id, tier):
        raise ValidationFailed("单位不存在或不在您的管理范围内",
                               errors=[{"field": "unit_id", "message": "单位不在管理范围内"}])


async def load(conn: asyncpg.Connection, principal: Principal, *, position_id: int,
               lock: bool = False) -> PositionOut:
    """A position in scope, or 404."""
    row = await repo.get_visible(conn, principal, position_id, lock)
    if row is None:
        raise NotFound("拟任职务不存在")
    return to_out(row)


async def _changed(uow: UnitOfWork, out: PositionOut, action: str,
                   changes: dict[str, Any] | None = None) -> None:
    await uow.record_change("position", out.id, version=out.version, action=action,
                            snapshot=out.model_dump(mode="json"), changes=changes)


async def create_position(pool: asyncpg.Pool, principal: Principal, *, body: PositionCreate,
                          key: str | None) -> PositionOut:
    """Create a position in a unit within the officer's scope."""

    async def work(uow: UnitOfWork) -> PositionOut:
        await _check_unit(uow, body.unit_id, body.tier.value)
        position_id = await repo.insert(uow.conn, _fields(body), principal.user_id)
        out = await load(uow.conn, principal, position_id=position_id)
        await _changed(uow, out, "create")
        return out

    out, _ = await run_idempotent(pool, principal, key, fingerprint("position.create", body),
                                  PositionOut, work)
    return out


async def update_position(pool: asyncpg.Pool, principal: Principal, *, position_id: int,
                          body: PositionUpdate, if_match: int | None) -> PositionOut:
    """Replace a position's rules and weights, refusing a stale version."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        before = await load(uow.conn, principal, position_id=position_id, lock=True)
        base.check(before.version)
        await _check_unit(uow, body.unit_id, body.tier.value)
        await repo.update(uow.conn, position_id, base.version, _fields(body), body.status)
        out = await load(uow.conn, principal, position_id=position_id)
        changes = diff_snapshots(before.model_dump(mode="json"), out.model_dump(mode="json"))
        await _changed(uow, out, "update", changes)
        return out


async def get_position(pool: asyncpg.Pool, principal: Principal, position_id: int) -> PositionOut:
    """One position in scope."""
    async with pool.acquire() as conn:
        return await load(conn, principal, position_id=position_id)


async def list_positions(pool: asyncpg.Pool, principal: Principal, *, status: str | None,
                         limit: int, offset: int) -> PositionPage:
    """Positions in scope."""
    async with pool.acquire() as conn:
        rows, total = await repo.list_visible(conn, principal, status, limit, offset)
    return PositionPage(items=[to_out(r) for r in rows], total=total, limit=limit, offset=offset)


async def position_revisions(pool: asyncpg.Pool, principal: Principal,
                             position_id: int) -> list[RevisionOut]:
    """The revision history of a position."""
    async with pool.acquire() as conn:
        await load(conn, principal, position_id=position_id)
        out = [RevisionOut(**dict(r)) for r in await list_revisions(conn, "position", position_id)]
    await audited_revisions(pool, principal, "position", position_id, out)
    return out


async def check_cadres(conn: asyncpg.Connection, principal: Principal, *, rules: Rules,
                       reference_date: date, ids: list[int]) -> list[CadreEligibility]:
    """Every rule's outcome for the given readable, active cadres (others are left out)."""
    if not ids:
        return []
    rows, built = await repo.rule_outcomes(conn, principal, rules=rules, reference_date=reference_date,
                                           ids=ids, limit=len(ids))
    return [explain.outcomes(r, built, rules=rules, ref=reference_date) for r in rows]


async def eligibility_page(pool: asyncpg.Pool, principal: Principal, *, position_id: int, which: str,
                           cadre_id: int | None, limit: int, offset: int) -> EligibilityPage:
    """Cadres in scope checked against the position's rules, with the rules they fail (audited)."""
    async with unit_of_work(pool, principal) as uow:
        position = await load(uow.conn, principal, position_id=position_id)
        ref = position.reference_date
        rows, built = await repo.rule_outcomes(
            uow.conn, principal, rules=position.rules, reference_date=ref,
            ids=[cadre_id] if cadre_id else None, which=which, limit=limit, offset=offset)
        eligible_total = await repo.eligible_count(uow.conn, principal, position.rules, ref)
        uow.audit("position.eligibility.read", "position", position_id,
                  {"which": which, "cadre_id": cadre_id, "offset": offset})
    return EligibilityPage(position_id=position_id, reference_date=ref, eligible_total=eligible_total,
                           items=[explain.outcomes(r, built, rules=position.rules, ref=ref) for r in rows],
                           total=rows[0]["total"] if rows else 0, limit=limit, offset=offset)


async def eligibility_preview(pool: asyncpg.Pool, principal: Principal,
                              body: EligibilityPreviewIn) -> EligibilityPreview:
    """How many cadres in scope the rules admit, overall and rule by rule (counts only, no names)."""
    ref = body.reference_date or clock.today()
    async with pool.acquire() as conn:
        row, built = await repo.preview_counts(conn, principal, body.rules, ref)
    return EligibilityPreview(reference_date=ref, pool=row["pool"], eligible=row["eligible"],
                              rules=[RuleCount(rule=r.key, label=r.label, passed=row[f"p_{r.key}"])
                                     for r in built])
