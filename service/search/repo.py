"""SQL that reads what a principal may search: scopes, teams and assignments."""

import asyncpg

from service.access.repo import open_team_ids_of, team_assignment_members_sql
from service.principal import Grant, SearchScope

__all__ = ["SearchScope", "load_scope", "scope_from_row", "scope_lateral_sql", "unit_in_reach"]

# The active officer's own scope rows, as the granter of an assignment (service/access `granted`).
_GRANTER_SCOPES = """FROM user_scopes gs JOIN users gu ON gu.id = gs.user_id AND gu.active
  AND gu.role = 'officer' WHERE gs.user_id = ta.granted_by"""


def scope_lateral_sql(user_expr: str) -> str:
    """A sub-select of the scope arrays (su, st, teams) and the researcher's grants (one JSON
    object per granting officer: its teams, cadres — with the members of assigned leadership
    teams — units and that officer's current scope) of
    the user named by a SQL expression.

    Used alone (load_scope) and joined LATERAL to the token lookup, so a search costs one round trip.
    """
    return f"""WITH open_teams AS ({open_team_ids_of(user_expr)})
        SELECT
          coalesce((SELECT array_agg(unit_id) FROM user_scopes WHERE user_id = {user_expr}),
                   '{{}}') AS su,
          coalesce((SELECT array_agg(coalesce(tier, '')) FROM user_scopes WHERE user_id = {user_expr}),
                   '{{}}') AS st,
          coalesce((SELECT array_agg(team_id) FROM open_teams), '{{}}') AS teams,
          coalesce((SELECT jsonb_agg(jsonb_build_object(
                      'teams', g.teams, 'ac', g.ac, 'au', g.au, 'gu', g.gu, 'gt', g.gt)
                      ORDER BY g.granted_by)
                    FROM (SELECT ta.granted_by, array_agg(DISTINCT ta.team_id) AS teams,
                            array_remove(array_agg(DISTINCT ta.cadre_id), NULL) || coalesce((
                              SELECT array_agg(DISTINCT m.cadre_id) FROM team_assignments tm2
                              CROSS JOIN LATERAL ({team_assignment_members_sql("tm2")}) m
                              WHERE tm2.team_id IN (SELECT team_id FROM open_teams)
                                AND tm2.granted_by = ta.granted_by AND tm2.team_unit_id IS NOT NULL),
                              '{{}}') AS ac,
                            array_remove(array_agg(DISTINCT ta.unit_id), NULL) AS au,
                            (SELECT array_agg(gs.unit_id ORDER BY gs.id) {_GRANTER_SCOPES}) AS gu,
                            (SELECT array_agg(coalesce(gs.tier, '') ORDER BY gs.id) {_GRANTER_SCOPES})
                              AS gt
                          FROM team_assignments ta WHERE ta.team_id IN (SELECT team_id FROM open_teams)
                          GROUP BY ta.granted_by) g), '[]') AS grants"""


def scope_from_row(row: asyncpg.Record) -> SearchScope:
    """The scope held in a row with the columns of scope_lateral_sql."""
    return SearchScope(
        scopes=[(u, t or None) for u, t in zip(row["su"], row["st"], strict=True)],
        team_ids=list(row["teams"]),
        grants=[Grant(scopes=[(u, t or None) for u, t in zip(g["gu"] or [], g["gt"] or [], strict=True)],
                      team_ids=list(g["teams"]), cadre_ids=list(g["ac"]), unit_ids=list(g["au"]))
                for g in row["grants"]])


async def load_scope(conn: asyncpg.Connection, user_id: int) -> SearchScope:
    """Scopes of an officer or leader, or teams and grants of a researcher, in one query."""
    row = await conn.fetchrow(scope_lateral_sql("$1::bigint"), user_id)
    assert row is not None
    return scope_from_row(row)


async def unit_in_reach(conn: asyncpg.Connection, unit_id: int, scope_units: list[int]) -> bool:
    """Whether a unit lies on a scope unit's line: at or under one of them, or above one."""
    reach: bool = await conn.fetchval(
        """SELECT EXISTS (SELECT 1 FROM units u WHERE u.id = $1 AND (u.ancestor_ids && $2::bigint[]
             OR EXISTS (SELECT 1 FROM units s
                        WHERE s.id = ANY($2::bigint[]) AND u.id = ANY(s.ancestor_ids))))""",
        unit_id, scope_units)
    return reach
