"""SQL fragments that limit every query to what the principal may read.

Each function returns a boolean SQL expression over the given table aliases, in which
`$n` (n = user_param) is the principal's user id. They are built from the role alone,
never from client input, and are combined with the query's own WHERE clause.
"""

from schemas.common import Role
from service.access.roles import OFFICE
from service.leadership.rules import MEMBER_DURING, TEAM_LINES_SQL
from service.principal import Principal

_OPEN_TEAMS = """SELECT tm.team_id FROM team_members tm JOIN teams t ON t.id = tm.team_id
  JOIN campaigns ca ON ca.id = t.campaign_id WHERE tm.user_id = ${p} AND ca.status = 'open'"""


def cadre_visible(principal: Principal, cadre: str, unit: str, user_param: int) -> str:
    """Whether cadre row `cadre` (with its unit row `unit`) is readable."""
    p = user_param
    if principal.role in OFFICE:
        return (f"EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = ${p} "
                f"AND s.unit_id = ANY({unit}.ancestor_ids) "
                f"AND (s.tier IS NULL OR s.tier = {cadre}.tier))")
    if principal.role is Role.researcher:
        return (f"EXISTS (SELECT 1 FROM team_assignments ta WHERE ta.team_id IN "
                f"({_OPEN_TEAMS.format(p=p)}) "
                f"AND (ta.cadre_id = {cadre}.id OR ta.unit_id = ANY({unit}.ancestor_ids) "
                f"OR (ta.team_unit_id IS NOT NULL AND {_team_member_during_campaign(cadre)})))")
    return "false"


def _team_member_during_campaign(cadre: str) -> str:
    return f"{cadre}.id IN ({team_assignment_members_sql('ta')})"


def team_assignment_members_sql(assignment: str) -> str:
    """Cadre ids a leadership-team assignment row covers: those who were members of that unit's
    team at some time during the campaign (service/leadership/rules.py), wherever they serve now."""
    during = MEMBER_DURING.format(a="tc.starts_on", b="tc.ends_on")
    return (f"SELECT t.cadre_id FROM teams tt JOIN campaigns tc ON tc.id = tt.campaign_id "
            f"CROSS JOIN LATERAL ({TEAM_LINES_SQL} AND ce.unit_id = {assignment}.team_unit_id) t "
            f"WHERE tt.id = {assignment}.team_id AND t.role <> 'none' AND {during}")


def cadre_id_visible(principal: Principal, cadre_id_expr: str, user_param: int) -> str:
    """Whether the cadre with the given id expression is readable."""
    inner = cadre_visible(principal, "vc", "vu", user_param)
    return (f"EXISTS (SELECT 1 FROM cadres vc JOIN units vu ON vu.id = vc.unit_id "
            f"WHERE vc.id = {cadre_id_expr} AND {inner})")


def record_visible(principal: Principal, record: str, user_param: int) -> str:
    """Whether field record row `record` is readable (drafts only by their author)."""
    p = user_param
    if principal.role is Role.researcher:
        return (f"({record}.team_id IN ({_OPEN_TEAMS.format(p=p)}) "
                f"AND ({record}.state = 'submitted' OR {record}.author_id = ${p}))")
    if principal.role in OFFICE:
        concerned = cadre_id_visible(principal, "frc.cadre_id", p)
        return (f"({record}.state = 'submitted' AND EXISTS (SELECT 1 FROM field_record_cadres frc "
                f"WHERE frc.record_id = {record}.id AND {concerned}))")
    return "false"


def open_team_ids_sql(user_param: int) -> str:
    """Teams of open campaigns the user belongs to."""
    return _OPEN_TEAMS.format(p=user_param)


def open_team_ids_of(user_expr: str) -> str:
    """Teams of open campaigns of the user named by a SQL expression (e.g. a joined column)."""
    return _OPEN_TEAMS.replace("${p}", user_expr)


def unit_in_scope(principal: Principal, unit: str, tier_expr: str, user_param: int) -> str:
    """Whether an officer may manage cadres of this unit and tier."""
    if principal.role is not Role.officer:
        return "false"
    p = user_param
    return (f"EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = ${p} "
            f"AND s.unit_id = ANY({unit}.ancestor_ids) AND (s.tier IS NULL OR s.tier = {tier_expr}))")


def team_unit_readable(principal: Principal, unit: str, user_param: int) -> str:
    """Whether the leadership team of unit row `unit` may be read (its members are then filtered
    one by one with cadre_visible): officers and leaders within their scope units, researchers
    whose open team is assigned the team or a unit above it."""
    p = user_param
    if principal.role in (Role.officer, Role.leader):
        return (f"EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = ${p} "
                f"AND s.unit_id = ANY({unit}.ancestor_ids))")
    if principal.role is Role.researcher:
        return (f"EXISTS (SELECT 1 FROM team_assignments ta WHERE ta.team_id IN "
                f"({_OPEN_TEAMS.format(p=p)}) "
                f"AND (ta.team_unit_id = {unit}.id OR ta.unit_id = ANY({unit}.ancestor_ids)))")
    return "false"
