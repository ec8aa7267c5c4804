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


def granted(granter: str, cadre: str, unit: str) -> str:
    """Whether the officer `granter` (an id expression) may read the cadre right now.

    A researcher's access through an assignment never exceeds the scope of the officer who
    granted it: checked at read time, so a narrowed or withdrawn scope (or an assignment made
    before this rule) cannot leak. An officer who is no longer active grants nothing.
    """
    return (f"EXISTS (SELECT 1 FROM user_scopes gs JOIN users gu ON gu.id = gs.user_id "
            f"AND gu.active AND gu.role = 'officer' WHERE gs.user_id = {granter} "
            f"AND gs.unit_id = ANY({unit}.ancestor_ids) AND (gs.tier IS NULL OR gs.tier = {cadre}.tier))")


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
                f"OR (ta.team_unit_id IS NOT NULL AND {_team_member_during_campaign(cadre)})) "
                f"AND {granted('ta.granted_by', cadre, unit)})")
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
        # Their own records; others' submitted ones only about a cadre that an officer who
        # granted the team's assignments may read.
        in_grant = (f"EXISTS (SELECT 1 FROM field_record_cadres frc JOIN cadres gc ON gc.id = frc.cadre_id "
                    f"JOIN units gun ON gun.id = gc.unit_id JOIN team_assignments ta "
                    f"ON ta.team_id = {record}.team_id WHERE frc.record_id = {record}.id "
                    f"AND {granted('ta.granted_by', 'gc', 'gun')})")
        return (f"({record}.team_id IN ({_OPEN_TEAMS.format(p=p)}) "
                f"AND ({record}.author_id = ${p} OR ({record}.state = 'submitted' AND {in_grant})))")
    if principal.role in OFFICE:
        concerned = cadre_id_visible(principal, "frc.cadre_id", p)
        return (f"(({record}.state = 'submitted' AND EXISTS (SELECT 1 FROM field_record_cadres frc "
                f"WHERE frc.record_id = {record}.id AND {concerned})) "
                f"OR ({record}.state = 'draft' AND {record}.author_id = ${p}))")
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


def campaign_visible(principal: Principal, campaign: str, user_param: int) -> str:
    """Whether campaign row `campaign` is visible: officers and leaders whose scope covers its
    unit; researchers on one of its teams."""
    p = user_param
    if principal.role in OFFICE:
        return (f"EXISTS (SELECT 1 FROM units cu JOIN user_scopes s ON s.unit_id = ANY(cu.ancestor_ids) "
                f"WHERE cu.id = {campaign}.unit_id AND s.user_id = ${p})")
    if principal.role is Role.researcher:
        return (f"EXISTS (SELECT 1 FROM teams t JOIN team_members tm ON tm.team_id = t.id "
                f"WHERE t.campaign_id = {campaign}.id AND tm.user_id = ${p})")
    return "false"


def unit_manageable(principal: Principal, unit_id_expr: str, user_param: int) -> str:
    """Whether an officer's scope covers the unit (any tier): campaigns and unit assignments."""
    if principal.role is not Role.officer:
        return "false"
    return (f"EXISTS (SELECT 1 FROM units mu JOIN user_scopes s ON s.unit_id = ANY(mu.ancestor_ids) "
            f"WHERE mu.id = {unit_id_expr} AND s.user_id = ${user_param})")


def team_unit_readable(principal: Principal, unit: str, user_param: int) -> str:
    """Whether the leadership team of unit row `unit` may be read (its members are then filtered
    one by one with cadre_visible): officers and leaders within their scope units, researchers
    whose open team is assigned the team or a unit above it."""
    p = user_param
    if principal.role in OFFICE:
        return (f"EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = ${p} "
                f"AND s.unit_id = ANY({unit}.ancestor_ids))")
    if principal.role is Role.researcher:
        return (f"EXISTS (SELECT 1 FROM team_assignments ta WHERE ta.team_id IN "
                f"({_OPEN_TEAMS.format(p=p)}) "
                f"AND (ta.team_unit_id = {unit}.id OR ta.unit_id = ANY({unit}.ancestor_ids)) "
                f"AND {_granted_unit('ta.granted_by', unit)})")
    return "false"


def _granted_unit(granter: str, unit: str) -> str:
    # As `granted`, for a unit rather than a cadre: the granting officer's scope covers it now.
    return (f"EXISTS (SELECT 1 FROM user_scopes gs JOIN users gu ON gu.id = gs.user_id "
            f"AND gu.active AND gu.role = 'officer' WHERE gs.user_id = {granter} "
            f"AND gs.unit_id = ANY({unit}.ancestor_ids))")
