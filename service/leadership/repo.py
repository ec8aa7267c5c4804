"""SQL for leadership teams: members over time, team lists, team roles of resume lines."""

from datetime import date

import asyncpg

from service.access.repo import cadre_visible, team_unit_readable, unit_in_scope, unit_manageable
from service.leadership.rules import MEMBER_DURING, TEAM_LINES_SQL
from service.principal import Principal
from service.units.repo import tree_order


async def readable_unit(conn: asyncpg.Connection, principal: Principal,
                        unit_id: int) -> asyncpg.Record | None:
    """The unit if its leadership team may be read by the principal."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""SELECT u.id, u.name, u.kind, u.path FROM units u
            WHERE u.id = $2 AND {team_unit_readable(principal, 'u', 1)}""",
        principal.user_id, unit_id)
    return row


async def team_lines(conn: asyncpg.Connection, principal: Principal, unit_id: int,
                     date_from: date, date_to: date) -> list[asyncpg.Record]:
    """Team lines of the unit overlapping [date_from, date_to], of cadres the principal may read."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT t.*, c.name, c.tier FROM ({TEAM_LINES_SQL} AND ce.unit_id = $2) t
            JOIN cadres c ON c.id = t.cadre_id JOIN units cu ON cu.id = c.unit_id
            WHERE t.role <> 'none' AND {MEMBER_DURING.format(a='$3::date', b='$4::date')}
              AND {cadre_visible(principal, 'c', 'cu', 1)}
            ORDER BY t.role = 'head' DESC, t.post_level IS NULL, t.member_from, t.line_id""",
        principal.user_id, unit_id, date_from, date_to)
    return rows


async def list_teams(conn: asyncpg.Connection, principal: Principal, on: date, tier: str | None,
                     name: str | None, limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
    """Leadership teams with members on the date, readable by the principal (in unit tree order)."""
    rows = await conn.fetch(
        f"""WITH lines AS (
              SELECT t.unit_id, t.role, t.cadre_id, c.name, c.tier FROM ({TEAM_LINES_SQL}
                AND ce.start_date <= $2 AND coalesce(ce.end_date, 'infinity'::date) >= $2) t
              JOIN cadres c ON c.id = t.cadre_id JOIN units cu ON cu.id = c.unit_id
              WHERE t.role <> 'none' AND {cadre_visible(principal, 'c', 'cu', 1)}),
            teams AS (
              SELECT u.id AS unit_id, u.name AS unit_name, u.kind AS unit_kind, {tree_order("u")} AS tree_key,
                     (array_agg(l.name ORDER BY l.name, l.cadre_id) FILTER (WHERE l.role = 'head'))[1]
                       AS head_name,
                     (array_agg(l.cadre_id ORDER BY l.name, l.cadre_id) FILTER (WHERE l.role = 'head'))[1]
                       AS head_id,
                     bool_or(l.role = 'head' AND l.tier = 'city_managed') AS city_head,
                     count(*) AS members, count(*) FILTER (WHERE l.tier = 'city_managed') AS city_managed
              FROM lines l JOIN units u ON u.id = l.unit_id
              WHERE {team_unit_readable(principal, 'u', 1)}
                AND ($4::text IS NULL OR strpos(u.name, $4) > 0)
              GROUP BY u.id)
            SELECT *, count(*) OVER () AS total FROM teams
            WHERE $3::text IS NULL OR ($3 = 'city_managed') = coalesce(city_head, false)
            ORDER BY tree_key LIMIT $5 OFFSET $6""",
        principal.user_id, on, tier, name, limit, offset)
    return rows, (rows[0]["total"] if rows else 0)


async def lock_line_for_officer(conn: asyncpg.Connection, principal: Principal,
                                line_id: int) -> asyncpg.Record | None:
    """A resume line of a cadre the officer manages, at a unit their scope covers (its role says who
    was in that unit's team: another district's bureau is not theirs to write), locked for a change.
    A line without a unit belongs to no team."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""SELECT ce.* FROM career_entries ce JOIN cadres c ON c.id = ce.cadre_id
            JOIN units u ON u.id = c.unit_id
            WHERE ce.id = $2 AND {unit_in_scope(principal, 'u', 'c.tier', 1)}
              AND (ce.unit_id IS NULL OR {unit_manageable(principal, 'ce.unit_id', 1)})
            FOR UPDATE OF ce""",
        principal.user_id, line_id)
    return row


async def set_line_role(conn: asyncpg.Connection, line_id: int, version: int,
                        role: str | None) -> int | None:
    """Set a line's team role if still at the version; the new version (None if stale)."""
    new: int | None = await conn.fetchval(
        """UPDATE career_entries SET team_role = $3, version = version + 1
           WHERE id = $1 AND version = $2 RETURNING version""", line_id, version, role)
    return new


async def freeze_current_headship(conn: asyncpg.Connection, cadre_id: int) -> None:
    """Write the derived current headship onto its resume line as an explicit role.

    Called before a cadre's post changes, so the past headship survives the move.
    """
    await conn.execute(
        """UPDATE career_entries SET team_role = 'head', version = version + 1
           WHERE id = (SELECT ce.id FROM cadres c JOIN career_entries ce ON ce.cadre_id = c.id
                       AND ce.unit_id = c.unit_id WHERE c.id = $1 AND c.is_unit_head
                       ORDER BY ce.start_date DESC, ce.id DESC LIMIT 1)
             AND team_role IS NULL""", cadre_id)
