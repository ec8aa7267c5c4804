"""SQL of research archives: the campaign, what it filed about a team's members, conclusions."""

from datetime import date

import asyncpg

from service.access.repo import cadre_id_visible, campaign_visible, record_visible
from service.principal import Principal


async def campaign(conn: asyncpg.Connection, principal: Principal, campaign_id: int) -> asyncpg.Record | None:
    """The campaign if the principal may see it."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT ca.* FROM campaigns ca WHERE ca.id = $2 AND {campaign_visible(principal, 'ca', 1)}",
        principal.user_id, campaign_id)
    return row


async def studied_units(conn: asyncpg.Connection, campaign_id: int) -> list[asyncpg.Record]:
    """Leadership teams (by unit) assigned to the campaign's teams, by unit path."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT DISTINCT u.id, u.name, u.path FROM team_assignments ta JOIN teams t ON t.id = ta.team_id
           JOIN units u ON u.id = ta.team_unit_id WHERE t.campaign_id = $1 ORDER BY u.path""", campaign_id)
    return rows


async def studies(conn: asyncpg.Connection, campaign_id: int, unit_id: int) -> bool:
    """Whether a team of the campaign is assigned the unit's leadership team (or a unit above it)."""
    ok = await conn.fetchval(
        """SELECT true FROM team_assignments ta JOIN teams t ON t.id = ta.team_id JOIN units u ON u.id = $2
           WHERE t.campaign_id = $1 AND (ta.team_unit_id = u.id OR ta.unit_id = ANY(u.ancestor_ids))
           LIMIT 1""", campaign_id, unit_id)
    return bool(ok)


async def researcher_covers(conn: asyncpg.Connection, user_id: int, campaign_id: int,
                            unit_id: int) -> bool:
    """Whether the researcher is on an open team of the campaign assigned the unit's team (or a unit
    above it): the archives they may read and write."""
    ok = await conn.fetchval(
        """SELECT true FROM team_assignments ta JOIN teams t ON t.id = ta.team_id
           JOIN team_members tm ON tm.team_id = t.id AND tm.user_id = $1
           JOIN campaigns ca ON ca.id = t.campaign_id AND ca.status = 'open' JOIN units u ON u.id = $3
           WHERE t.campaign_id = $2 AND (ta.team_unit_id = u.id OR ta.unit_id = ANY(u.ancestor_ids))
           LIMIT 1""", user_id, campaign_id, unit_id)
    return bool(ok)


async def evidence(conn: asyncpg.Connection, principal: Principal,
                   cadre_ids: list[int]) -> list[asyncpg.Record]:
    """Readable evidence of the cadres with the verifier's name, newest period first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT e.id, e.cadre_id, e.domain, e.title, e.description, e.period_start, e.period_end,
                   e.metrics, e.judgement, e.verification, e.verified_at, vu.display_name AS verifier_name
            FROM evidence e LEFT JOIN users vu ON vu.id = e.verified_by
            WHERE e.cadre_id = ANY($2::bigint[]) AND {cadre_id_visible(principal, "e.cadre_id", 1)}
            ORDER BY e.period_end DESC, e.id DESC""", principal.user_id, cadre_ids)
    return rows


async def records(conn: asyncpg.Connection, principal: Principal, campaign_id: int,
                  cadre_ids: list[int]) -> list[asyncpg.Record]:
    """Readable submitted records of the campaign concerning any of the cadres, by date."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT r.id, r.kind, r.occurred_on, r.place, r.title, r.body, r.details,
                   array(SELECT f.cadre_id FROM field_record_cadres f WHERE f.record_id = r.id
                         AND f.cadre_id = ANY($3::bigint[]) ORDER BY f.cadre_id) AS cadre_ids
            FROM field_records r
            WHERE r.campaign_id = $2 AND r.state = 'submitted'
              AND EXISTS (SELECT 1 FROM field_record_cadres f WHERE f.record_id = r.id
                          AND f.cadre_id = ANY($3::bigint[]))
              AND {record_visible(principal, "r", 1)}
            ORDER BY r.occurred_on, r.id""", principal.user_id, campaign_id, cadre_ids)
    return rows


async def conclusions(conn: asyncpg.Connection, campaign_id: int, unit_id: int) -> list[asyncpg.Record]:
    """Written conclusions of the archive (team: cadre_id NULL)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT ac.id, ac.cadre_id, ac.body, ac.version, ac.updated_at, u.display_name AS updated_by_name
           FROM archive_conclusions ac JOIN users u ON u.id = ac.updated_by
           WHERE ac.campaign_id = $1 AND ac.unit_id = $2""", campaign_id, unit_id)
    return rows


async def lock_conclusion(conn: asyncpg.Connection, campaign_id: int, unit_id: int,
                          cadre_id: int | None) -> asyncpg.Record | None:
    """The conclusion row, locked for an update."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT * FROM archive_conclusions WHERE campaign_id = $1 AND unit_id = $2
           AND cadre_id IS NOT DISTINCT FROM $3 FOR UPDATE""", campaign_id, unit_id, cadre_id)
    return row


async def insert_conclusion(conn: asyncpg.Connection, campaign_id: int, unit_id: int, cadre_id: int | None,
                            body: str, user_id: int) -> int | None:
    """Create a conclusion (None if one was created meanwhile)."""
    new_id: int | None = await conn.fetchval(
        """INSERT INTO archive_conclusions (campaign_id, unit_id, cadre_id, body, updated_by)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id""",
        campaign_id, unit_id, cadre_id, body, user_id)
    return new_id


async def update_conclusion(conn: asyncpg.Connection, conclusion_id: int, version: int, body: str,
                            user_id: int) -> int | None:
    """Revise a conclusion at the given version; its new version (None if stale)."""
    new: int | None = await conn.fetchval(
        """UPDATE archive_conclusions SET body = $3, updated_by = $4, version = version + 1,
                  updated_at = now()
           WHERE id = $1 AND version = $2 RETURNING version""", conclusion_id, version, body, user_id)
    return new


def overlaps(day: date, start: date, end: date) -> bool:
    """Whether a day lies within [start, end]."""
    return start <= day <= end
