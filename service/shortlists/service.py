"""Shortlists: compute, explain, pin/exclude, save immutable versions, reproduce and compare."""

import hashlib
import json
from typing import Any

import asyncpg

from schemas.positions import CadreEligibility, PositionOut, Rules, Weights
from schemas.shortlists import (
    Candidate,
    MarkedOut,
    SavedShortlist,
    SavedSummary,
    ShortlistQuery,
    ShortlistResult,
)
from service.cadres import repo as cadres_repo
from service.errors import NotFound
from service.positions import explain
from service.positions import repo as positions_repo
from service.positions import service as positions
from service.principal import Principal
from service.shortlists import repo, scoring_sql
from service.uow import unit_of_work


async def relevance_for(conn: asyncpg.Connection, position: PositionOut) -> dict[str, float]:
    """The post category's domain relevance with the position's overrides."""
    base = await positions_repo.relevance(conn, position.category)
    base.update({d.value: float(w) for d, w in position.weights.relevance.items()})
    return base


def result_hash(candidates: list[Candidate], excluded: list[MarkedOut]) -> str:
    """sha256 of the ranking: (cadre, position, score) of every candidate and the excluded ids."""
    data = {"ranked": [[c.cadre_id, c.pos, f"{c.score:.6f}"] for c in candidates],
            "excluded": sorted(m.cadre_id for m in excluded)}
    return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode()).hexdigest()


def pinned_first(candidates: list[Candidate]) -> list[Candidate]:
    """置顶 puts a candidate at the top: pinned ones first (by score), then the rest, numbered again."""
    pinned = [c for c in candidates if c.mark == "pin"]
    rest = [c for c in candidates if c.mark != "pin"]
    return [c.model_copy(update={"pos": n}) for n, c in enumerate(pinned + rest, start=1)]


def _marks_snapshot(marks: list[asyncpg.Record]) -> list[dict[str, Any]]:
    return [{"cadre_id": m["cadre_id"], "name": m["name"], "action": m["action"], "reason": m["reason"]}
            for m in marks]


async def for_reader(conn: asyncpg.Connection, principal: Principal,
                     result: ShortlistResult) -> ShortlistResult:
    """The shortlist as its reader may see it: entries of cadres outside the reader's scope left out.

    A saved version (or a mark) made by an officer of a wider scope names cadres a narrower reader
    of the same position may not read; their names, units, scores and reasons are not shown to them.
    The stored version and its hashes stay as saved."""
    ids = ({c.cadre_id for c in result.candidates} | {m.cadre_id for m in result.excluded}
           | {m.cadre_id for m in result.ineligible_marked} | {c.cadre_id for c in result.ineligible})
    seen = await cadres_repo.visible_ids(conn, principal, sorted(ids))
    return result.model_copy(update={
        "candidates": [c for c in result.candidates if c.cadre_id in seen],
        "excluded": [m for m in result.excluded if m.cadre_id in seen],
        "ineligible_marked": [m for m in result.ineligible_marked if m.cadre_id in seen],
        "ineligible": [c for c in result.ineligible if c.cadre_id in seen]})


