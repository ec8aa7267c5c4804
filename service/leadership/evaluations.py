"""Rules for democratic evaluation rounds (民主测评) and talk statistics (个别谈话 counts)."""

from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
import asyncpg

from schemas.common import Role, label
from schemas.leadership import RoundIn, RoundOut, SubjectResult, TalkStats, VoteIn
from service.attachments.service import xlsx_upload
from service.cadres import repo as cadres_repo
from service.campaigns import repo as campaigns_repo
from service.config import Settings
from service.errors import NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.leadership import evaluations_repo as repo
from service.leadership import evaluations_xlsx as sheet
from service.leadership import repo as team_repo
from service.leadership.evaluation_math import subject_tallies
from service.principal import Principal
from service.uow import UnitOfWork, audit_only

TEAM_SUBJECT = "领导班子整体"


def round_out(row: asyncpg.Record) -> RoundOut:
    """A round row with its votes, as computed results per subject."""
    by_subject: dict[int | None, list[dict[str, Any]]] = {}
    names: dict[int | None, str] = {None: TEAM_SUBJECT}
    for v in repo.vote_rows(row["votes"]):
        by_subject.setdefault(v["cadre_id"], []).append(v)
        if v["cadre_id"] is not None:
            names[v["cadre_id"]] = v["name"]
    subjects = []
    for cadre_id, votes in by_subject.items():
        overall, per = subject_tallies((v["category"], v["grade"], v["votes"]) for v in votes)
        subjects.append(SubjectResult(cadre_id=cadre_id, name=names[cadre_id], overall=overall,
                                      by_category=per))
    return RoundOut(id=row["id"], unit_id=row["unit_id"], unit_name=row["unit_name"],
                    campaign_id=row["campaign_id"], name=row["name"], held_on=row["held_on"],
                    note=row["note"], version=row["version"], subjects=subjects)


async def _check(uow: UnitOfWork, body: RoundIn) -> list[tuple[int, str, str]]:
    """Problems of a round body as (vote index or -1, field, message); empty when it may be saved."""
    principal = uow.principal
    if await team_repo.readable_unit(uow.conn, principal, body.unit_id) is None:
        raise NotFound("领导班子不存在")
    problems: list[tuple[int, str, str]] = []
    if principal.role is Role.researcher and (
            body.campaign_id is None
            or not await repo.campaign_team_for(uow.conn, principal, body.campaign_id, body.unit_id)):
        problems.append((-1, "campaign_id", "调研组成员只能在本组进行中的调研活动中录入所负责班子的测评"))
    elif body.campaign_id is not None and not await campaigns_repo.visible_campaign_ids(
            uow.conn, principal, body.campaign_id):  # another district's campaign: as if missing
        problems.append((-1, "campaign_id", "调研活动不存在"))
    # Subjects are members on the day whom the caller may read: a member outside their scope gets
    # the answer a non-member gets (no votes about them, and nothing told about the team).
    on_team = await repo.members_on(uow.conn, body.unit_id, body.held_on)
    members = await cadres_repo.visible_ids(uow.conn, principal, sorted(on_team))
    seen: set[tuple[int | None, str]] = set()
    for i, vote in enumerate(body.votes):
        if vote.cadre_id is not None and vote.cadre_id not in members:
            problems.append((i, "cadre_id", "该干部在测评日期不是本班子成员"))
        if (vote.cadre_id, vote.rater_category) in seen:
            problems.append((i, "rater_category", "同一对象的同一类测评人重复"))
        seen.add((vote.cadre_id, vote.rater_category))
    scales: dict[int | None, set[bool]] = {}
    for vote in body.votes:
        scales.setdefault(vote.cadre_id, set()).add("approve" in vote.counts or "disapprove" in vote.counts
                                                    or "unknown" in vote.counts)
    for i, vote in enumerate(body.votes):
        if len(scales[vote.cadre_id]) > 1:
            problems.append((i, "counts", "同一对象只能使用一种测评等次"))
    return problems


