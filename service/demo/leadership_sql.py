"""SQL of the demo's leadership-team story (service/demo/leadership_story.py)."""

from datetime import date
from typing import Any

import asyncpg

from service.leadership.rules import HEADSHIPS_SQL, MEMBER_DURING, TEAM_LINES_SQL

STORY_TABLES = ("campaigns", "teams", "team_members", "team_assignments", "field_records",
                "field_record_cadres", "evaluation_rounds", "evaluation_votes", "archive_conclusions",
                "promotions", "promotion_stages", "inspection_drafts")


async def table_counts(conn: asyncpg.Connection) -> dict[str, int]:
    """Rows in each table the story writes."""
    return {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in STORY_TABLES}


async def user_ids(conn: asyncpg.Connection, usernames: list[str]) -> dict[str, int]:
    """Ids of demo accounts by username."""
    rows = await conn.fetch("SELECT id, username FROM users WHERE username = ANY($1::text[])", usernames)
    return {r["username"]: r["id"] for r in rows}


async def root_unit(conn: asyncpg.Connection) -> int:
    """The city at the top of the unit tree."""
    unit_id: int = await conn.fetchval("SELECT id FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1")
    return unit_id


async def city_managed_teams(conn: asyncpg.Connection, on: date) -> list[int]:
    """Units whose head on the day is a city-managed cadre (市管领导班子), by unit path."""
    rows = await conn.fetch(
        # The head lines alone: the whole team derivation compares every line with its unit's
        # other lines, minutes on the 100,000-cadre set.
        f"""SELECT DISTINCT u.id, u.path FROM ({HEADSHIPS_SQL}) h JOIN cadres c ON c.id = h.cadre_id
            JOIN units u ON u.id = h.unit_id
            WHERE c.tier = 'city_managed' AND c.status = 'active'
              AND h.headed_from <= $1::date AND coalesce(h.headed_to, 'infinity'::date) >= $1::date
            ORDER BY u.path""", on)
    return [r["id"] for r in rows]


async def members(conn: asyncpg.Connection, unit_id: int, start: date, end: date) -> list[asyncpg.Record]:
    """Team members during the dates, heads first, one row per cadre."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT DISTINCT ON (t.role = 'head', t.cadre_id) t.cadre_id, t.role, t.member_from, c.name, c.tier
            FROM ({TEAM_LINES_SQL} AND ce.unit_id = $1) t JOIN cadres c ON c.id = t.cadre_id
            WHERE t.role <> 'none' AND c.status = 'active'
              AND {MEMBER_DURING.format(a='$2::date', b='$3::date')}
            ORDER BY t.role = 'head' DESC, t.cadre_id, t.member_from DESC""", unit_id, start, end)
    return rows


async def insert_campaign(conn: asyncpg.Connection, name: str, unit_id: int, description: str, start: date,
                          end: date, created_by: int) -> int:
    """The campaign row."""
    new_id: int = await conn.fetchval(
        """INSERT INTO campaigns (name, unit_id, description, starts_on, ends_on, status, created_by)
           VALUES ($1, $2, $3, $4, $5, 'open', $6) RETURNING id""",
        name, unit_id, description, start, end, created_by)
    return new_id


async def insert_team(conn: asyncpg.Connection, campaign_id: int, name: str, leader_id: int,
                      member_ids: list[int], unit_ids: list[int], granted_by: int) -> int:
    """A research team with members and leadership-team assignments."""
    team_id: int = await conn.fetchval(
        "INSERT INTO teams (campaign_id, name, leader_id) VALUES ($1, $2, $3) RETURNING id",
        campaign_id, name, leader_id)
    await conn.executemany("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)",
                           [(team_id, u) for u in member_ids])
    await conn.executemany(
        "INSERT INTO team_assignments (team_id, team_unit_id, granted_by) VALUES ($1, $2, $3)",
        [(team_id, u, granted_by) for u in unit_ids])
    return team_id


