"""Statistics over appointed promotions: by unit, kind, tier, period or evidence domain.

A promotion counts once it has reached appointment (statuses appointed, on_probation,
confirmed, removed). "By domain" counts a promotion once in each work domain of the evidence
behind it: the cadre's verified positive evidence whose period ended within `domain_years`
before the appointment, plus any evidence the inspection stage cited explicitly.
"""

import asyncpg

from schemas.labels import label
from schemas.promotions import StatsFilter, StatsOut, StatsRow
from service.principal import Principal
from service.promotions import stats_sql
from service.uow import unit_of_work


async def stats(pool: asyncpg.Pool, principal: Principal, *, filters: StatsFilter) -> StatsOut:
    """Counts of appointed promotions in the caller's scope grouped by one dimension (audited)."""
    group_by = filters.group_by
    async with unit_of_work(pool, principal) as uow:
        rows, total, names = await stats_sql.counts(uow.conn, principal, filters=filters)
        uow.audit("promotion.stats", None, None, {"group_by": group_by, "unit_id": filters.unit_id})

    def _label(k: str | None) -> str:
        if k is None:
            return "未记录"
        if group_by == "kind":
            return label(k, "promotion_kind")
        if group_by == "unit":
            return names.get(k, k)
        return label(k) if group_by in ("tier", "domain") else k

    return StatsOut(group_by=group_by, total=total,
                    rows=[StatsRow(key=r["key"] or "", label=_label(r["key"]), count=r["n"]) for r in rows])