async def _save(uow: UnitOfWork, body: RoundIn) -> RoundOut:
    round_id = await repo.insert_round(
        uow.conn, body.unit_id, body.campaign_id, body.name, body.held_on, body.note, uow.principal.user_id,
        [(v.cadre_id, v.rater_category, g, n) for v in body.votes for g, n in v.counts.items()])
    rows = await repo.rounds(uow.conn, uow.principal, None, None, round_id)
    out = round_out(rows[0])
    await uow.record_change("evaluation_round", round_id, version=1, action="create",
                            snapshot=body.model_dump(mode="json"), audit_object=("unit", body.unit_id),
                            details={"round_id": round_id, "campaign_id": body.campaign_id, "version": 1})
    return out


async def create_round(pool: asyncpg.Pool, *, principal: Principal, body: RoundIn,
                       key: str | None) -> RoundOut:
    """Record a round: subjects must be team members on the day; one scale per subject."""

    async def work(uow: UnitOfWork) -> RoundOut:
        problems = await _check(uow, body)
        if problems:
            raise ValidationFailed("测评数据有误，未保存", errors=[
                {"field": f if i < 0 else f"votes[{i}].{f}", "message": m} for i, f, m in problems])
        return await _save(uow, body)

    out, _ = await run_idempotent(pool, principal, key, fingerprint("evaluation.create", body),
                                  RoundOut, work)
    return out


async def import_round(pool: asyncpg.Pool, *, principal: Principal, settings: Settings,
                       meta: dict[str, Any], content_type: str | None, chunks: AsyncIterator[bytes],
                       key: str | None) -> RoundOut:
    """Create a round from an .xlsx sheet: every row valid, or 422 with a row report and no change."""
    async with xlsx_upload(chunks, content_type, settings=settings) as path:
        parsed = await anyio.to_thread.run_sync(sheet.read, path)

        async def work(uow: UnitOfWork) -> RoundOut:
            issues = list(parsed.issues)
            votes: list[VoteIn] = [v for _, v in parsed.votes]
            if not issues:
                body = RoundIn(**meta, votes=votes)
                for i, f, m in await _check(uow, body):
                    row = parsed.votes[i][0] if i >= 0 else 1
                    issues.append({"row": row, "column": sheet.column_of(f), "field": f, "message": m})
            if issues:
                raise ValidationFailed(f"导入文件有 {len(issues)} 处错误，未导入任何数据", errors=issues)
            return await _save(uow, body)

        out, _ = await run_idempotent(pool, principal, key,
                                      fingerprint("evaluation.import", {"meta": meta, "sha": parsed.sha256}),
                                      RoundOut, work)
        return out

async def list_rounds(pool: asyncpg.Pool, *, principal: Principal, unit_id: int | None,
                      campaign_id: int | None) -> list[RoundOut]:
    """Readable rounds with results of the subjects the reader may see; audited."""
    async with pool.acquire() as conn:
        rows = await repo.rounds(conn, principal, unit_id, campaign_id)
    out = [round_out(r) for r in rows]
    await audit_only(pool, principal, "evaluation_round.read", "unit", unit_id,
                     {"round_ids": [r.id for r in out], "campaign_id": campaign_id})
    return out


async def get_round(pool: asyncpg.Pool, *, principal: Principal, round_id: int) -> RoundOut:
    """One round, if readable; audited."""
    async with pool.acquire() as conn:
        rows = await repo.rounds(conn, principal, None, None, round_id)
    if not rows:
        raise NotFound("测评不存在")
    await audit_only(pool, principal, "evaluation_round.read", "evaluation_round", round_id, {})
    return round_out(rows[0])


async def talk_stats(conn: asyncpg.Connection, principal: Principal, *, campaign_id: int,
                     cadre_ids: list[int]) -> dict[int, TalkStats]:
    """Talks per cadre from the campaign's interview records the principal may read."""
    out = {c: TalkStats(cadre_id=c, records=0, people=0, by_relation={}) for c in cadre_ids}
    for r in await repo.talk_stats(conn, principal, campaign_id, cadre_ids):
        s = out[r["cadre_id"]]
        s.records += r["records"]
        s.people += r["people"]
        s.record_ids += list(r["record_ids"])
        name = label(r["relation"], "interviewee_relation")
        s.by_relation[name] = s.by_relation.get(name, 0) + r["people"]
    return out
