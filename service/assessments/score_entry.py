"""Rules for entering scores, bonus and deduction points, and corrections after locking.

The xlsx import sheet and its application are in service.assessments.score_import.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from schemas.assessments import (
    AdjustmentIn,
    AdjustmentOut,
    CorrectionIn,
    CorrectionOut,
    ScoreCell,
    ScoresIn,
    ScoresResult,
    WithdrawIn,
)
from service.assessments import compute_sql as compute
from service.assessments import repo
from service.assessments.service import (
    LOCKED_MESSAGE,
    changed,
    require_owner,
    result_summary,
    writable_period,
)
from service.errors import Conflict, NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.pdf.formatting import fmt_number
from service.principal import Principal
from service.uow import UnitOfWork, unit_of_work
from service.versioning import require_version


@dataclass
class Applied:
    """What a batch of score cells did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _open_for_entry(period: asyncpg.Record) -> None:
    if period["state"] == "locked":
        raise Conflict(LOCKED_MESSAGE)


async def _indicators(conn: asyncpg.Connection, period_id: int) -> dict[str, asyncpg.Record]:
    return {i["code"]: i for i in await repo.indicators(conn, period_id)}


async def _check_cells(uow: UnitOfWork, period_id: int, cells: list[ScoreCell],
                       field: str) -> dict[str, asyncpg.Record]:
    """Every cell names a compared unit in the officer's scope and a known indicator, within range."""
    indicators = await _indicators(uow.conn, period_id)
    compared = {u["id"] for u in await repo.units(uow.conn, period_id)}
    outside = set(await repo.not_writable(uow.conn, uow.principal, [c.unit_id for c in cells]))
    errors: list[dict[str, Any]] = []
    seen: set[tuple[int, str]] = set()
    for n, c in enumerate(cells):
        where = f"{field}.{n}"
        ind = indicators.get(c.indicator_code)
        if c.unit_id not in compared:
            errors.append({"field": f"{where}.unit_id", "message": "不是本考核期的参评单位"})
        elif c.unit_id in outside:
            errors.append({"field": f"{where}.unit_id", "message": "单位不在您的管理范围内"})
        if ind is None:
            errors.append({"field": f"{where}.indicator_code", "message": "本考核期没有该指标"})
        elif c.score > ind["max_score"]:
            errors.append({"field": f"{where}.score",
                           "message": f"得分须在 0 到 {fmt_number(ind['max_score'])} 之间"})
        if (c.unit_id, c.indicator_code) in seen:
            errors.append({"field": where, "message": "同一单位同一指标重复"})
        seen.add((c.unit_id, c.indicator_code))
    if errors:
        raise ValidationFailed("得分有误，未保存任何得分", errors=errors[:200])
    return indicators


async def apply_cells(uow: UnitOfWork, period_id: int, *, cells: list[tuple[int, int, Decimal, int | None]],
                      check_versions: bool) -> tuple[Applied, list[dict[str, Any]]]:
    """Store (unit, indicator, score, base version) cells; returns counts and before/after per change."""
    existing = await repo.cells(uow.conn, period_id)
    applied = Applied()
    diffs: list[dict[str, Any]] = []
    for unit_id, indicator_id, score, base in cells:
        current = existing.get((unit_id, indicator_id))
        if check_versions and (current is None) != (base is None):
            cell = await _cell_name(uow.conn, period_id, unit_id, indicator_id)
            raise Conflict(f"{cell}的得分已被他人录入或删除，请刷新后重试", unit_id=unit_id)
        if check_versions and current is not None and current["version"] != base:
            cell = await _cell_name(uow.conn, period_id, unit_id, indicator_id)
            raise Conflict(f"{cell}的得分已被他人修改，请刷新后重试", unit_id=unit_id)
        if current is None:
            await repo.insert_score(uow.conn, period_id, indicator_id, unit_id, score, uow.principal.user_id)
            applied.created += 1
        elif current["score"] != score:
            await repo.update_score(uow.conn, current["id"], score, uow.principal.user_id)
            applied.updated += 1
        else:
            applied.unchanged += 1
            continue
        diffs.append({"unit_id": unit_id, "indicator_id": indicator_id,
                      "before": None if current is None else float(current["score"]),
                      "after": float(score)})
    return applied, diffs


