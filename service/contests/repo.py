"""SQL for arena contests, presentations and judges' scores."""

from typing import Any

import asyncpg

from schemas.contests import ContestFilter
from service.access import repo as access
from service.access.units import contest_visible
from service.principal import Principal


async def get_visible(conn: asyncpg.Connection, principal: Principal,
                      contest_id: int) -> asyncpg.Record | None:
    """A readable contest."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT ct.* FROM contests ct WHERE ct.id = $1 AND {contest_visible(principal, 2)}",
        contest_id, principal.user_id)
    return row


async def search(conn: asyncpg.Connection, principal: Principal, *, filters: ContestFilter, limit: int,
                 offset: int) -> tuple[list[asyncpg.Record], int]:
    """Readable contests, latest first, and their total."""
    where = f"""{contest_visible(principal, 1)} AND ($2::text IS NULL OR ct.level = $2)
      AND ($3::date IS NULL OR ct.held_on >= $3) AND ($4::date IS NULL OR ct.held_on <= $4)"""
    args = (principal.user_id, filters.level, filters.date_from, filters.date_to)
    total: int = await conn.fetchval(f"SELECT count(*) FROM contests ct WHERE {where}", *args)
    rows = await conn.fetch(f"""SELECT ct.* FROM contests ct WHERE {where}
                                ORDER BY ct.held_on DESC, ct.id DESC LIMIT $5 OFFSET $6""",
                            *args, limit, offset)
    return rows, total


async def insert_contest(conn: asyncpg.Connection, data: dict[str, Any], user_id: int) -> int:
    """Create a contest."""
    cid: int = await conn.fetchval(
        """INSERT INTO contests (name, level, held_on, place, description, organizer_unit_id, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""",
        data["name"], data["level"], data["held_on"], data["place"], data["description"],
        data["organizer_unit_id"], user_id)
    return cid


def _presentations_sql(principal: Principal, column: str) -> str:
    # Averages and ranks are over every presentation of the contest, not only the visible ones.
    return f"""
WITH scope AS (
  SELECT DISTINCT contest_id FROM contest_presentations WHERE {column} = $1
), stats AS (
  SELECT cp.id, cp.contest_id, round(avg(cs.score / cs.max_score * 100), 2) AS average_score
  FROM contest_presentations cp LEFT JOIN contest_scores cs ON cs.presentation_id = cp.id
  WHERE cp.contest_id IN (SELECT contest_id FROM scope) GROUP BY cp.id, cp.contest_id
), ranked AS (
  SELECT id, average_score, count(*) OVER (PARTITION BY contest_id) AS presenters,
         CASE WHEN average_score IS NOT NULL THEN rank() OVER (
           PARTITION BY contest_id ORDER BY average_score DESC NULLS LAST) END AS rank
  FROM stats
)
SELECT cp.*, ct.name AS contest_name, ct.level, ct.held_on, c.name AS cadre_name, u.name AS unit_name,
  r.average_score, r.rank, r.presenters,
  coalesce((SELECT jsonb_agg(jsonb_build_object('scorer', s.scorer, 'score', s.score,
                                                'max_score', s.max_score) ORDER BY s.id)
            FROM contest_scores s WHERE s.presentation_id = cp.id), '[]') AS scores,
  coalesce((SELECT array_agg(pe.evidence_id ORDER BY pe.evidence_id)
            FROM contest_presentation_evidence pe WHERE pe.presentation_id = cp.id), '{{}}') AS evidence_ids
FROM contest_presentations cp JOIN ranked r ON r.id = cp.id JOIN contests ct ON ct.id = cp.contest_id
JOIN cadres c ON c.id = cp.cadre_id JOIN units cu ON cu.id = c.unit_id JOIN units u ON u.id = cp.unit_id
WHERE cp.{column} = $1 AND {access.cadre_visible(principal, "c", "cu", 2)}
ORDER BY ct.held_on, ct.id, cp.speaking_order NULLS LAST, cp.id"""


async def presentations(conn: asyncpg.Connection, principal: Principal, contest_id: int | None = None,
                        cadre_id: int | None = None, presentation_id: int | None = None,
                        lock: bool = False) -> list[asyncpg.Record]:
    """Readable presentations of a contest or of a cadre (or one), with scores, average and rank."""
    column, arg = next((c, v) for c, v in (("id", presentation_id), ("contest_id", contest_id),
                                           ("cadre_id", cadre_id)) if v is not None)
    sql = _presentations_sql(principal, column)
    if lock:
        sql += " FOR UPDATE OF cp"
    rows: list[asyncpg.Record] = await conn.fetch(sql, arg, principal.user_id)
    return rows


async def presenting(conn: asyncpg.Connection, contest_id: int, cadre_id: int) -> bool:
    """Whether the cadre already presented in the contest."""
    return bool(await conn.fetchval(
        "SELECT true FROM contest_presentations WHERE contest_id = $1 AND cadre_id = $2",
        contest_id, cadre_id))


async def insert_presentation(conn: asyncpg.Connection, contest_id: int, cadre_id: int, unit_id: int,
                              data: dict[str, Any], user_id: int) -> int:
    """Create a presentation with its scores."""
    pid: int = await conn.fetchval(
        """INSERT INTO contest_presentations (contest_id, cadre_id, unit_id, speaking_order, achievements,
             shortcomings, goals, measures, record_id, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id""",
        contest_id, cadre_id, unit_id, data["speaking_order"], data["achievements"],
        data["shortcomings"], data["goals"], data["measures"], data["record_id"], user_id)
    await replace_scores(conn, pid, data["scores"])
    return pid


async def update_presentation(conn: asyncpg.Connection, pid: int, version: int, data: dict[str, Any]) -> bool:
    """Replace content and scores if still at the given version."""
    done = await conn.fetchval(
        """UPDATE contest_presentations SET speaking_order = $3, achievements = $4, shortcomings = $5,
             goals = $6, measures = $7, record_id = $8, version = version + 1, updated_at = now()
           WHERE id = $1 AND version = $2 RETURNING true""",
        pid, version, data["speaking_order"], data["achievements"], data["shortcomings"],
        data["goals"], data["measures"], data["record_id"])
    if done:
        await replace_scores(conn, pid, data["scores"])
    return bool(done)


async def replace_scores(conn: asyncpg.Connection, pid: int, scores: list[dict[str, Any]]) -> None:
    """Make the presentation's scores exactly these (the revision keeps the previous ones)."""
    await conn.execute("DELETE FROM contest_scores WHERE presentation_id = $1", pid)
    await conn.executemany(
        "INSERT INTO contest_scores (presentation_id, scorer, score, max_score) VALUES ($1, $2, $3, $4)",
        [(pid, s["scorer"], s["score"], s["max_score"]) for s in scores])


async def link_evidence(conn: asyncpg.Connection, pid: int, evidence_id: int) -> None:
    """Note that the presentation produced the evidence item."""
    await conn.execute(
        "INSERT INTO contest_presentation_evidence (presentation_id, evidence_id) VALUES ($1, $2)",
        pid, evidence_id)


async def arena_record_visible(conn: asyncpg.Connection, principal: Principal, record_id: int) -> bool:
    """Whether the record is a readable arena-contest field record."""
    return bool(await conn.fetchval(
        f"""SELECT true FROM field_records r WHERE r.id = $1 AND r.kind = 'arena_contest'
            AND {access.record_visible(principal, "r", 2)}""", record_id, principal.user_id))
