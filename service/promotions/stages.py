"""The selection stages as rules: order per kind, dates that never go backwards, per-stage checks.

Stage order per kind (干部选拔任用工作条例; 公务员职务与职级并行规定):
- post promotion (提拔) and rank promotion (晋升职级): motion → democratic recommendation →
  inspection → decision meeting → public notice → appointment; a post promotion to a
  non-elected post then has a one-year probation;
- lateral transfer (平级调动): motion → inspection → decision meeting → appointment (no
  recommendation vote and no pre-appointment notice, which the rules require for promotions).
"""

from datetime import date
from typing import Any

import asyncpg
from pydantic import TypeAdapter, ValidationError

from schemas.common import DbId
from schemas.labels import PROMOTION_STAGE
from schemas.promotions import MAX_CANDIDATES, Count, DecisionIn, NoticeIn, RecommendationIn
from service.cadres import repo as cadres_repo
from service.errors import Conflict, ValidationFailed
from service.principal import Principal
from service.promotions import repo

FULL = ("motion", "recommendation", "inspection", "decision", "notice", "appointment")
SEQUENCES: dict[str, tuple[str, ...]] = {
    "post_promotion": FULL,
    "rank_promotion": FULL,
    "lateral_transfer": ("motion", "inspection", "decision", "appointment"),
}
NOTICE_MIN_WORKING_DAYS = 5


def next_stage(kind: str, done: str) -> str | None:
    """The stage that must come next after `done` ('none' before the first)."""
    seq = SEQUENCES[kind]
    if done == "none":
        return seq[0]
    i = seq.index(done)
    return seq[i + 1] if i + 1 < len(seq) else None


def stage_dates(payload: Any) -> tuple[date, date | None]:
    """(stage date, end date) of a payload; the notice runs from start to end."""
    if isinstance(payload, NoticeIn):
        return payload.start, payload.end
    day: date = payload.date
    return day, None


def check_order(kind: str, done: str, stage: str) -> None:
    """Refuse a stage out of order (409, naming the rule)."""
    seq = SEQUENCES[kind]
    label = PROMOTION_STAGE[stage]
    if stage not in seq:
        raise Conflict(f"该类选任不经过「{label}」阶段")
    expected = next_stage(kind, done)
    if expected is None:
        raise Conflict("各阶段均已记录完毕")
    if seq.index(stage) < seq.index(expected):
        raise Conflict(f"「{label}」阶段已记录，如需更正请使用修正（amend）")
    if stage != expected:
        raise Conflict(f"不能跳过「{PROMOTION_STAGE[expected]}」阶段，请先记录该阶段")


def check_dates(stage: str, start: date, *, end: date | None, recorded: dict[str, asyncpg.Record],
                kind: str, today: date) -> None:
    """Dates never go backwards: after the previous recorded stage, before the next one."""
    seq = SEQUENCES[kind]
    i = seq.index(stage)
    before = [recorded[s] for s in seq[:i] if s in recorded]
    after = [recorded[s] for s in seq[i + 1:] if s in recorded]
    if before:
        prev = before[-1]
        prev_end = prev["end_date"] or prev["stage_date"]
        label = PROMOTION_STAGE[prev["stage"]]
        if stage == "appointment" and prev["stage"] == "notice" and start <= prev_end:
            raise Conflict(f"任职日期须在公示期满（{prev_end.isoformat()}）之后")
        if start < prev_end:
            raise Conflict(f"「{PROMOTION_STAGE[stage]}」日期（{start.isoformat()}）不能早于"
                           f"「{label}」（{prev_end.isoformat()}）")
    if after and (end or start) > after[0]["stage_date"]:
        raise Conflict(f"「{PROMOTION_STAGE[stage]}」日期不能晚于已记录的"
                       f"「{PROMOTION_STAGE[after[0]['stage']]}」（{after[0]['stage_date'].isoformat()}）")
    if start > today:
        raise Conflict(f"「{PROMOTION_STAGE[stage]}」日期不能晚于今天")


def check_decision(d: DecisionIn) -> None:
    """A valid meeting has at least two thirds of its members; it passes with more than half of all."""
    if d.present * 3 < d.members_total * 2:
        raise Conflict(f"到会成员不足应到会成员的三分之二（应到{d.members_total}人，实到{d.present}人），"
                       "会议不能讨论决定干部任免事项")
    need = d.members_total // 2 + 1
    if d.in_favour < need:
        raise Conflict(f"同意票未超过应到会成员半数（应到{d.members_total}人，同意{d.in_favour}票，"
                       f"至少需{need}票），不能形成任用决定")


# One answer for a candidate id that names no cadre and for one outside the caller's scope, so
# that a vote cannot be used to find out which ids exist in another district.
CANDIDATE_UNREADABLE = "推荐得票中的候选人不存在或不在您的查看范围内"
_CANDIDATE: TypeAdapter[int] = TypeAdapter(DbId)
_COUNT: TypeAdapter[int] = TypeAdapter(Count)


