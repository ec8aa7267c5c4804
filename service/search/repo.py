"""SQL that reads what a principal may search: scopes, teams and assignments."""

from dataclasses import dataclass, field

import asyncpg

from service.access.repo import open_team_ids_sql, team_assignment_members_sql


@dataclass
class SearchScope:
    """The data the access filter is built from (never from client input)."""

    scopes: list[tuple[int, str | None]] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    cadre_ids: list[int] = field(default_factory=list)
    unit_ids: list[int] = field(default_factory=list)


async def load_scope(conn: asyncpg.Connection, user_id: int) -> SearchScope:
    """Scopes of an officer or leader, or teams and assignments of a researcher, in one query."""
    row = await conn.fetchrow(
        f"""WITH open_teams AS ({open_team_ids_sql(1)})
        SELECT
          coalesce((SELECT array_agg(unit_id) FROM user_scopes WHERE user_id = $1), '{{}}') AS su,
          coalesce((SELECT array_agg(coalesce(tier, '')) FROM user_scopes WHERE user_id = $1),
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
                   '{{}}') AS au""",
        user_id)
    assert row is not None
    return SearchScope(scopes=[(u, t or None) for u, t in zip(row["su"], row["st"], strict=True)],
                       team_ids=list(row["teams"]), cadre_ids=list(row["ac"]), unit_ids=list(row["au"]))
