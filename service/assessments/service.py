"""Rules for assessment periods: setup, lifecycle (draft → published → locked), boards and trends."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg

from schemas.assessments import (
    AdjustmentOut,
    Board,
    BoardRow,
    CellOut,
    IndicatorOut,
    PeriodCreate,
    PeriodOut,
    PeriodPage,
    PeriodSetup,
    PeriodUpdate,
    Seat,
    Seating,
    StarAward,
    StarRuleOut,
    TrendPoint,
    Trends,
    TrendSeries,
    UnitRef,
    VersionIn,
)
from schemas.records import RevisionOut
from service.assessments import compute_sql as compute
from service.assessments import repo
from service.errors import Conflict, NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.revisions import list_revisions
from service.uow import UnitOfWork, audited_revisions, unit_of_work
from service.versioning import require_version

ENTITY = "assessment_period"
LOCKED_MESSAGE = "考核期已锁定，只能通过更正（须说明理由）修改"


async def period_out(conn: asyncpg.Connection, row: asyncpg.Record) -> PeriodOut:
    """Period row with its units, indicators and star rules."""
    pid = row["id"]
    return PeriodOut(
        **{k: row[k] for k in ("id", "code", "name", "owner_unit_id", "starts_on", "ends_on", "state",
                               "published_at", "locked_at", "version")},
        units=[UnitRef(**dict(u)) for u in await repo.units(conn, pid)],
        indicators=[IndicatorOut(**{k: i[k] for k in IndicatorOut.model_fields})
                    for i in await repo.indicators(conn, pid)],
        star_rules=[StarRuleOut(**{k: r[k] for k in StarRuleOut.model_fields})
                    for r in await repo.star_rules(conn, pid)])


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


async def snapshot(conn: asyncpg.Connection, period_id: int) -> dict[str, Any]:
    """The whole state of a period for its revision: setup, scores, adjustments and results."""
    row = await repo.get(conn, period_id)
    assert row is not None
    return {
        "period": (await period_out(conn, row)).model_dump(mode="json"),
        "scores": [{"unit_id": c["unit_id"], "indicator_code": c["code"], "score": _num(c["score"])}
                   for c in await compute.result_cells(conn, period_id)],
        "adjustments": [AdjustmentOut(**dict(a)).model_dump(mode="json")
                        for a in await repo.adjustments(conn, period_id) if a["withdrawn_at"] is None],
        "results": [result_summary(r) for r in await compute.results(conn, period_id)],
    }


def result_summary(r: asyncpg.Record) -> dict[str, Any]:
    """The part of a result that a correction reports before and after."""
    return {"unit_id": r["unit_id"], "total": _num(r["total"]), "rank": r["rank"], "seat": r["seat"],
            "stars": r["stars"]}


async def changed(uow: UnitOfWork, period: asyncpg.Record, *, action: str,
                  changes: dict[str, Any] | None = None, bump: bool = True) -> int:
    """After any change: recompute results, advance the version, keep a revision, reindex, audit."""
    pid = period["id"]
    await compute.refresh(uow.conn, pid)
    version = await repo.bump(uow.conn, pid) if bump else period["version"]
    state = await repo.get(uow.conn, pid)
    assert state is not None
    heads = await compute.heads_of_period(uow.conn, pid) if state["state"] != "draft" else []
    await uow.record_change(ENTITY, pid, version=version, action=action,
                            snapshot=await snapshot(uow.conn, pid), changes=changes,
                            reindex=[("cadre", c) for c in heads],
                            audit=f"assessment.{action}", details={"version": version, **(changes or {})})
    return version


async def writable_period(uow: UnitOfWork, period_id: int) -> asyncpg.Record:
    """The period locked for update; 404 when unreadable."""
    row = await repo.get_visible(uow.conn, uow.principal, period_id, lock=True)
    if row is None:
        raise NotFound("考核期不存在")
    return row


async def require_owner(uow: UnitOfWork, period: asyncpg.Record) -> None:
    """Setup, lifecycle and corrections belong to officers whose scope covers the owner unit."""
    if await repo.not_writable(uow.conn, uow.principal, [period["owner_unit_id"]]):
        raise Conflict("只有管理范围覆盖考核组织单位的干部工作人员可以执行此操作")


async def _check_setup(uow: UnitOfWork, owner_unit_id: int, body: PeriodSetup) -> None:
    if await repo.not_writable(uow.conn, uow.principal, [owner_unit_id]):
        raise ValidationFailed("考核组织单位不存在或不在您的管理范围内",
                               errors=[{"field": "owner_unit_id", "message": "不在管理范围内"}])
    outside = await repo.outside_subtree(uow.conn, owner_unit_id, body.unit_ids)
    if outside:
        raise ValidationFailed("参评单位须是考核组织单位的下属单位",
                               errors=[{"field": "unit_ids", "message": f"无效的单位：{outside}"}])


def _setup_rows(body: PeriodSetup) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    indicators = [i.model_dump() for i in body.indicators]
    rules = []
    for r in body.star_rules:
        rule = r.model_dump()
        rule["kind"] = r.kind.value
        rule["label"] = r.label or _rule_label(r.kind.value, r.indicator_code, r.top_n, r.threshold, body)
        rules.append(rule)
    return indicators, rules


def _rule_label(kind: str, code: str | None, top_n: int | None, threshold: Decimal | None,
                body: PeriodSetup) -> str:
    name = next((i.name for i in body.indicators if i.code == code), "")
    return {"indicator_top_n": f"{name}前{top_n}名", "indicator_at_least": f"{name}得分≥{threshold}",
            "total_top_n": f"综合前{top_n}名", "total_at_least": f"总分≥{threshold}"}[kind]


async def create_period(pool: asyncpg.Pool, principal: Principal, *, body: PeriodCreate,
                        key: str | None) -> PeriodOut:
    """Create a draft period with its units, indicators and star rules."""

    async def work(uow: UnitOfWork) -> PeriodOut:
        await _check_setup(uow, body.owner_unit_id, body)
        if await repo.code_taken(uow.conn, body.owner_unit_id, body.code):
            raise Conflict(f"考核期代码“{body.code}”已存在")
        pid = await repo.insert_period(uow.conn, body.code, body.name, body.owner_unit_id,
                                       body.starts_on, body.ends_on, principal.user_id)
        await repo.replace_setup(uow.conn, pid, body.unit_ids, *_setup_rows(body))
        row = await repo.get_visible(uow.conn, principal, pid)
        assert row is not None
        await changed(uow, row, action="create", changes={"code": body.code}, bump=False)
        return await period_out(uow.conn, row)

    out, _ = await run_idempotent(pool, principal, key, fingerprint("assessment.create", body),
                                  PeriodOut, work)
    return out


async def update_setup(pool: asyncpg.Pool, principal: Principal, *, period_id: int, body: PeriodUpdate,
                       if_match: int | None) -> PeriodOut:
    """Replace the setup of a draft period; units or indicators that carry data cannot be dropped."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        row = await writable_period(uow, period_id)
        await require_owner(uow, row)
        base.check(row["version"])
        if row["state"] != "draft":
            raise Conflict("只有草稿状态的考核期可以修改指标、参评单位和摘星规则")
        await _check_setup(uow, row["owner_unit_id"], body)
        units_used, codes_used = await repo.in_use(uow.conn, period_id, body.unit_ids,
                                                   [i.code for i in body.indicators])
        if units_used or codes_used:
            raise Conflict("已有得分或加扣分的单位、已有得分的指标不能移除",
                           units=units_used, indicators=codes_used)
        await repo.update_header(uow.conn, period_id, body.name, body.starts_on, body.ends_on)
        await repo.replace_setup(uow.conn, period_id, body.unit_ids, *_setup_rows(body))
        await changed(uow, row, action="setup")
        fresh = await repo.get_visible(uow.conn, principal, period_id)
        assert fresh is not None
        return await period_out(uow.conn, fresh)