async def _cell_name(conn: asyncpg.Connection, period_id: int, unit_id: int, indicator_id: int) -> str:
    """What a person calls a cell of the grid: the unit's and the indicator's names."""
    units = await repo.units(conn, period_id)
    indicators = await repo.indicators(conn, period_id)
    unit = next((u["name"] for u in units if u["id"] == unit_id), "")
    indicator = next((i["name"] for i in indicators if i["id"] == indicator_id), "")
    return f"{unit} {indicator}".strip()


def named_diffs(diffs: list[dict[str, Any]], indicators: dict[str, asyncpg.Record]) -> list[dict[str, Any]]:
    """The before/after diffs of apply_cells with each indicator named by its code."""
    codes = {i["id"]: code for code, i in indicators.items()}
    return [{"unit_id": d["unit_id"], "indicator_code": codes[d["indicator_id"]],
             "before": d["before"], "after": d["after"]} for d in diffs]


async def put_scores(pool: asyncpg.Pool, principal: Principal, *, period_id: int,
                     body: ScoresIn) -> ScoresResult:
    """Enter or change scores of a draft or published period, each cell based on its version."""
    async with unit_of_work(pool, principal) as uow:
        period = await writable_period(uow, period_id)
        _open_for_entry(period)
        indicators = await _check_cells(uow, period_id, body.scores, "scores")
        applied, diffs = await apply_cells(uow, period_id, cells=[
            (c.unit_id, indicators[c.indicator_code]["id"], c.score, c.version) for c in body.scores],
            check_versions=True)
        version = period["version"]
        if diffs:
            version = await changed(uow, period, action="scores",
                                    changes={"scores": named_diffs(diffs, indicators)})
        return ScoresResult(created=applied.created, updated=applied.updated,
                            unchanged=applied.unchanged, period_version=version)


async def add_adjustment(pool: asyncpg.Pool, principal: Principal, *, period_id: int, body: AdjustmentIn,
                         key: str | None) -> AdjustmentOut:
    """Record bonus or deduction points with the reason (draft or published periods)."""

    async def work(uow: UnitOfWork) -> AdjustmentOut:
        period = await writable_period(uow, period_id)
        _open_for_entry(period)
        await _check_adjustment_units(uow, period_id, [body])
        adj_id = await repo.insert_adjustment(uow.conn, period_id, body.unit_id, body.kind.value,
                                              body.points, body.reason, principal.user_id)
        await changed(uow, period, action="adjust", changes={"adjustment_id": adj_id, "unit_id": body.unit_id,
                                              "kind": body.kind.value, "points": float(body.points)})
        return next(AdjustmentOut(**dict(a)) for a in await repo.adjustments(uow.conn, period_id)
                    if a["id"] == adj_id)

    out, _ = await run_idempotent(pool, principal, key,
                                  fingerprint(f"assessment.{period_id}.adjust", body), AdjustmentOut, work)
    return out


async def _check_adjustment_units(uow: UnitOfWork, period_id: int, items: list[AdjustmentIn]) -> None:
    compared = {u["id"] for u in await repo.units(uow.conn, period_id)}
    outside = set(await repo.not_writable(uow.conn, uow.principal, [a.unit_id for a in items]))
    bad = [a.unit_id for a in items if a.unit_id not in compared or a.unit_id in outside]
    if bad:
        raise ValidationFailed("单位不是本考核期的参评单位或不在您的管理范围内",
                               errors=[{"field": "unit_id", "message": f"无效的单位：{bad}"}])


