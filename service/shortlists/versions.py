"""Saved shortlist versions (save, read, reproduce, compare), marks and search seeds."""

from datetime import date

import asyncpg

from schemas.positions import CadreEligibility, Rules, Weights
from schemas.search_api import SearchParams
from schemas.shortlists import (
    Entry,
    MarkIn,
    MarkOut,
    Move,
    ReproduceResult,
    SavedShortlist,
    SavedSummary,
    SaveShortlist,
    SeedIn,
    SeedResult,
    ShortlistDiff,
    ShortlistResult,
)
from service.cadres import repo as cadres_repo
from service.errors import Conflict, NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.positions import explain
from service.positions import service as positions
from service.principal import Principal
from service.search import service as search_service
from service.search.client import SearchClient
from service.shortlists import repo
from service.shortlists.service import (
    compute,
    current,
    load_saved,
    readable_result,
    saved_out,
    summary_out,
)
from service.uow import UnitOfWork, audit_only, unit_of_work


async def save(pool: asyncpg.Pool, principal: Principal, *, position_id: int, body: SaveShortlist,
               key: str | None) -> SavedShortlist:
    """Compute the working shortlist and store it as the next immutable version."""

    async def work(uow: UnitOfWork) -> SavedShortlist:
        position = await positions.load(uow.conn, principal, position_id=position_id, lock=True)
        result, marks = await current(uow.conn, principal, position=position, top_n=body.top_n)
        version = await repo.next_version(uow.conn, position_id)
        row = await repo.insert_version(uow.conn, {
            "position_id": position_id, "version": version, "reference_date": position.reference_date,
            "rules": position.rules.model_dump(mode="json"),
            "weights": position.weights.model_dump(mode="json"), "relevance": result.relevance,
            "marks": marks, "top_n": body.top_n, "inputs_hash": result.inputs_hash,
            "result_hash": result.result_hash, "result": result.model_dump(mode="json"),
            "note": body.note, "created_by": principal.user_id})
        uow.audit("shortlist.save", "position", position_id,
                  {"version": version, "inputs_hash": result.inputs_hash,
                   "result_hash": result.result_hash})
        return saved_out(row)

    out, _ = await run_idempotent(pool, principal, key,
                                  fingerprint(f"shortlist.save.{position_id}", body), SavedShortlist, work)
    return out


async def get_saved(pool: asyncpg.Pool, principal: Principal, *, position_id: int,
                    version: int) -> SavedShortlist:
    """One saved version (audited read)."""
    async with unit_of_work(pool, principal) as uow:
        row = await load_saved(uow.conn, principal, position_id=position_id, version=version)
        uow.audit("shortlist.version.read", "position", position_id, {"version": version})
        return saved_out(row, await readable_result(uow.conn, principal, row))


async def list_saved(pool: asyncpg.Pool, principal: Principal, position_id: int) -> list[SavedSummary]:
    """Saved versions of a position."""
    async with pool.acquire() as conn:
        await positions.load(conn, principal, position_id=position_id)
        return [summary_out(r) for r in await repo.list_versions(conn, position_id)]


def diff(a: ShortlistResult, b: ShortlistResult, *, from_version: int,
         to_version: int | None) -> ShortlistDiff:
    """Added, removed, moved and rescored candidates from `a` to `b`."""
    old = {c.cadre_id: c for c in a.candidates}
    new = {c.cadre_id: c for c in b.candidates}
    added = [Entry(cadre_id=c.cadre_id, name=c.name, pos=c.pos, score=c.score)
             for c in b.candidates if c.cadre_id not in old]
    removed = [Entry(cadre_id=c.cadre_id, name=c.name, pos=c.pos, score=c.score)
               for c in a.candidates if c.cadre_id not in new]
    both = [Move(cadre_id=i, name=new[i].name, pos_from=old[i].pos, pos_to=new[i].pos,
                 score_from=old[i].score, score_to=new[i].score) for i in new if i in old]
    return ShortlistDiff(
        from_version=from_version, to_version=to_version, same_inputs=a.inputs_hash == b.inputs_hash,
        same_result=a.result_hash == b.result_hash, added=added, removed=removed,
        moved=[m for m in both if m.pos_from != m.pos_to],
        rescored=[m for m in both if abs(m.score_from - m.score_to) > 5e-7],
        rules_changed=a.rules != b.rules, weights_changed=a.weights != b.weights)


async def reproduce(pool: asyncpg.Pool, principal: Principal, *, position_id: int,
                    version: int) -> ReproduceResult:
    """Recompute a saved version with its own rules, weights, marks and date; compare the hashes."""
    async with unit_of_work(pool, principal, isolation="repeatable_read") as uow:
        row = await load_saved(uow.conn, principal, position_id=position_id, version=version)
        saved = await readable_result(uow.conn, principal, row)
        again = await compute(uow.conn, principal, position_id=position_id,
                              rules=Rules.model_validate(row["rules"]),
                              weights=Weights.model_validate(row["weights"]),
                              relevance=dict(row["relevance"]), reference_date=row["reference_date"],
                              top_n=row["top_n"], marks=list(row["marks"]))
        uow.audit("shortlist.reproduce", "position", position_id, {"version": version})
    return ReproduceResult(
        version=version, reproduced=again.inputs_hash == saved.inputs_hash
        and again.result_hash == saved.result_hash, saved_inputs_hash=saved.inputs_hash,
        current_inputs_hash=again.inputs_hash, saved_result_hash=saved.result_hash,
        current_result_hash=again.result_hash, diff=diff(saved, again, from_version=version, to_version=None))


