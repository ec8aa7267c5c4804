"""Rules for secondments: programmes, placements without overlaps, metrics as data, attribution."""

from collections import defaultdict
from datetime import date
from typing import Any

import asyncpg

from schemas.secondments import (
    Bucket,
    MetricCreate,
    MetricOut,
    MetricSeries,
    MetricTotal,
    MetricValuesIn,
    PlacementOut,
    PlacementPage,
    PlacementsIn,
    PlacementUpdate,
    ProgramCreate,
    ProgramOut,
    ProgramPage,
    SeriesPoint,
    TaskForceMetrics,
    TaskForceOut,
    WriteResult,
)
from service.cadres import repo as cadres_repo
from service.errors import Conflict, NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.revisions import diff_snapshots
from service.secondments import repo
from service.units import repo as units_repo
from service.uow import UnitOfWork, audit_only, unit_of_work
from service.versioning import require_version


async def _writable(uow: UnitOfWork, unit_id: int) -> bool:
    return await units_repo.writable(uow.conn, uow.principal, unit_id)


async def program_out(conn: asyncpg.Connection, row: asyncpg.Record) -> ProgramOut:
    """Programme row with its task forces and their metric totals within the programme's dates."""
    forces = await repo.task_forces(conn, row)
    totals: dict[int, list[MetricTotal]] = defaultdict(list)
    for t in await repo.metric_totals(conn, [f["unit_id"] for f in forces], row["starts_on"], row["ends_on"]):
        totals[t["unit_id"]].append(MetricTotal(**{k: t[k] for k in MetricTotal.model_fields}))
    return ProgramOut(**{k: row[k] for k in ProgramOut.model_fields if k != "task_forces"},
                      task_forces=[TaskForceOut(**dict(f), metrics=totals[f["unit_id"]]) for f in forces])


async def create_program(pool: asyncpg.Pool, principal: Principal, *, body: ProgramCreate,
                         key: str | None) -> ProgramOut:
    """Create a programme owned by a unit in the officer's scope, with its task force units."""

    async def work(uow: UnitOfWork) -> ProgramOut:
        if not await _writable(uow, body.owner_unit_id):
            raise ValidationFailed("选派单位不存在或不在您的管理范围内",
                                   errors=[{"field": "owner_unit_id", "message": "不在管理范围内"}])
        # Another district's task force is refused exactly like a unit that is no task force: a
        # programme's task forces open their metrics to its readers (program_visible).
        bad = set(await repo.not_task_forces(uow.conn, body.task_force_unit_ids))
        bad |= {u for u in set(body.task_force_unit_ids) - bad if not await _writable(uow, u)}
        if bad:
            raise ValidationFailed("专班须是您管理范围内类型为“专班”的单位",
                                   errors=[{"field": "task_force_unit_ids",
                                            "message": f"无效：{sorted(bad)}"}])
        pid = await repo.insert_program(uow.conn, body.model_dump(mode="python"), principal.user_id)
        row = await repo.get_program(uow.conn, principal, pid)
        assert row is not None
        out = await program_out(uow.conn, row)
        await uow.record_change("secondment_program", pid, version=1, action="create",
                                snapshot=out.model_dump(mode="json"), audit="secondment.create_program",
                                details={"task_forces": body.task_force_unit_ids})
        return out

    out, _ = await run_idempotent(pool, principal, key, fingerprint("secondment.program", body),
                                  ProgramOut, work)
    return out


async def list_programs(pool: asyncpg.Pool, principal: Principal, *, limit: int, offset: int) -> ProgramPage:
    """Readable programmes."""
    async with pool.acquire() as conn:
        rows, total = await repo.search_programs(conn, principal, limit, offset)
        items = [await program_out(conn, r) for r in rows]
    return ProgramPage(items=items, total=total, limit=limit, offset=offset)


async def get_program(pool: asyncpg.Pool, principal: Principal, program_id: int) -> ProgramOut:
    """One readable programme."""
    async with pool.acquire() as conn:
        row = await repo.get_program(conn, principal, program_id)
        if row is None:
            raise NotFound("选派计划不存在")
        return await program_out(conn, row)