async def check_recommendation(conn: asyncpg.Connection, principal: Principal, *, r: RecommendationIn,
                               cadre_id: int) -> None:
    """Every candidate is a cadre the caller may read, named once, with no more votes than ballots
    returned, and the record's cadre is among them; each refusal names its row (payload.votes.<i>)."""
    rows: list[tuple[int, int | None, int | None]] = [(i, v.cadre_id, v.votes) for i, v in enumerate(r.votes)]
    problems = await vote_problems(conn, principal, rows=rows, returned=r.ballots_returned, cadre_id=cadre_id)
    if problems:
        raise ValidationFailed(problems[0][0], errors=[{"field": f, "message": m} for _, f, m in problems])


async def vote_problems(conn: asyncpg.Connection, principal: Principal, *,
                        rows: list[tuple[int, int | None, int | None]], returned: int | None,
                        cadre_id: int) -> list[tuple[str, str, str]]:
    """(detail, field, message) of each candidate row that breaks a rule. A row is (index, candidate,
    votes); None is a value that did not parse (its own error is the schema's), so it is not checked
    here, and without a valid returned count no row's votes are compared with it."""
    named = sorted({c for _, c, _ in rows if c is not None})
    readable = await cadres_repo.visible_ids(conn, principal, named) if named else set()
    problems: list[tuple[str, str, str]] = []  # (detail, field, message under the field)
    seen: set[int] = set()
    for i, candidate, votes in rows:
        row = f"payload.votes.{i}"
        if candidate is not None:
            if candidate not in readable:
                problems.append((CANDIDATE_UNREADABLE, f"{row}.cadre_id", "候选人不存在或不在您的查看范围内"))
            elif candidate in seen:
                problems.append(("同一候选人只能出现一次", f"{row}.cadre_id", "该候选人已在前面列出"))
            seen.add(candidate)
        if votes is not None and returned is not None and votes > returned:
            problems.append(("候选人得票不能多于收回票数", f"{row}.votes", f"不能多于收回票数（{returned}）"))
    if cadre_id not in seen and all(c is not None for _, c, _ in rows):
        problems.append(("民主推荐得票中须包括本选任记录的干部", "payload.votes", "缺少本人得票"))
    return problems


def _parsed(adapter: TypeAdapter[int], value: Any) -> int | None:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


async def unparsed_vote_problems(conn: asyncpg.Connection, principal: Principal, *, payload: Any,
                                 cadre_id: int) -> list[dict[str, str]]:
    """The candidate-row errors of a recommendation the schema refused, from what did parse: the one
    answer then holds every error, not the schema's first and the rows' after a second submission."""
    if not isinstance(payload, dict) or payload.get("stage") != "recommendation":
        return []
    votes = payload.get("votes")
    if not isinstance(votes, list) or len(votes) > MAX_CANDIDATES:
        return []  # the schema's own error (too many rows) is the answer
    rows = [(i, _parsed(_CANDIDATE, v.get("cadre_id")), _parsed(_COUNT, v.get("votes")))
            if isinstance(v, dict) else (i, None, None) for i, v in enumerate(votes)]
    returned = _parsed(_COUNT, payload.get("ballots_returned"))
    issued = _parsed(_COUNT, payload.get("ballots_issued"))
    if returned is not None and issued is not None and returned > issued:
        returned = None  # the count itself is refused; comparing the rows with it would mislead
    problems = await vote_problems(conn, principal, rows=rows, returned=returned, cadre_id=cadre_id)
    return [{"field": f, "message": m} for _, f, m in problems]


async def check_notice(conn: asyncpg.Connection, n: NoticeIn) -> int:
    """At least 5 working days on the holiday calendar, which must cover the period's years."""
    days, missing = await repo.working_days(conn, n.start, n.end)
    if missing:
        raise Conflict(f"工作日历未包含{'、'.join(str(y) for y in missing)}年的节假日安排，无法计算公示期")
    if days < NOTICE_MIN_WORKING_DAYS:
        raise Conflict(f"公示期不足{NOTICE_MIN_WORKING_DAYS}个工作日（实际{days}个）")
    return days


async def check_inspection(conn: asyncpg.Connection, cadre_id: int, *, evidence_ids: list[int],
                           visible_records: int, record_ids: list[int]) -> None:
    """The report's records must be readable and its evidence must be the cadre's."""
    if record_ids and visible_records != len(set(record_ids)):
        raise ValidationFailed("考察材料关联的调研记录不存在或无权访问",
                               errors=[{"field": "payload.record_ids", "message": "记录无效"}])
    if evidence_ids and await repo.cadre_evidence_count(conn, cadre_id,
                                                        evidence_ids) != len(set(evidence_ids)):
        raise ValidationFailed("考察材料引用的实绩须属于该干部",
                               errors=[{"field": "payload.evidence_ids", "message": "实绩无效"}])
