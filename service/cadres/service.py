"""Rules for the cadre registry: scope, sensitive fields, versions and revisions."""

from typing import Any

import asyncpg

from schemas.cadres import (
    RESTRICTED_TITLE,
    AppraisalIn,
    CadreCreate,
    CadreDetail,
    CadreFilter,
    CadreOut,
    CadrePage,
    CadreSummary,
    CadreUpdate,
    CareerEntryIn,
    CareerEntryOut,
    RewardPenaltyIn,
    RewardPenaltyOut,
)
from schemas.common import Role
from schemas.national_id import mask_national_id
from schemas.records import RevisionOut
from service.cadres import repo
from service.errors import NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.revisions import diff_snapshots, list_revisions
from service.units import repo as units_repo
from service.uow import UnitOfWork, audit_only, unit_of_work
from service.versioning import require_version

SENSITIVE_ROLES = {Role.officer}


def sees_sensitive(principal: Principal) -> bool:
    """Whether the role may see national ID numbers and similar fields unmasked."""
    return principal.role in SENSITIVE_ROLES


def to_out(row: asyncpg.Record, principal: Principal) -> CadreOut:
    """Cadre row to API model, masking what the role may not see."""
    data = dict(row)
    masked = not sees_sensitive(principal)
    if masked:
        data["national_id"] = mask_national_id(data["national_id"])
    return CadreOut(**{k: data[k] for k in CadreOut.model_fields if k in data},
                    national_id_masked=masked)


async def _detail(conn: asyncpg.Connection, principal: Principal, cadre_id: int) -> CadreDetail:
    row = await repo.get_visible(conn, principal, cadre_id)
    if row is None:
        raise NotFound("干部不存在")
    base = to_out(row, principal)
    return CadreDetail(
        **base.model_dump(),
        career=[CareerEntryOut(**dict(r)) for r in await repo.career(conn, cadre_id)],
        appraisals=[AppraisalIn(**dict(r)) for r in await repo.appraisals(conn, cadre_id)],
        rewards_penalties=[_reward_out(r, principal) for r in await repo.rewards(conn, cadre_id)],
    )


def _reward_out(row: asyncpg.Record, principal: Principal) -> RewardPenaltyOut:
    """A reward or penalty; penalties are withheld (but their existence shown) from other roles."""
    data = {k: v for k, v in dict(row).items() if k in RewardPenaltyOut.model_fields}
    if data["kind"] == "penalty" and not sees_sensitive(principal):
        data.update(title=RESTRICTED_TITLE, issuer=None, note=None, restricted=True)
    return RewardPenaltyOut(**data)


def _snapshot(detail: CadreDetail) -> dict[str, Any]:
    # Revisions never hold the national ID number itself.
    return detail.model_dump(mode="json", exclude={"national_id", "national_id_masked"})


async def get_cadre(pool: asyncpg.Pool, principal: Principal, cadre_id: int) -> CadreDetail:
    """A cadre's profile with resume, appraisals and rewards (the read is audited)."""
    async with unit_of_work(pool, principal) as uow:
        detail = await _detail(uow.conn, principal, cadre_id)
        uow.audit("cadre.read", "cadre", cadre_id)
        return detail


async def list_cadres(pool: asyncpg.Pool, principal: Principal, *, filters: CadreFilter,
                      limit: int, offset: int) -> CadrePage:
    """Readable cadres with simple filters."""
    async with pool.acquire() as conn:
        rows, total = await repo.search(conn, principal, filters=filters, limit=limit, offset=offset)
    items = [CadreSummary(**{k: r[k] for k in CadreSummary.model_fields}) for r in rows]
    await audit_only(pool, principal, "cadre.list", "cadre", None, {"ids": [c.id for c in items],
                                                                    "total": total})
    return CadrePage(items=items, total=total, limit=limit, offset=offset)


