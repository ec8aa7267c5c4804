"""Scope rules of unit-level performance data (scoreboards, contests, secondments, service logs).

Officers write within their scope and read; leaders read; researchers read only a cadre's
performance section through GET /api/cadres/{id}/performance, for cadres their open
assignments cover; auditors and admins read nothing here. Unit-level data is not tiered, so
a scope row of any tier covers the units below it. `$n` (n = user_param) is the user's id.
"""

from schemas.common import Role
from service.access.repo import cadre_id_visible
from service.access.roles import OFFICE
from service.principal import Principal


def units_readable(principal: Principal, unit_ids_expr: str, user_param: int) -> str:
    """Whether some unit of the bigint[] expression lies in the officer's or leader's scope."""
    if principal.role not in OFFICE:
        return "false"
    p = user_param
    return (f"EXISTS (SELECT 1 FROM units ru JOIN user_scopes rs ON rs.unit_id = ANY(ru.ancestor_ids) "
            f"WHERE ru.id = ANY({unit_ids_expr}) AND rs.user_id = ${p})")


def unit_writable(principal: Principal, unit_id_expr: str, user_param: int) -> str:
    """Whether the officer's scope covers the unit with the given id expression."""
    if principal.role is not Role.officer:
        return "false"
    p = user_param
    return (f"EXISTS (SELECT 1 FROM units wu JOIN user_scopes ws ON ws.unit_id = ANY(wu.ancestor_ids) "
            f"WHERE wu.id = {unit_id_expr} AND ws.user_id = ${p})")


_PERIOD_UNITS = ("(SELECT coalesce(array_agg(x.unit_id), '{}') FROM assessment_period_units x "
                 "WHERE x.period_id = p.id) || p.owner_unit_id")
_PROGRAM_UNITS = ("(SELECT coalesce(array_agg(t.unit_id), '{}') FROM secondment_task_forces t "
                  "WHERE t.program_id = sp.id) || sp.owner_unit_id")


def period_visible(principal: Principal, user_param: int) -> str:
    """Whether period row `p` is readable: its owner or a compared unit in scope; drafts for officers."""
    drafts = "true" if principal.role is Role.officer else "p.state <> 'draft'"
    return f"({drafts} AND {units_readable(principal, _PERIOD_UNITS, user_param)})"


def program_visible(principal: Principal, user_param: int) -> str:
    """Whether secondment programme row `sp` is readable: its owner or one of its task forces in scope."""
    return units_readable(principal, _PROGRAM_UNITS, user_param)


def contest_visible(principal: Principal, user_param: int) -> str:
    """Contest row `ct` is readable: its organizer is in scope, or a presenter the caller may read."""
    presenter = cadre_id_visible(principal, "vp.cadre_id", user_param)
    return (f"({units_readable(principal, 'ARRAY[ct.organizer_unit_id]', user_param)} OR EXISTS "
            f"(SELECT 1 FROM contest_presentations vp WHERE vp.contest_id = ct.id AND {presenter}))")
