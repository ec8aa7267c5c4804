"""SQL for research campaigns and teams."""

import asyncpg

from service.access.repo import (
    cadre_id_visible,
    cadre_visible,
    campaign_visible,
    granted,
    open_team_ids_sql,
    team_assignment_members_sql,
    unit_manageable,
)
from service.principal import Principal


async def insert_campaign(conn: asyncpg.Connection, *, name: str, unit_id: int, description: str,
                          starts_on: object, ends_on: object, status: str, created_by: int) -> int:
    """Create a campaign."""
    new_id: int = await conn.fetchval(
        """INSERT INTO campaigns (name, unit_id, description, starts_on, ends_on, status, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""",
        name, unit_id, description, starts_on, ends_on, status, created_by,
    )
    return new_id


async def scope_units(conn: asyncpg.Connection, user_id: int) -> list[int]:
    """The distinct units of a user's scopes."""
    rows = await conn.fetch("SELECT DISTINCT unit_id FROM user_scopes WHERE user_id = $1 ORDER BY 1",
                            user_id)
    return [r["unit_id"] for r in rows]


async def units_outside_scope(conn: asyncpg.Connection, principal: Principal,
                              unit_ids: list[int]) -> list[int]:
    """Which units the officer's scope does not cover (nonexistent ones included)."""
    rows = await conn.fetch(
        f"""SELECT x.id FROM unnest($2::bigint[]) AS x(id)
            WHERE NOT {unit_manageable(principal, "x.id", 1)} ORDER BY 1""",
        principal.user_id, unit_ids)
    return [r["id"] for r in rows]


async def cadres_outside_scope(conn: asyncpg.Connection, principal: Principal,
                               cadre_ids: list[int]) -> list[int]:
    """Which cadres the officer may not read (nonexistent ones included)."""
    rows = await conn.fetch(
        f"""SELECT x.id FROM unnest($2::bigint[]) AS x(id)
            WHERE NOT {cadre_id_visible(principal, "x.id", 1)} ORDER BY 1""",
        principal.user_id, cadre_ids)
    return [r["id"] for r in rows]


async def insert_team(conn: asyncpg.Connection, campaign_id: int, name: str,
                      leader_id: int | None) -> int | None:
    """Create a team in a campaign (None if the name is taken)."""
    new_id: int | None = await conn.fetchval(
        """INSERT INTO teams (campaign_id, name, leader_id) VALUES ($1, $2, $3)
           ON CONFLICT (campaign_id, name) DO NOTHING RETURNING id""",
        campaign_id, name, leader_id,
    )
    return new_id


async def add_members(conn: asyncpg.Connection, team_id: int, user_ids: list[int]) -> None:
    """Add users to a team."""
    await conn.executemany(
        "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        [(team_id, u) for u in user_ids],
    )


async def add_assignments(conn: asyncpg.Connection, team_id: int, unit_ids: list[int],
                          cadre_ids: list[int], team_unit_ids: list[int], granted_by: int) -> None:
    """Assign units, cadres and leadership teams (by unit) to a team, on the authority of the
    granting officer."""
    await conn.executemany(
        """INSERT INTO team_assignments (team_id, unit_id, cadre_id, team_unit_id, granted_by)
           VALUES ($1, $2, $3, $4, $5)""",
        [(team_id, u, None, None, granted_by) for u in unit_ids]
        + [(team_id, None, c, None, granted_by) for c in cadre_ids]
        + [(team_id, None, None, u, granted_by) for u in team_unit_ids],
    )


async def count_users(conn: asyncpg.Connection, ids: list[int]) -> int:
    """How many of the ids are accounts."""
    n: int = await conn.fetchval("SELECT count(*) FROM users WHERE id = ANY($1::bigint[])",
                                 list(set(ids)))
    return n


async def get_campaign(conn: asyncpg.Connection, campaign_id: int) -> asyncpg.Record | None:
    """One campaign."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM campaigns WHERE id = $1", campaign_id)
    return row


async def visible_campaign_ids(conn: asyncpg.Connection, principal: Principal,
                               campaign_id: int | None = None) -> list[int]:
    """Campaigns the principal may see (officers and leaders: of their scope; researchers: their
    teams'), optionally just the one asked for."""
    rows = await conn.fetch(
        f"""SELECT c.id FROM campaigns c WHERE {campaign_visible(principal, "c", 1)}
              AND ($2::bigint IS NULL OR c.id = $2) ORDER BY c.id DESC""",
        principal.user_id, campaign_id)
    return [r["id"] for r in rows]


async def lock_visible_campaign(conn: asyncpg.Connection, principal: Principal,
                                campaign_id: int) -> asyncpg.Record | None:
    """A campaign the principal may see, locked for a change (None: missing or out of scope)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""SELECT * FROM campaigns c WHERE c.id = $2 AND {campaign_visible(principal, "c", 1)}
            FOR UPDATE""",
        principal.user_id, campaign_id)
    return row