async def transition(pool: asyncpg.Pool, principal: Principal, *, period_id: int, body: VersionIn,
                     if_match: int | None, target: str) -> PeriodOut:
    """Publish a complete draft, or lock a published period."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        row = await writable_period(uow, period_id)
        await require_owner(uow, row)
        base.check(row["version"])
        source = {"published": "draft", "locked": "published"}[target]
        if row["state"] != source:
            raise Conflict("只能发布草稿状态的考核期" if target == "published"
                           else "只能锁定已发布的考核期")
        if target == "published":
            await _check_publishable(uow.conn, period_id)
        await repo.set_state(uow.conn, period_id, target, principal.user_id)
        await changed(uow, row, action="publish" if target == "published" else "lock",
                      changes={"state": [source, target]})
        fresh = await repo.get_visible(uow.conn, principal, period_id)
        assert fresh is not None
        return await period_out(uow.conn, fresh)


async def _check_publishable(conn: asyncpg.Connection, period_id: int) -> None:
    weights = sum(i["weight"] for i in await repo.indicators(conn, period_id))
    if weights != 100:
        raise ValidationFailed(f"指标权重之和须为 100（当前为 {weights:g}）",
                               errors=[{"field": "indicators", "message": "权重之和不为100"}])
    missing = [r["name"] for r in await compute.results(conn, period_id) if not r["complete"]]
    if missing:
        named = "、".join(missing)
        raise ValidationFailed(f"以下单位尚有指标未录入得分：{named}",
                               errors=[{"field": "scores", "message": f"尚有指标未录入得分：{named}"}])


async def get_period(pool: asyncpg.Pool, principal: Principal, period_id: int) -> PeriodOut:
    """One readable period."""
    async with pool.acquire() as conn:
        row = await repo.get_visible(conn, principal, period_id)
        if row is None:
            raise NotFound("考核期不存在")
        return await period_out(conn, row)


async def list_periods(pool: asyncpg.Pool, principal: Principal, *, owner_unit_id: int | None,
                       state: str | None, limit: int, offset: int) -> PeriodPage:
    """Readable periods, newest first."""
    async with pool.acquire() as conn:
        rows, total = await repo.search(conn, principal, owner_unit_id, state, limit, offset)
        items = [await period_out(conn, r) for r in rows]
    return PeriodPage(items=items, total=total, limit=limit, offset=offset)


async def board(pool: asyncpg.Pool, principal: Principal, period_id: int) -> Board:
    """The scoreboard by seat: per-indicator scores and ranks, adjustments, totals, ranks, stars."""
    async with pool.acquire() as conn:
        row = await repo.get_visible(conn, principal, period_id)
        if row is None:
            raise NotFound("考核期不存在")
        period = await period_out(conn, row)
        cells: dict[int, list[CellOut]] = defaultdict(list)
        for c in await compute.result_cells(conn, period_id):
            cells[c["unit_id"]].append(CellOut(indicator_code=c["code"], indicator_name=c["name"],
                                               score=_num(c["score"]), rank=c["rank"],
                                               version=c["version"]))
        adjustments: dict[int, list[AdjustmentOut]] = defaultdict(list)
        for a in await repo.adjustments(conn, period_id):
            adjustments[a["unit_id"]].append(AdjustmentOut(**dict(a)))
        rows = [BoardRow(
            unit=UnitRef(id=r["unit_id"], code=r["code"], name=r["name"]), cells=cells[r["unit_id"]],
            weighted=r["weighted"], bonus=r["bonus"], deduction=r["deduction"], total=r["total"],
            rank=r["rank"], seat=r["seat"], stars=r["stars"],
            star_details=[StarAward(**d) for d in r["star_details"]], complete=r["complete"],
            adjustments=adjustments[r["unit_id"]]) for r in await compute.results(conn, period_id)]
    return Board(period=period, tie_rule=compute.TIE_RULE, rows=rows)


async def seating(pool: asyncpg.Pool, principal: Principal, period_id: int) -> Seating:
    """Seating order for the next city meeting, from a published or locked period."""
    async with pool.acquire() as conn:
        row = await repo.get_visible(conn, principal, period_id)
        if row is None:
            raise NotFound("考核期不存在")
        if row["state"] == "draft":
            raise Conflict("考核期尚未发布，不能据此排定座次")
        seats = [Seat(seat=r["seat"], unit=UnitRef(id=r["unit_id"], code=r["code"], name=r["name"]),
                      rank=r["rank"], total=r["total"], stars=r["stars"])
                 for r in await compute.results(conn, period_id)]
    return Seating(period_id=period_id, period_name=row["name"], tie_rule=compute.TIE_RULE, seats=seats)


async def trends(pool: asyncpg.Pool, principal: Principal, *, unit_ids: list[int] | None,
                 owner_unit_id: int | None, indicator_code: str | None, date_from: date | None,
                 date_to: date | None) -> Trends:
    """Each unit's total, rank and stars (and one indicator's score and rank) across periods."""
    async with pool.acquire() as conn:
        rows = await compute.trends(conn, principal, sorted(set(unit_ids)) if unit_ids else None,
                                    owner_unit_id, indicator_code, date_from, date_to)
    series: dict[int, TrendSeries] = {}
    for r in rows:
        s = series.setdefault(r["unit_id"], TrendSeries(
            unit=UnitRef(id=r["unit_id"], code=r["unit_code"], name=r["unit_name"]), points=[]))
        s.points.append(TrendPoint(**{k: r[k] for k in TrendPoint.model_fields}))
    return Trends(indicator_code=indicator_code, series=list(series.values()))


async def period_revisions(pool: asyncpg.Pool, principal: Principal, period_id: int) -> list[RevisionOut]:
    """Every revision of a readable period (each holds the full board at that version)."""
    async with pool.acquire() as conn:
        if await repo.get_visible(conn, principal, period_id) is None:
            raise NotFound("考核期不存在")
        out = [RevisionOut(**dict(r)) for r in await list_revisions(conn, ENTITY, period_id)]
    await audited_revisions(pool, principal, ENTITY, period_id, out)
    return out
