"""Scope rules of selection work: positions to fill and promotion records (officers and leaders)."""

from service.access.repo import cadre_visible
from service.access.roles import OFFICE
from service.principal import Principal


def position_visible(principal: Principal, user_param: int) -> str:
    """Whether position `p` (unit `u`) lies in the scope of an officer or leader."""
    if principal.role not in OFFICE:
        return "false"
    # The scope fragment reads only `p.tier` and `u.ancestor_ids`: a position is judged like a
    # cadre of its tier in its unit.
    return cadre_visible(principal, "p", "u", user_param)


def promotion_visible(principal: Principal, user_param: int) -> str:
    """A record (`p`, cadre `c`, units `cu`, `tu`) is seen by an officer or leader who may read the
    cadre or the target unit's cadres."""
    if principal.role not in OFFICE:
        return "false"
    return (f"({cadre_visible(principal, 'c', 'cu', user_param)} OR "
            f"{cadre_visible(principal, 'c', 'tu', user_param)})")
