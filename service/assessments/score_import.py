"""The xlsx score sheet of a period: its blank template, and importing a filled one into a draft period."""

import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import anyio.to_thread
import asyncpg

from schemas.assessments import ScoresResult
from service.assessments import repo, xlsx
from service.assessments.score_entry import apply_cells, named_diffs
from service.assessments.service import changed, writable_period
from service.attachments.service import xlsx_upload
from service.config import Settings
from service.errors import Conflict, NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.uow import UnitOfWork


def _sheet_indicators(rows: list[asyncpg.Record]) -> list[xlsx.Indicator]:
    return [xlsx.Indicator(i["id"], i["code"], i["name"], i["max_score"]) for i in rows]


async def template(pool: asyncpg.Pool, principal: Principal, period_id: int) -> tuple[str, bytes]:
    """The blank import sheet of a readable period and its file name."""
    async with pool.acquire() as conn:
        row = await repo.get_visible(conn, principal, period_id)
        if row is None:
            raise NotFound("考核期不存在")
        units = [(u["code"], u["name"]) for u in await repo.units(conn, period_id)]
        indicators = _sheet_indicators(await repo.indicators(conn, period_id))
    data = await anyio.to_thread.run_sync(xlsx.template, row["name"], units, indicators)
    # Named for the person saving it: the period's name, not its code ("/" would end the name).
    return re.sub(r"[/\\]", "_", f"{row['name']}得分导入模板.xlsx"), data


async def import_scores(pool: asyncpg.Pool, principal: Principal, *, settings: Settings, period_id: int,
                        content_type: str | None, chunks: AsyncIterator[bytes],
                        key: str | None) -> ScoresResult:
    """Apply an .xlsx of a draft period's scores: every row valid, or 422 with a row report and no change."""
    async with xlsx_upload(chunks, content_type, settings=settings) as path:
        digest = await anyio.to_thread.run_sync(_sha256, path)
        # Read before the transaction starts, so no lock is held while the sheet is parsed.
        raw = await anyio.to_thread.run_sync(xlsx.read_rows, path)

        async def work(uow: UnitOfWork) -> ScoresResult:
            return await _apply_sheet(uow, period_id, raw)

        out, _ = await run_idempotent(pool, principal, key,
                                      fingerprint(f"assessment.{period_id}.import", {"sha256": digest}),
                                      ScoresResult, work)
        return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def _apply_sheet(uow: UnitOfWork, period_id: int, raw: xlsx.RawSheet) -> ScoresResult:
    period = await writable_period(uow, period_id)
    if period["state"] != "draft":
        raise Conflict("只有草稿状态的考核期可以整表导入；已发布的请逐项修改，已锁定的请走更正")
    indicator_rows = await repo.indicators(uow.conn, period_id)
    compared = {u["id"] for u in await repo.units(uow.conn, period_id)}
    writable = compared - set(await repo.not_writable(uow.conn, uow.principal, sorted(compared)))
    by_code = await repo.unit_ids_by_code(uow.conn, sorted(raw.texts()))
    sheet = xlsx.check(raw, by_code, compared=compared, writable=writable,
                       indicators=_sheet_indicators(indicator_rows))
    if sheet.issues:
        raise ValidationFailed(f"导入文件有 {len(sheet.issues)} 处错误，未导入任何数据", errors=sheet.issues)
    applied, diffs = await apply_cells(uow, period_id, cells=[(u, i, s, None) for u, i, s in sheet.scores],
                                       check_versions=False)
    version = period["version"]
    if diffs:
        named = named_diffs(diffs, {i["code"]: i for i in indicator_rows})
        version = await changed(uow, period, action="import", changes={"rows": len(sheet.scores),
                                                                       "scores": named})
    return ScoresResult(created=applied.created, updated=applied.updated, unchanged=applied.unchanged,
                        period_version=version)
