"""Who may read and write unit-level performance data (scoreboards, contests, secondments, logs).

Officers write within their scope and read; leaders read; researchers read only a cadre's
performance section through GET /api/cadres/{id}/performance, for cadres their open
assignments cover; auditors and admins read nothing here. Unit-level data is not tiered, so
a scope row of any tier covers the units below it.
"""



from schemas.common import Role
from service.deps import OFFICE
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
