"""SQL for democratic evaluation rounds and talk statistics."""

from datetime import date
from typing import Any

import asyncpg

from service.access.repo import cadre_id_visible, record_visible, team_unit_readable
from service.leadership.rules import MEMBER_DURING, TEAM_LINES_SQL
from service.principal import Principal


async def members_on(conn: asyncpg.Connection, unit_id: int, on: date) -> dict[int, str]:
    """Cadres in the unit's team on the date (id → name), regardless of the reader's scope."""
    rows = await conn.fetch(
        f"""SELECT DISTINCT t.cadre_id, c.name FROM ({TEAM_LINES_SQL} AND ce.unit_id = $1) t
            JOIN cadres c ON c.id = t.cadre_id
            WHERE t.role <> 'none' AND {MEMBER_DURING.format(a='$2::date', b='$2::date')}""",
        unit_id, on)
    return {r["cadre_id"]: r["name"] for r in rows}


async def campaign_team_for(conn: asyncpg.Connection, principal: Principal, campaign_id: int,
                            unit_id: int) -> bool:
    """Whether the campaign is open and one of its teams holding the user is assigned the unit's team."""
    ok = await conn.fetchval(
        """SELECT true FROM teams t JOIN campaigns ca ON ca.id = t.campaign_id AND ca.status = 'open'
           JOIN team_members tm ON tm.team_id = t.id AND tm.user_id = $1
           JOIN team_assignments ta ON ta.team_id = t.id
           JOIN units u ON u.id = $3
           WHERE t.campaign_id = $2 AND (ta.team_unit_id = u.id OR ta.unit_id = ANY(u.ancestor_ids))
           LIMIT 1""", principal.user_id, campaign_id, unit_id)
    return bool(ok)


async def insert_round(conn: asyncpg.Connection, unit_id: int, campaign_id: int | None, name: str,
                       held_on: date, note: str, created_by: int,
                       votes: list[tuple[int | None, str, str, int]]) -> int:
    """Create a round with its votes (cadre_id, rater_category, grade, votes)."""
    round_id: int = await conn.fetchval(
        """INSERT INTO evaluation_rounds (unit_id, campaign_id, name, held_on, note, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        unit_id, campaign_id, name, held_on, note, created_by)
    await conn.executemany(
        """INSERT INTO evaluation_votes (round_id, cadre_id, rater_category, grade, votes)
           VALUES ($1, $2, $3, $4, $5)""", [(round_id, *v) for v in votes])
    return round_id


def _round_readable(principal: Principal) -> str:
    readable = team_unit_readable(principal, "u", 1)
    return f"EXISTS (SELECT 1 FROM units u WHERE u.id = r.unit_id AND {readable})"


async def rounds(conn: asyncpg.Connection, principal: Principal, unit_id: int | None,
                 campaign_id: int | None, round_id: int | None = None) -> list[asyncpg.Record]:
    """Readable rounds (newest first) with the votes of subjects the principal may read."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT r.id, r.unit_id, u.name AS unit_name, r.campaign_id, r.name, r.held_on, r.note,
                   r.version,
                   coalesce((SELECT jsonb_agg(jsonb_build_object(
                       'cadre_id', v.cadre_id, 'name', c.name, 'category', v.rater_category,
                       'grade', v.grade, 'votes', v.votes) ORDER BY v.cadre_id NULLS FIRST)
                     FROM evaluation_votes v LEFT JOIN cadres c ON c.id = v.cadre_id
                     WHERE v.round_id = r.id
                       AND (v.cadre_id IS NULL OR {cadre_id_visible(principal, 'v.cadre_id', 1)})),
                     '[]') AS votes
            FROM evaluation_rounds r JOIN units u ON u.id = r.unit_id
            WHERE {_round_readable(principal)}
              AND ($2::bigint IS NULL OR r.unit_id = $2) AND ($3::bigint IS NULL OR r.campaign_id = $3)
              AND ($4::bigint IS NULL OR r.id = $4)
            ORDER BY r.held_on DESC, r.id DESC LIMIT 200""",
        principal.user_id, unit_id, campaign_id, round_id)
    return rows


async def talk_stats(conn: asyncpg.Connection, principal: Principal, campaign_id: int,
                     cadre_ids: list[int]) -> list[asyncpg.Record]:
    """Submitted interview records of the campaign the principal may read, per cadre and relation."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT frc.cadre_id, fr.details->>'interviewee_relation' AS relation,
                   count(*) AS records, array_agg(fr.id ORDER BY fr.occurred_on, fr.id) AS record_ids,
                   sum(coalesce((fr.details->>'interviewee_count')::int, 1)) AS people
            FROM field_records fr JOIN field_record_cadres frc ON frc.record_id = fr.id
            WHERE fr.campaign_id = $2 AND fr.kind = 'interview' AND fr.state = 'submitted'
              AND frc.cadre_id = ANY($3::bigint[]) AND {record_visible(principal, 'fr', 1)}
            GROUP BY 1, 2 ORDER BY 1, 2""",
        principal.user_id, campaign_id, cadre_ids)
    return rows


def vote_rows(raw: Any) -> list[dict[str, Any]]:
    """The votes column of `rounds` as a list of dicts."""
    return list(raw) if isinstance(raw, list) else []