async def withdraw_adjustment(pool: asyncpg.Pool, principal: Principal, *, period_id: int, adj_id: int,
                              body: WithdrawIn) -> AdjustmentOut:
    """Withdraw bonus or deduction points (kept, marked withdrawn with the reason)."""
    async with unit_of_work(pool, principal) as uow:
        period = await writable_period(uow, period_id)
        _open_for_entry(period)
        current = next((a for a in await repo.adjustments(uow.conn, period_id) if a["id"] == adj_id), None)
        if current is None:
            raise NotFound("加扣分记录不存在")
        if await repo.not_writable(uow.conn, principal, [current["unit_id"]]):
            raise NotFound("加扣分记录不存在")
        row = await repo.withdraw_adjustment(uow.conn, period_id, adj_id, body.reason, principal.user_id)
        if row is None:
            raise Conflict("该加扣分已撤销")
        await changed(uow, period, action="withdraw", changes={"adjustment_id": adj_id,
                                                               "reason": body.reason})
        return AdjustmentOut(**dict(row))


async def correct(pool: asyncpg.Pool, principal: Principal, *, period_id: int, body: CorrectionIn,
                  if_match: int | None) -> CorrectionOut:
    """Correct a locked period: reason required, previous values kept, results recomputed, audited."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        period = await writable_period(uow, period_id)
        await require_owner(uow, period)
        base.check(period["version"])
        if period["state"] != "locked":
            raise Conflict("只有已锁定的考核期需要通过更正修改；未锁定时请直接修改")
        before = {r["unit_id"]: result_summary(r) for r in await compute.results(uow.conn, period_id)}
        indicators = await _check_cells(uow, period_id, body.scores, "scores")
        _, diffs = await apply_cells(uow, period_id, cells=[
            (c.unit_id, indicators[c.indicator_code]["id"], c.score, None) for c in body.scores],
            check_versions=False)
        await _check_adjustment_units(uow, period_id, body.add_adjustments)
        added = [{"id": await repo.insert_adjustment(uow.conn, period_id, a.unit_id, a.kind.value,
                                                     a.points, a.reason, principal.user_id),
                  **a.model_dump(mode="json")} for a in body.add_adjustments]
        withdrawn = []
        for adj_id in body.withdraw_adjustment_ids:
            row = await repo.withdraw_adjustment(uow.conn, period_id, adj_id, body.reason, principal.user_id)
            if row is None:
                raise ValidationFailed("要撤销的加扣分不存在或已撤销",
                                       errors=[{"field": "withdraw_adjustment_ids", "message": str(adj_id)}])
            withdrawn.append(AdjustmentOut(**dict(row)).model_dump(mode="json"))
        await compute.refresh(uow.conn, period_id)
        after = {r["unit_id"]: result_summary(r) for r in await compute.results(uow.conn, period_id)}
        changes: dict[str, Any] = {
            "reason": body.reason, "scores": named_diffs(diffs, indicators), "adjustments_added": added,
            "adjustments_withdrawn": withdrawn,
            "results": [{"unit_id": u, "before": before.get(u), "after": a}
                        for u, a in after.items() if before.get(u) != a]}
        new_version = await changed(uow, period, action="correct", changes=changes)
        cid = await repo.insert_correction(uow.conn, period_id, new_version, body.reason, changes,
                                           principal.user_id)
        row = next(r for r in await repo.corrections(uow.conn, period_id) if r["id"] == cid)
        return CorrectionOut(**dict(row))


async def list_corrections(pool: asyncpg.Pool, principal: Principal, period_id: int) -> list[CorrectionOut]:
    """Corrections of a readable period."""
    async with pool.acquire() as conn:
        if await repo.get_visible(conn, principal, period_id) is None:
            raise NotFound("考核期不存在")
        return [CorrectionOut(**dict(r)) for r in await repo.corrections(conn, period_id)]
