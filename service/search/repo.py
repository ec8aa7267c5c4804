"""SQL that reads what a principal may search: scopes, teams and assignments."""

import asyncpg

from service.access.repo import open_team_ids_of, team_assignment_members_sql
from service.principal import SearchScope

__all__ = ["SearchScope", "load_scope", "scope_from_row", "scope_lateral_sql"]


def scope_lateral_sql(user_expr: str) -> str:
    """A sub-select of the scope arrays (su, st, teams, ac, au) of the user named by a SQL expression.

    Used alone (load_scope) and joined LATERAL to the token lookup, so a search costs one round trip.
    """
    return f"""WITH open_teams AS ({open_team_ids_of(user_expr)})
        SELECT
          coalesce((SELECT array_agg(unit_id) FROM user_scopes WHERE user_id = {user_expr}),
                   '{{}}') AS su,
          coalesce((SELECT array_agg(coalesce(tier, '')) FROM user_scopes WHERE user_id = {user_expr}),
                   '{{}}') AS st,
          coalesce((SELECT array_agg(team_id) FROM open_teams), '{{}}') AS teams,
          coalesce((SELECT array_agg(DISTINCT x.id) FROM (
                      SELECT cadre_id AS id FROM team_assignments
                      WHERE team_id IN (SELECT team_id FROM open_teams) AND cadre_id IS NOT NULL
                      UNION ALL
                      SELECT m.cadre_id FROM team_assignments ta
                      CROSS JOIN LATERAL ({team_assignment_members_sql("ta")}) m
                      WHERE ta.team_id IN (SELECT team_id FROM open_teams) AND ta.team_unit_id IS NOT NULL
                    ) x), '{{}}') AS ac,
          coalesce((SELECT array_agg(unit_id) FROM team_assignments
                    WHERE team_id IN (SELECT team_id FROM open_teams) AND unit_id IS NOT NULL),
                   '{{}}') AS au"""


def scope_from_row(row: asyncpg.Record) -> SearchScope:
    """The scope held in a row with the columns of scope_lateral_sql."""
    return SearchScope(scopes=[(u, t or None) for u, t in zip(row["su"], row["st"], strict=True)],
                       team_ids=list(row["teams"]), cadre_ids=list(row["ac"]), unit_ids=list(row["au"]))


async def load_scope(conn: asyncpg.Connection, user_id: int) -> SearchScope:
    """Scopes of an officer or leader, or teams and assignments of a researcher, in one query."""
    row = await conn.fetchrow(scope_lateral_sql("$1::bigint"), user_id)
    assert row is not None
    return scope_from_row(row)