async def teams_of(conn: asyncpg.Connection, campaign_ids: list[int]) -> list[asyncpg.Record]:
    """Teams of campaigns with members and assignments aggregated."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT t.id, t.campaign_id, t.name, t.leader_id,
             coalesce((SELECT array_agg(user_id ORDER BY user_id) FROM team_members
                       WHERE team_id = t.id), '{}') AS member_ids,
             coalesce((SELECT array_agg(unit_id ORDER BY id) FROM team_assignments
                       WHERE team_id = t.id AND unit_id IS NOT NULL), '{}') AS unit_ids,
             coalesce((SELECT array_agg(cadre_id ORDER BY id) FROM team_assignments
                       WHERE team_id = t.id AND cadre_id IS NOT NULL), '{}') AS cadre_ids,
             coalesce((SELECT array_agg(team_unit_id ORDER BY id) FROM team_assignments
                       WHERE team_id = t.id AND team_unit_id IS NOT NULL), '{}') AS leadership_unit_ids
           FROM teams t WHERE t.campaign_id = ANY($1::bigint[]) ORDER BY t.id""",
        campaign_ids,
    )
    return rows


async def update_campaign(conn: asyncpg.Connection, campaign_id: int, version: int, name: str,
                          description: str, ends_on: object, status: str) -> bool:
    """Update a campaign if still at the given version."""
    done = await conn.fetchval(
        """UPDATE campaigns SET name = $3, description = $4, ends_on = $5, status = $6,
                                version = version + 1, updated_at = now()
           WHERE id = $1 AND version = $2 RETURNING true""",
        campaign_id, version, name, description, ends_on, status,
    )
    return bool(done)


async def team_for_filing(conn: asyncpg.Connection, user_id: int, campaign_id: int,
                          team_id: int) -> asyncpg.Record | None:
    """The team if the user is a member and its campaign is open."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT t.id, c.starts_on, c.ends_on FROM teams t
           JOIN team_members tm ON tm.team_id = t.id AND tm.user_id = $1
           JOIN campaigns c ON c.id = t.campaign_id AND c.status = 'open'
           WHERE t.id = $3 AND t.campaign_id = $2""",
        user_id, campaign_id, team_id,
    )
    return row


def assignment_covers(team: str, cadre: str, unit: str) -> str:
    """Whether the team (an id expression) may file on cadre row `cadre` (with its unit row
    `unit`): the team is assigned the cadre, a unit above the cadre, or a leadership team the
    cadre sat on during the campaign, and the granting officer's scope covers the cadre now.

    The one rule of a team's assignment: the filing check (cadres_outside_assignment) and the
    filing form's cadre picker (fileable_cadres) both use it.
    """
    return (f"EXISTS (SELECT 1 FROM team_assignments ta WHERE ta.team_id = {team} "
            f"AND (ta.cadre_id = {cadre}.id OR ta.unit_id = ANY({unit}.ancestor_ids) "
            f"OR (ta.team_unit_id IS NOT NULL AND {cadre}.id IN ({team_assignment_members_sql('ta')}))) "
            f"AND {granted('ta.granted_by', cadre, unit)})")


async def cadres_outside_assignment(conn: asyncpg.Connection, team_id: int,
                                    cadre_ids: list[int]) -> list[int]:
    """Which of the cadres the team's assignment does not cover (within its granter's scope)."""
    rows = await conn.fetch(
        f"""SELECT x.id FROM unnest($2::bigint[]) AS x(id)
           WHERE NOT EXISTS (
             SELECT 1 FROM cadres c JOIN units u ON u.id = c.unit_id
             WHERE c.id = x.id AND {assignment_covers("$1", "c", "u")})""",
        team_id, cadre_ids,
    )
    return [r["id"] for r in rows]


async def fileable_cadres(conn: asyncpg.Connection, principal: Principal, *, team_id: int,
                          name_part: str | None, ids: list[int] | None) -> list[asyncpg.Record]:
    """Cadres a member may file on in the team: its assignment (assignment_covers) and what the
    principal may read (cadre_visible), the two checks of filing a record; nothing unless the
    principal is a member of the team and its campaign is open. Optionally only names containing
    `name_part`, or only the given ids. In id order, as cadre summaries."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT c.id, c.name, c.unit_id, u.name AS unit_name, c.post, c.rank, c.post_level,
                  c.tier, c.status
           FROM cadres c JOIN units u ON u.id = c.unit_id
           WHERE $2 IN ({open_team_ids_sql(1)})
             AND {assignment_covers("$2", "c", "u")}
             AND {cadre_visible(principal, "c", "u", 1)}
             AND ($3::text IS NULL OR strpos(c.name, $3) > 0)
             AND ($4::bigint[] IS NULL OR c.id = ANY($4::bigint[]))
           ORDER BY c.id""",
        principal.user_id, team_id, name_part, ids,
    )
    return rows


async def record_ids_of(conn: asyncpg.Connection, campaign_id: int) -> list[int]:
    """Ids of the campaign's field records."""
    rows = await conn.fetch("SELECT id FROM field_records WHERE campaign_id = $1", campaign_id)
    return [r["id"] for r in rows]