async def insert_record(conn: asyncpg.Connection, campaign_id: int, team_id: int, author_id: int,
                        kind: str, occurred_on: date, place: str, title: str, body: str,
                        details: dict[str, Any], cadre_ids: list[int]) -> int:
    """A submitted field record and the cadres it concerns."""
    record_id: int = await conn.fetchval(
        """INSERT INTO field_records (campaign_id, team_id, author_id, kind, occurred_on, place, title, body,
                                      details, state, submitted_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted',
                   ($5::date + time '18:30') AT TIME ZONE 'Asia/Shanghai') RETURNING id""",
        campaign_id, team_id, author_id, kind, occurred_on, place, title, body, details)
    await conn.executemany("INSERT INTO field_record_cadres (record_id, cadre_id) VALUES ($1, $2)",
                           [(record_id, c) for c in sorted(set(cadre_ids))])
    await conn.execute("INSERT INTO outbox (entity_type, entity_id) VALUES ('record', $1)", record_id)
    return record_id


async def insert_round(conn: asyncpg.Connection, unit_id: int, campaign_id: int, name: str, held_on: date,
                       created_by: int, votes: list[tuple[int | None, str, str, int]]) -> int:
    """An evaluation round and its votes."""
    round_id: int = await conn.fetchval(
        """INSERT INTO evaluation_rounds (unit_id, campaign_id, name, held_on, created_by)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""", unit_id, campaign_id, name, held_on, created_by)
    await conn.executemany(
        """INSERT INTO evaluation_votes (round_id, cadre_id, rater_category, grade, votes)
           VALUES ($1, $2, $3, $4, $5)""",
        [(round_id, *v) for v in votes])
    return round_id


async def insert_conclusion(conn: asyncpg.Connection, campaign_id: int, unit_id: int, cadre_id: int | None,
                            body: str, user_id: int) -> None:
    """A written conclusion of the archive."""
    await conn.execute(
        """INSERT INTO archive_conclusions (campaign_id, unit_id, cadre_id, body, updated_by)
           VALUES ($1, $2, $3, $4, $5)""", campaign_id, unit_id, cadre_id, body, user_id)


async def free_cadre(conn: asyncpg.Connection, cadre_ids: list[int]) -> int | None:
    """The first of the cadres without a live post promotion."""
    found: int | None = await conn.fetchval(
        """SELECT x FROM unnest($1::bigint[]) WITH ORDINALITY AS t(x, n)
           WHERE NOT EXISTS (SELECT 1 FROM promotions p WHERE p.cadre_id = x AND p.kind = 'post_promotion'
                             AND p.status = 'in_progress') ORDER BY n LIMIT 1""", cadre_ids)
    return found


async def insert_promotion_at_inspection(conn: asyncpg.Connection, cadre_id: int, target_unit_id: int,
                                         target_post: str, level: str | None, user_id: int,
                                         motion: dict[str, Any], recommendation: dict[str, Any]) -> int:
    """A post promotion whose motion and recommendation are recorded (inspection is next)."""
    promotion_id: int = await conn.fetchval(
        """INSERT INTO promotions (cadre_id, kind, target_unit_id, target_post, target_post_level, stage,
                                   tier, created_by)
           SELECT $1, 'post_promotion', $2, $3, $4, 'recommendation', c.tier, $5 FROM cadres c WHERE c.id = $1
           RETURNING id""", cadre_id, target_unit_id, target_post, level, user_id)
    await conn.executemany(
        """INSERT INTO promotion_stages (promotion_id, stage, stage_date, payload, recorded_by)
           VALUES ($1, $2, $3, $4, $5)""",
        [(promotion_id, "motion", date.fromisoformat(motion["date"]), motion, user_id),
         (promotion_id, "recommendation", date.fromisoformat(recommendation["date"]), recommendation,
          user_id)])
    return promotion_id