async def _check_unit(uow: UnitOfWork, unit_id: int, tier: str) -> None:
    if not await repo.unit_manageable(uow.conn, uow.principal, unit_id, tier):
        raise ValidationFailed("单位不存在或不在您的管理范围内",
                               errors=[{"field": "unit_id", "message": "单位不在管理范围内"}])


async def _check_photo(uow: UnitOfWork, attachment_id: int | None) -> None:
    if attachment_id is None:
        return
    if not await repo.own_photo(uow.conn, attachment_id, uow.principal.user_id):
        raise ValidationFailed("照片附件不存在或不是 JPEG/PNG 图片",
                               errors=[{"field": "photo_attachment_id", "message": "照片无效"}])


async def _check_career_units(uow: UnitOfWork, entries: list[CareerEntryIn]) -> None:
    unit_ids = {e.unit_id for e in entries if e.unit_id is not None}
    if unit_ids and await units_repo.count_existing(uow.conn, list(unit_ids)) != len(unit_ids):
        raise ValidationFailed("简历中引用的单位不存在",
                               errors=[{"field": "career.unit_id", "message": "单位不存在"}])


async def _check_career_roles(uow: UnitOfWork, entries: list[CareerEntryIn], field_prefix: str) -> None:
    """A team role on a resume line says who was in that unit's leadership team: only an officer whose
    scope covers the unit sets one (a line elsewhere without a role is an ordinary resume line)."""
    roled = {i: e.unit_id for i, e in enumerate(entries) if e.team_role is not None and e.unit_id is not None}
    if not roled:
        return
    outside = await repo.units_outside_scope(uow.conn, uow.principal, sorted(set(roled.values())))
    errors = [{"field": f"{field_prefix}{i}.unit_id", "message": "单位不在管理范围内，不能设定班子角色"}
              for i, unit_id in roled.items() if unit_id in outside]
    if errors:
        raise ValidationFailed("简历记录的单位不在您的管理范围内，不能设定其领导班子角色", errors=errors)


def _profile(body: CadreCreate | CadreUpdate) -> dict[str, Any]:
    data = body.model_dump(include=set(repo.PROFILE_COLUMNS))
    return {k: (v.value if hasattr(v, "value") else v) for k, v in data.items()}


async def create_cadre(pool: asyncpg.Pool, principal: Principal, *, body: CadreCreate,
                       key: str | None) -> CadreDetail:
    """Register a cadre in the officer's scope, with resume, appraisals and rewards."""

    async def work(uow: UnitOfWork) -> CadreDetail:
        await _check_unit(uow, body.unit_id, body.tier.value)
        await _check_photo(uow, body.photo_attachment_id)
        await _check_career_units(uow, body.career)
        await _check_career_roles(uow, body.career, "career.")
        if body.national_id and await repo.national_id_taken(uow.conn, body.national_id):
            raise ValidationFailed("身份证号已登记", errors=[{"field": "national_id",
                                                           "message": "身份证号已登记"}])
        cadre_id = await repo.insert(uow.conn, _profile(body), principal.user_id)
        await repo.insert_career(uow.conn, cadre_id, [e.model_dump(mode="python") for e in body.career])
        await repo.upsert_appraisals(uow.conn, cadre_id, [a.model_dump() for a in body.appraisals])
        await repo.insert_rewards(uow.conn, cadre_id, [r.model_dump() for r in body.rewards_penalties])
        detail = await _detail(uow.conn, principal, cadre_id)
        await uow.record_change("cadre", cadre_id, version=1, action="create", snapshot=_snapshot(detail),
                                reindex=[("cadre", cadre_id)])
        return detail

    out, _ = await run_idempotent(pool, principal, key, fingerprint("cadre.create", body),
                                  CadreDetail, work)
    return out