async def compute(conn: asyncpg.Connection, principal: Principal, *, position_id: int, rules: Rules,
                  weights: Weights, relevance: dict[str, float], reference_date: Any, top_n: int,
                  marks: list[dict[str, Any]], query: ShortlistQuery | None = None) -> ShortlistResult:
    """Score the eligible cadres and explain the top ones, the marked and (on request) the ineligible."""
    by_cadre = {m["cadre_id"]: m for m in marks}
    excluded_ids = sorted(c for c, m in by_cadre.items() if m["action"] == "exclude")
    forced = sorted(c for c, m in by_cadre.items() if m["action"] in ("pin", "seed"))
    inputs = scoring_sql.ScoreInputs(rules, weights, relevance, reference_date, top_n, forced, excluded_ids)
    raw = await scoring_sql.run(conn, principal, inputs)
    top: list[dict[str, Any]] = raw["top"]
    checked = await positions.check_cadres(conn, principal, rules=rules, reference_date=reference_date,
                                           ids=[t["cadre_id"] for t in top] + list(by_cadre))
    outcome = {c.cadre_id: c for c in checked}
    candidates = []
    for t in top:
        who = outcome[t["cadre_id"]]
        mark = by_cadre.get(t["cadre_id"])
        candidates.append(Candidate(
            **t, name=who.name, unit_name=who.unit_name, post=who.post, rules=who.rules,
            mark=mark["action"] if mark else None, mark_reason=mark["reason"] if mark else None))
    candidates = pinned_first(candidates)
    ranked_ids = {c.cadre_id for c in candidates}
    excluded = [MarkedOut(cadre_id=c, name=by_cadre[c]["name"], action="exclude",
                          reason=by_cadre[c]["reason"]) for c in excluded_ids]
    ineligible_marked = []
    for cadre_id in forced:
        if cadre_id in ranked_ids:
            continue
        who_or_none = outcome.get(cadre_id)
        ineligible_marked.append(MarkedOut(
            cadre_id=cadre_id, name=by_cadre[cadre_id]["name"], action=by_cadre[cadre_id]["action"],
            reason=by_cadre[cadre_id]["reason"], failed=who_or_none.failed if who_or_none else ["scope"],
            detail=explain.failure_text(who_or_none) if who_or_none else "干部已不在范围内或不在职"))
    ineligible: list[CadreEligibility] = []
    if query is not None and query.include_ineligible:
        failed, built = await positions_repo.rule_outcomes(
            conn, principal, rules=rules, reference_date=reference_date, which="failed",
            limit=query.ineligible_limit)
        ineligible = [explain.outcomes(r, built, rules=rules, ref=reference_date) for r in failed]
    # The hash covers every mark (a reproduction by another reader compares the same hash); what
    # is shown covers only the cadres the reader may see.
    return await for_reader(conn, principal, ShortlistResult(
        position_id=position_id, reference_date=reference_date, rules=rules, weights=weights,
        relevance=relevance, top_n=top_n, eligible_total=raw["eligible_total"],
        inputs_hash=raw["inputs_hash"], result_hash=result_hash(candidates, excluded),
        candidates=candidates, excluded=excluded, ineligible_marked=ineligible_marked,
        ineligible=ineligible))


async def current(conn: asyncpg.Connection, principal: Principal, *, position: PositionOut,
                  top_n: int, query: ShortlistQuery | None = None) -> tuple[ShortlistResult,
                                                                          list[dict[str, Any]]]:
    """The working shortlist of a position with its marks in force."""
    marks = _marks_snapshot(await repo.active_marks(conn, position.id))
    relevance = await relevance_for(conn, position)
    result = await compute(conn, principal, position_id=position.id, rules=position.rules,
                           weights=position.weights, relevance=relevance,
                           reference_date=position.reference_date, top_n=top_n, marks=marks, query=query)
    return result, marks


async def generate(pool: asyncpg.Pool, principal: Principal, *, position_id: int,
                   query: ShortlistQuery) -> ShortlistResult:
    """The working shortlist (a read; audited)."""
    # The eligible ids and their scores are read by two statements: one snapshot for both.
    async with unit_of_work(pool, principal, isolation="repeatable_read") as uow:
        position = await positions.load(uow.conn, principal, position_id=position_id)
        result, _ = await current(uow.conn, principal, position=position, top_n=query.top_n, query=query)
        uow.audit("shortlist.read", "position", position_id,
                  {"top_n": query.top_n, "inputs_hash": result.inputs_hash})
        return result


def saved_out(row: asyncpg.Record, result: ShortlistResult | None = None) -> SavedShortlist:
    """Saved version row to API model (with the result as its reader may see it, when given)."""
    return SavedShortlist(**{k: row[k] for k in SavedShortlist.model_fields if k != "result"},
                          result=result or ShortlistResult.model_validate(row["result"]))


async def readable_result(conn: asyncpg.Connection, principal: Principal,
                          row: asyncpg.Record) -> ShortlistResult:
    """A saved version's result as its reader may see it (see `for_reader`)."""
    return await for_reader(conn, principal, ShortlistResult.model_validate(row["result"]))


def summary_out(row: asyncpg.Record) -> SavedSummary:
    """Saved version row to a list entry."""
    return SavedSummary(**{k: row[k] for k in SavedSummary.model_fields})


async def load_saved(conn: asyncpg.Connection, principal: Principal, *, position_id: int,
                     version: int) -> asyncpg.Record:
    """A saved version of a position in scope, or 404."""
    await positions.load(conn, principal, position_id=position_id)
    row = await repo.get_version(conn, position_id, version)
    if row is None:
        raise NotFound("该版本的候选人名单不存在")
    return row
