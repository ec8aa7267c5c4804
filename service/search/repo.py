"""SQL that reads what a principal may search: scopes, teams and assignments."""

from dataclasses import dataclass, field

import asyncpg

from service.access.repo import open_team_ids_sql


@dataclass
class Grant:
    """What one officer's assignments open to a researcher, and that officer's own scope."""

    scopes: list[tuple[int, str | None]] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    cadre_ids: list[int] = field(default_factory=list)
    unit_ids: list[int] = field(default_factory=list)


@dataclass
class SearchScope:
    """The data the access filter is built from (never from client input)."""

    scopes: list[tuple[int, str | None]] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)


async def load_scope(conn: asyncpg.Connection, user_id: int) -> SearchScope:
    """Scopes of an officer or leader, or teams and assignments (by granting officer, with that
    officer's current scope) of a researcher."""
    row = await conn.fetchrow(
        f"""WITH teams AS ({open_team_ids_sql(1)})
        SELECT
          coalesce((SELECT array_agg(unit_id) FROM user_scopes WHERE user_id = $1), '{{}}') AS su,
          coalesce((SELECT array_agg(coalesce(tier, '')) FROM user_scopes WHERE user_id = $1),
                   '{{}}') AS st,
          coalesce((SELECT array_agg(team_id) FROM teams), '{{}}') AS teams""",
        user_id)
    assert row is not None
    grants = await conn.fetch(
        f"""WITH teams AS ({open_team_ids_sql(1)})
        SELECT ta.granted_by,
          array_agg(DISTINCT ta.team_id) AS teams,
          coalesce(array_agg(DISTINCT ta.cadre_id) FILTER (WHERE ta.cadre_id IS NOT NULL), '{{}}') AS ac,
          coalesce(array_agg(DISTINCT ta.unit_id) FILTER (WHERE ta.unit_id IS NOT NULL), '{{}}') AS au,
          coalesce((SELECT array_agg(gs.unit_id) FROM user_scopes gs JOIN users gu ON gu.id = gs.user_id
                    AND gu.active AND gu.role = 'officer' WHERE gs.user_id = ta.granted_by), '{{}}') AS gu,
          coalesce((SELECT array_agg(coalesce(gs.tier, '')) FROM user_scopes gs JOIN users gu
                    ON gu.id = gs.user_id AND gu.active AND gu.role = 'officer'
                    WHERE gs.user_id = ta.granted_by), '{{}}') AS gt
        FROM team_assignments ta WHERE ta.team_id IN (SELECT team_id FROM teams)
          AND ta.granted_by IS NOT NULL
        GROUP BY ta.granted_by ORDER BY ta.granted_by""",
        user_id)
    return SearchScope(
        scopes=[(u, t or None) for u, t in zip(row["su"], row["st"], strict=True)],
        team_ids=list(row["teams"]),
        grants=[Grant(scopes=[(u, t or None) for u, t in zip(g["gu"], g["gt"], strict=True)],
                      team_ids=list(g["teams"]), cadre_ids=list(g["ac"]), unit_ids=list(g["au"]))
                for g in grants])