async def update_cadre(pool: asyncpg.Pool, principal: Principal, *, cadre_id: int,
                       body: CadreUpdate, if_match: int | None) -> CadreDetail:
    """Replace the profile fields, refusing a stale version."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        current = base.locked(await repo.lock_visible(uow.conn, principal, cadre_id), "干部不存在")
        await _check_unit(uow, body.unit_id, body.tier.value)
        if body.photo_attachment_id != current["photo_attachment_id"]:
            await _check_photo(uow, body.photo_attachment_id)
        before = _snapshot(await _detail(uow.conn, principal, cadre_id))
        fields = _profile(body)
        if not sees_sensitive(principal) or body.national_id is None:
            fields["national_id"] = current["national_id"]
        await repo.update(uow.conn, cadre_id, base.version, fields)
        detail = await _detail(uow.conn, principal, cadre_id)
        after = _snapshot(detail)
        changes = diff_snapshots(before, after)
        if fields["national_id"] != current["national_id"]:
            changes["national_id"] = "changed"
        await uow.record_change("cadre", cadre_id, version=detail.version, action="update", snapshot=after,
                                changes=changes, reindex=[("cadre", cadre_id)],
                                details={"version": detail.version, "fields": sorted(changes)})
        return detail


async def _append(pool: asyncpg.Pool, principal: Principal, cadre_id: int, action: str,
                  key: str | None, payload: list[Any]) -> CadreDetail:
    async def work(uow: UnitOfWork) -> CadreDetail:
        if await repo.lock_visible(uow.conn, principal, cadre_id) is None:
            raise NotFound("干部不存在")
        if principal.role is not Role.officer:
            raise NotFound("干部不存在")
        before = _snapshot(await _detail(uow.conn, principal, cadre_id))
        items = [p.model_dump() for p in payload]
        if action == "career":
            await _check_career_units(uow, payload)
            await _check_career_roles(uow, payload, "")
            await repo.insert_career(uow.conn, cadre_id, items)
        elif action == "appraisals":
            await repo.upsert_appraisals(uow.conn, cadre_id, items)
        else:
            await repo.insert_rewards(uow.conn, cadre_id, items)
        version = await repo.bump_version(uow.conn, cadre_id)
        detail = await _detail(uow.conn, principal, cadre_id)
        await uow.record_change("cadre", cadre_id, version=version, action=f"add_{action}",
                                snapshot=_snapshot(detail), before=before, reindex=[("cadre", cadre_id)])
        return detail

    request_hash = fingerprint(f"cadre.{cadre_id}.{action}",
                               {"items": [p.model_dump(mode="json") for p in payload]})
    out, _ = await run_idempotent(pool, principal, key, request_hash, CadreDetail, work)
    return out


async def add_career(pool: asyncpg.Pool, principal: Principal, *, cadre_id: int,
                     entries: list[CareerEntryIn], key: str | None) -> CadreDetail:
    """Add resume lines."""
    return await _append(pool, principal, cadre_id, "career", key, entries)


async def set_appraisals(pool: asyncpg.Pool, principal: Principal, *, cadre_id: int,
                         items: list[AppraisalIn], key: str | None) -> CadreDetail:
    """Set annual appraisal grades."""
    return await _append(pool, principal, cadre_id, "appraisals", key, items)


async def add_rewards(pool: asyncpg.Pool, principal: Principal, *, cadre_id: int,
                      items: list[RewardPenaltyIn], key: str | None) -> CadreDetail:
    """Add rewards or penalties."""
    return await _append(pool, principal, cadre_id, "rewards_penalties", key, items)


async def cadre_revisions(pool: asyncpg.Pool, principal: Principal, cadre_id: int) -> list[RevisionOut]:
    """The revision history of a readable cadre."""
    async with pool.acquire() as conn:
        if await repo.get_visible(conn, principal, cadre_id) is None:
            raise NotFound("干部不存在")
        out = [RevisionOut(**dict(r)) for r in await list_revisions(conn, "cadre", cadre_id)]
    # Revisions hold full earlier texts: a read of personal data like any other.
    await audit_only(pool, principal, "cadre.revisions.read", "cadre", cadre_id,
                     {"versions": [r.version for r in out]})
    return out