async def compare(pool: asyncpg.Pool, principal: Principal, *, position_id: int, from_version: int,
                  to_version: int) -> ShortlistDiff:
    """What changed between two saved versions (an audited read: it names candidates)."""
    async with pool.acquire() as conn:
        a = await load_saved(conn, principal, position_id=position_id, version=from_version)
        b = await load_saved(conn, principal, position_id=position_id, version=to_version)
        before, after = await readable_result(conn, principal, a), await readable_result(conn, principal, b)
    out = diff(before, after, from_version=from_version, to_version=to_version)
    shown = sorted({e.cadre_id for e in (*out.added, *out.removed)}
                   | {m.cadre_id for m in (*out.moved, *out.rescored)})
    await audit_only(pool, principal, "shortlist.compare", "position", position_id,
                     {"from": from_version, "to": to_version, "cadre_ids": shown})
    return out


def mark_out(row: asyncpg.Record) -> MarkOut:
    """Mark row to API model."""
    return MarkOut(**{k: row[k] for k in MarkOut.model_fields})


async def _eligibility(uow: UnitOfWork, position_id: int, ids: list[int]) -> tuple[
        list[CadreEligibility], date]:
    position = await positions.load(uow.conn, uow.principal, position_id=position_id)
    checked = await positions.check_cadres(uow.conn, uow.principal, rules=position.rules,
                                           reference_date=position.reference_date, ids=ids)
    return checked, position.reference_date


async def add_mark(pool: asyncpg.Pool, principal: Principal, *, position_id: int, body: MarkIn,
                   key: str | None) -> MarkOut:
    """Pin (eligible cadres only) or exclude a cadre, with a reason; the next saved version keeps it."""

    async def work(uow: UnitOfWork) -> MarkOut:
        checked, _ = await _eligibility(uow, position_id, [body.cadre_id])
        if not checked:
            raise ValidationFailed("干部不存在、不在职或不在您的范围内",
                                   errors=[{"field": "cadre_id", "message": "干部无效"}])
        if body.action == "pin" and not checked[0].eligible:
            raise Conflict(f"不符合任职资格条件，不能列入名单：{explain.failure_text(checked[0])}",
                           failed=checked[0].failed)
        row = await repo.add_mark(uow.conn, position_id, body.cadre_id, body.action, body.reason,
                                  principal.user_id)
        uow.audit(f"shortlist.{body.action}", "position", position_id,
                  {"cadre_id": body.cadre_id, "reason": body.reason})
        return mark_out(row)

    out, _ = await run_idempotent(pool, principal, key, fingerprint(f"shortlist.mark.{position_id}", body),
                                  MarkOut, work)
    return out


async def withdraw_mark(pool: asyncpg.Pool, principal: Principal, *, position_id: int,
                        mark_id: int) -> MarkOut:
    """Withdraw a pin, exclusion or seed (kept in the history)."""
    async with unit_of_work(pool, principal) as uow:
        await positions.load(uow.conn, principal, position_id=position_id)
        row = await repo.withdraw(uow.conn, principal, position_id, mark_id)
        if row is None:
            raise NotFound("标记不存在或已撤销")
        uow.audit("shortlist.unmark", "position", position_id, {"mark_id": mark_id})
        return mark_out(row)


async def list_marks(pool: asyncpg.Pool, principal: Principal, position_id: int) -> list[MarkOut]:
    """Every mark of a position on a cadre the reader may see, withdrawn ones included (audited: a
    mark names a cadre and why they were pinned or excluded). A mark an officer of a wider scope put
    on a cadre outside the reader's scope is left out, as in the shortlist itself."""
    async with unit_of_work(pool, principal) as uow:
        await positions.load(uow.conn, principal, position_id=position_id)
        rows = await repo.all_marks(uow.conn, position_id)
        seen = await cadres_repo.visible_ids(uow.conn, principal, sorted({r["cadre_id"] for r in rows}))
        out = [mark_out(r) for r in rows if r["cadre_id"] in seen]
        uow.audit("shortlist.marks.read", "position", position_id,
                  {"cadre_ids": sorted({m.cadre_id for m in out})})
        return out


async def seed(pool: asyncpg.Pool, principal: Principal, *, client: SearchClient, position_id: int,
               body: SeedIn) -> SeedResult:
    """Add the eligible cadres a candidate search finds to the working shortlist."""
    async with pool.acquire() as conn:
        await positions.load(conn, principal, position_id=position_id)
    found = await search_service.search(pool, principal, client=client, params=SearchParams(
        q=body.q, mode="candidates", per_page=body.limit))
    ids = list(dict.fromkeys(c for hit in found.hits for c in hit.cadre_ids))
    async with unit_of_work(pool, principal) as uow:
        checked, _ = await _eligibility(uow, position_id, ids)
        marked = {m["cadre_id"]: m["action"] for m in await repo.active_marks(uow.conn, position_id)}
        added, already = [], []
        for item in checked:
            if not item.eligible:
                continue
            if item.cadre_id in marked:
                already.append(item.cadre_id)
                continue
            await repo.add_mark(uow.conn, position_id, item.cadre_id, "seed", f"候选人检索：{body.q}",
                                principal.user_id)
            added.append(item.cadre_id)
        uow.audit("shortlist.seed", "position", position_id, {"q": body.q, "added": added})
    return SeedResult(q=body.q, found=ids, added=added, already=already,
                      ineligible=[c for c in checked if not c.eligible])