async def placements_out(conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[PlacementOut]:
    """Placement rows with their attributed metric totals."""
    credited: dict[int, list[MetricTotal]] = defaultdict(list)
    for a in await repo.attributed(conn, [r["id"] for r in rows]):
        credited[a["placement_id"]].append(MetricTotal(**{k: a[k] for k in MetricTotal.model_fields}))
    return [PlacementOut(**{k: r[k] for k in PlacementOut.model_fields if k != "metrics"},
                         metrics=credited[r["id"]]) for r in rows]


async def _check_placement(uow: UnitOfWork, program: asyncpg.Record, item: Any, n: int,
                           forces: set[int]) -> dict[str, Any]:
    where = f"placements.{n}"
    cadre = await cadres_repo.get_visible(uow.conn, uow.principal, item.cadre_id)
    if cadre is None:
        raise ValidationFailed("干部不存在或不在您的范围内",
                               errors=[{"field": f"{where}.cadre_id", "message": "干部无效"}])
    if item.task_force_unit_id not in forces:
        raise ValidationFailed("专班不属于本选派计划",
                               errors=[{"field": f"{where}.task_force_unit_id", "message": "专班无效"}])
    if item.starts_on < program["starts_on"] or item.ends_on > program["ends_on"]:
        raise ValidationFailed("下沉日期须在选派计划期间内",
                               errors=[{"field": f"{where}.starts_on", "message": "超出计划期间"}])
    home_unit_id = item.home_unit_id or cadre["unit_id"]
    if await units_repo.get(uow.conn, home_unit_id) is None:
        raise ValidationFailed("原单位不存在",
                               errors=[{"field": f"{where}.home_unit_id", "message": "单位不存在"}])
    await repo.lock_cadre_placements(uow.conn, item.cadre_id)
    clash = await repo.overlapping(uow.conn, item.cadre_id, item.starts_on, item.ends_on)
    if clash is not None:
        raise Conflict(f"{cadre['name']}在{clash['starts_on']}至{clash['ends_on']}已下沉"
                       f"（{clash['program_name']}），日期不能重叠", field=f"{where}.starts_on")
    return {"cadre_id": item.cadre_id, "task_force_unit_id": item.task_force_unit_id,
            "home_unit_id": home_unit_id, "home_post": item.home_post or cadre["post"], "role": item.role,
            "starts_on": item.starts_on, "ends_on": item.ends_on}


async def add_placements(pool: asyncpg.Pool, principal: Principal, *, program_id: int, body: PlacementsIn,
                         key: str | None) -> list[PlacementOut]:
    """Place cadres (all or none): readable cadres, the programme's task forces, no overlapping dates."""

    async def work(uow: UnitOfWork) -> PlacementPage:
        program = await repo.get_program(uow.conn, principal, program_id, lock=True)
        if program is None:
            raise NotFound("选派计划不存在")
        if not await _writable(uow, program["owner_unit_id"]):
            raise Conflict("只有管理范围覆盖选派单位的干部工作人员可以安排下沉")
        forces = {f["unit_id"] for f in await repo.task_forces(uow.conn, program)}
        ids = []
        for n, item in enumerate(body.placements):
            data = await _check_placement(uow, program, item, n, forces)
            pid = await repo.insert_placement(uow.conn, program_id, data, principal.user_id)
            ids.append(pid)
            await uow.revision("secondment_placement", pid, 1, "create",
                               {k: str(v) if isinstance(v, date) else v for k, v in data.items()})
            uow.outbox("cadre", item.cadre_id)
        uow.audit("secondment.place", "secondment_program", program_id, {"placements": ids})
        rows, _ = await repo.placements(uow.conn, principal, program_id, None, None)
        items = [p for p in await placements_out(uow.conn, rows) if p.id in ids]
        return PlacementPage(items=items, total=len(items), limit=len(items), offset=0)

    out, _ = await run_idempotent(pool, principal, key, fingerprint(f"secondment.{program_id}.place", body),
                                  PlacementPage, work)
    return out.items


async def list_placements(pool: asyncpg.Pool, principal: Principal, *, program_id: int, limit: int,
                          offset: int) -> PlacementPage:
    """Placements of readable cadres in a readable programme, with attributed metrics."""
    async with pool.acquire() as conn:
        if await repo.get_program(conn, principal, program_id) is None:
            raise NotFound("选派计划不存在")
        rows, total = await repo.placements(conn, principal, program_id, None, None, limit, offset)
        items = await placements_out(conn, rows)
    # Each placement names a cadre and their posting: a read of personal data, audited.
    await audit_only(pool, principal, "secondment_placement.list", "secondment_placement", None,
                     {"program_id": program_id, "ids": [p.id for p in items], "total": total})
    return PlacementPage(items=items, total=total, limit=limit, offset=offset)


async def update_placement(pool: asyncpg.Pool, principal: Principal, *, program_id: int, placement_id: int,
                           body: PlacementUpdate, if_match: int | None) -> PlacementOut:
    """Change a placement's dates or role (e.g. recalled early), refusing stale versions and overlaps."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        rows, _ = await repo.placements(uow.conn, principal, program_id, None, placement_id, lock=True)
        program = await repo.get_program(uow.conn, principal, program_id)
        if not rows or program is None:
            raise NotFound("下沉记录不存在")
        row = rows[0]
        if not await _writable(uow, program["owner_unit_id"]):
            raise Conflict("只有管理范围覆盖选派单位的干部工作人员可以调整下沉")
        base.check(row["version"])
        if body.starts_on < program["starts_on"] or body.ends_on > program["ends_on"]:
            raise ValidationFailed("下沉日期须在选派计划期间内",
                                   errors=[{"field": "starts_on", "message": "超出计划期间"}])
        await repo.lock_cadre_placements(uow.conn, row["cadre_id"])
        if await repo.overlapping(uow.conn, row["cadre_id"], body.starts_on, body.ends_on, placement_id):
            raise Conflict("与该干部的其他下沉日期重叠")
        before = (await placements_out(uow.conn, rows))[0].model_dump(mode="json")
        await repo.update_placement(uow.conn, placement_id, base.version, body.role, body.starts_on,
                                    body.ends_on)
        fresh, _ = await repo.placements(uow.conn, principal, program_id, None, placement_id)
        out = (await placements_out(uow.conn, fresh))[0]
        after = out.model_dump(mode="json")
        # The metrics follow from the dates (values dated within the placement): not changes themselves.
        changes = diff_snapshots(before, after, derived=("metrics",))
        await uow.record_change("secondment_placement", placement_id, version=out.version, action="update",
                                snapshot=after, changes=changes, reindex=[("cadre", out.cadre_id)],
                                audit="secondment.update_placement",
                                details={"version": out.version, **changes})
        return out


async def create_metric(pool: asyncpg.Pool, principal: Principal, *, body: MetricCreate,
                        key: str | None) -> MetricOut:
    """Define a task force metric (code and name unique)."""

    async def work(uow: UnitOfWork) -> MetricOut:
        row = await repo.insert_metric(uow.conn, body.model_dump(), principal.user_id)
        if row is None:
            raise Conflict("指标代码或名称已存在")
        out = MetricOut(**{k: row[k] for k in MetricOut.model_fields})
        uow.audit("secondment.define_metric", "task_force_metric", out.id, {"code": out.code})
        return out

    out, _ = await run_idempotent(pool, principal, key, fingerprint("secondment.metric", body),
                                  MetricOut, work)
    return out


async def list_metrics(pool: asyncpg.Pool) -> list[MetricOut]:
    """Every metric definition."""
    async with pool.acquire() as conn:
        return [MetricOut(**{k: r[k] for k in MetricOut.model_fields}) for r in await repo.metrics(conn)]


async def put_values(pool: asyncpg.Pool, principal: Principal, *, unit_id: int,
                     body: MetricValuesIn) -> WriteResult:
    """Store a task force's metric values (all or none); a stored value changes only by its version."""
    async with unit_of_work(pool, principal) as uow:
        if await repo.task_force_readable(uow.conn, principal, unit_id) is None:
            raise NotFound("专班不存在")
        if not await _writable(uow, unit_id):
            raise Conflict("只有管理范围覆盖该专班的干部工作人员可以填报专班指标")
        by_code = {m["code"]: m["id"] for m in await repo.metrics(uow.conn)}
        unknown = sorted({v.metric_code for v in body.values} - set(by_code))
        if unknown:
            raise ValidationFailed("未定义的指标：" + "、".join(unknown),
                                   errors=[{"field": "values", "message": f"未定义：{unknown}"}])
        keys = [(by_code[v.metric_code], v.recorded_on) for v in body.values]
        if len(set(keys)) != len(keys):
            raise ValidationFailed("同一指标同一日期重复", errors=[{"field": "values", "message": "重复"}])
        stored = await repo.values(uow.conn, unit_id, keys)
        result = WriteResult(created=0, updated=0, unchanged=0)
        changes = []
        for key, v in zip(keys, body.values, strict=True):
            current = stored.get(key)
            if (current is None) != (v.version is None) or (current and current["version"] != v.version):
                raise Conflict("指标值已被他人录入或修改，请刷新后重试",
                               metric=v.metric_code, recorded_on=str(v.recorded_on))
            if current is None:
                saved = await repo.insert_value(uow.conn, unit_id, key[0], v.recorded_on, v.value, v.note,
                                                principal.user_id)
                result.created += 1
            elif current["value"] != v.value or current["note"] != v.note:
                saved = await repo.update_value(uow.conn, current["id"], v.value, v.note, principal.user_id)
                result.updated += 1
            else:
                result.unchanged += 1
                continue
            change = {"metric": v.metric_code, "recorded_on": str(v.recorded_on),
                      "before": None if current is None else float(current["value"]),
                      "after": float(v.value), "note": v.note}
            await uow.revision("task_force_metric_value", saved["id"], saved["version"],
                               "create" if current is None else "update",
                               {"task_force_unit_id": unit_id, **change}, change)
            changes.append(change)
        uow.audit("secondment.metric_values", "unit", unit_id, {"changes": changes})
        return result


async def task_force_metrics(pool: asyncpg.Pool, principal: Principal, *, unit_id: int, bucket: str,
                             date_from: date | None, date_to: date | None) -> TaskForceMetrics:
    """A task force's metrics per time bucket over a span (data for charts)."""
    async with pool.acquire() as conn:
        unit = await repo.task_force_readable(conn, principal, unit_id)
        if unit is None:
            raise NotFound("专班不存在")
        rows = await repo.series(conn, unit_id, bucket, date_from, date_to)
    series: dict[str, MetricSeries] = {}
    for r in rows:
        s = series.setdefault(r["code"], MetricSeries(code=r["code"], name=r["name"],
                                                      unit_label=r["unit_label"], total=0, points=[]))
        s.points.append(SeriesPoint(bucket_start=r["bucket_start"], value=r["value"]))
        s.total += float(r["value"])
    return TaskForceMetrics(unit_id=unit_id, unit_name=unit["name"], date_from=date_from, date_to=date_to,
                            bucket=Bucket(bucket), series=list(series.values()))
