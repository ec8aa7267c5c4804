"""Meilisearch filter expressions: the caller's access limit and their own filters."""

import json
from typing import Any

from schemas.common import Role
from schemas.search_api import SearchParams
from service.access.roles import OFFICE
from service.principal import Principal
from service.search.repo import SearchScope

NOTHING = 'type = "none"'


def _q(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def _in(attr: str, values: list[object]) -> str:
    return f"{attr} IN [{', '.join(_q(v) for v in values)}]"


def ids_filter(ids: list[str]) -> str:
    """The documents with these ids (pages sliced from a prefix of ids, service.search.window)."""
    return _in("id", list(ids))


def _scope_keys(scopes: list[tuple[int, str | None]]) -> list[object]:
    return [str(u) if t is None else f"{u}:{t}" for u, t in scopes]


def access_filter(principal: Principal, scope: SearchScope) -> str:
    """What the principal may see, mirroring the SQL rules in service.access.repo."""
    own = f'(type = "record" AND author_id = {principal.user_id}'
    if principal.role in OFFICE:
        keys = _scope_keys(scope.scopes)
        if not keys:
            return NOTHING
        cadre_rule = _in("scope_keys", keys)
        return (f'(type IN ["cadre", "evidence"] AND {cadre_rule}) OR '
                f'(type = "record" AND state = "submitted" AND {cadre_rule}) OR '
                f'{own} AND state = "draft")')
    if principal.role is Role.researcher:
        parts = []
        # Through each officer's assignments, never beyond that officer's own scope.
        for grant in scope.grants:
            keys = _scope_keys(grant.scopes)
            if not keys:
                continue
            within = _in("scope_keys", keys)
            covered = ([_in("cadre_ids", list(grant.cadre_ids))] if grant.cadre_ids else []) + \
                      ([_in("unit_ids", list(grant.unit_ids))] if grant.unit_ids else [])
            if covered:
                parts.append(f'(type IN ["cadre", "evidence"] AND ({" OR ".join(covered)}) '
                             f'AND {within})')
            parts.append(f'(type = "record" AND state = "submitted" AND '
                         f'{_in("team_id", list(grant.team_ids))} AND {within})')
        if scope.team_ids:
            parts.append(f'{own} AND {_in("team_id", list(scope.team_ids))})')
        return " OR ".join(parts) if parts else NOTHING
    return NOTHING


def scope_units(principal: Principal, scope: SearchScope) -> list[int]:
    """The units whose lines bound what the principal reads: their own scope units, or those of
    the officers whose assignments open cadres to a researcher."""
    if principal.role in OFFICE:
        return sorted({u for u, _ in scope.scopes})
    return sorted({u for grant in scope.grants for u, _ in grant.scopes})


def readable_cadres(principal: Principal, scope: SearchScope,
                    docs: list[dict[str, Any]]) -> tuple[set[int], set[int]]:
    """(readable, judged): the cadres of the record documents an officer's scope keys decide,
    mirroring access.repo.cadre_visible (a scope unit among the cadre's units, any tier or its).
    A researcher's reach runs through team assignments the documents do not hold: none judged."""
    readable: set[int] = set()
    judged: set[int] = set()
    if principal.role not in OFFICE:
        return readable, judged
    keys = set(_scope_keys(scope.scopes))
    for doc in docs:
        ids, per_cadre = doc.get("cadre_ids") or [], doc.get("cadre_scope_keys") or []
        if doc.get("type") != "record" or len(per_cadre) != len(ids):
            continue
        for cadre_id, own in zip(ids, per_cadre, strict=True):
            judged.add(cadre_id)
            if keys.intersection(own):
                readable.add(cadre_id)
    return readable, judged


def _day(d: object) -> int:
    return int(f"{d:%Y%m%d}")


def _tier_filter(principal: Principal, scope: SearchScope, tiers: list[object]) -> str:
    """The tier filter. A record holds the tiers of every cadre it concerns, so for an officer it
    must hold one through a cadre they may read: a scope unit's key with that tier (u:tier), which
    only the cadres under u of that tier put in the record's scope_keys (the indexer's keys). (A
    rank or post level is checked in the window instead: service.search.naming.Reader.)"""
    plain = _in("tiers", tiers)
    if principal.role not in OFFICE:
        return plain
    keys: list[object] = [f"{u}:{t}" for u, own in scope.scopes for t in tiers if own is None or own == t]
    records = _in("scope_keys", keys) if keys else NOTHING
    return f'((type != "record" AND {plain}) OR (type = "record" AND {records}))'


def user_filter(params: SearchParams, principal: Principal, scope: SearchScope) -> list[str]:
    """The caller's own filters, each one AND-ed with the access filter."""
    out: list[str] = []
    for attr, values in (("type", params.type), ("kind", params.kind), ("domain", params.domain),
                         ("ranks", params.rank), ("post_levels", params.post_level),
                         ("verification", params.verification)):
        if values:
            out.append(_in(attr, [getattr(v, "value", v) for v in values]))
    if params.tier:
        out.append(_tier_filter(principal, scope, [getattr(v, "value", v) for v in params.tier]))
    if params.unit_id is not None:
        out.append(f"unit_ids = {params.unit_id}")
    if params.date_from is not None:
        out.append(f"date >= {_day(params.date_from)}")
    if params.date_to is not None:
        out.append(f"date <= {_day(params.date_to)}")
    if params.year is not None:
        out.append(f"year = {params.year}")
    if params.mode == "candidates":
        out.append('type = "evidence"')
    return out
