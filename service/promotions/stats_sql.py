"""SQL of the promotion statistics (see service/promotions/stats.py for what they count)."""

import asyncpg

from schemas.promotions import StatsFilter
from service.access.selection import promotion_visible
from service.positions.eligibility import Params
from service.principal import Principal

APPOINTED = ("appointed", "on_probation", "confirmed", "removed")


def _key_sql(group_by: str, period: str, root_depth: str) -> str:
    if group_by == "kind":
        return "p.kind"
    if group_by == "tier":
        return "p.tier"
    if group_by == "period":
        return ("to_char(p.appointed_on, 'YYYY')" if period == "year"
                else "to_char(p.appointed_on, 'YYYY') || '-Q' || to_char(p.appointed_on, 'Q')")
    if group_by == "unit":
        # The child of the filter unit (or of the root) on the way to the target unit.
        return f"coalesce(tu.ancestor_ids[{root_depth} + 2], tu.id)::text"
    return "d.domain"


async def counts(conn: asyncpg.Connection, principal: Principal, *,
                 filters: StatsFilter) -> tuple[list[asyncpg.Record], int, dict[str, str]]:
    """Counts per key, the total, and the names of the unit keys (grouping by unit)."""
    group_by, period, unit_id = filters.group_by, filters.period, filters.unit_id
    date_from, date_to, kind = filters.date_from, filters.date_to, filters.kind
    post_levels, domain_years = filters.post_levels, filters.domain_years
    p = Params([principal.user_id])
    where = [promotion_visible(principal, 1), f"p.status = ANY({p.add(list(APPOINTED), '::text[]')})"]
    if date_from is not None:
        where.append(f"p.appointed_on >= {p.add(date_from, '::date')}")
    if date_to is not None:
        where.append(f"p.appointed_on <= {p.add(date_to, '::date')}")
    root_depth = "0"
    if unit_id is not None:
        uid = p.add(unit_id, "::bigint")
        where.append(f"{uid} = ANY(tu.ancestor_ids)")
        root_depth = f"(SELECT depth FROM units WHERE id = {uid})"
    if kind is not None:
        where.append(f"p.kind = {p.add(kind)}")
    if post_levels:
        where.append(f"p.post_level_after = ANY({p.add(post_levels, '::text[]')})")
    join = ""
    if group_by == "domain":
        years = p.add(domain_years, "::int")
        join = f"""CROSS JOIN LATERAL (
          SELECT e.domain FROM evidence e WHERE e.cadre_id = p.cadre_id AND e.verification = 'verified'
            AND e.judgement = 'positive' AND e.period_end <= p.appointed_on
            AND e.period_end > p.appointed_on - make_interval(years => {years})
          UNION
          SELECT e.domain FROM promotion_stages s
            CROSS JOIN LATERAL jsonb_array_elements_text(s.payload->'evidence_ids') AS x(id)
            JOIN evidence e ON e.id = x.id::bigint
          WHERE s.promotion_id = p.id AND s.stage = 'inspection') d"""
    key = _key_sql(group_by, period, root_depth)
    sql = f"""SELECT {key} AS key, count(DISTINCT p.id) AS n
      FROM promotions p JOIN cadres c ON c.id = p.cadre_id JOIN units cu ON cu.id = c.unit_id
      JOIN units tu ON tu.id = p.target_unit_id {join}
      WHERE {' AND '.join(where)} GROUP BY 1 ORDER BY 2 DESC, 1"""
    total_sql = f"""SELECT count(*) FROM promotions p JOIN cadres c ON c.id = p.cadre_id
      JOIN units cu ON cu.id = c.unit_id JOIN units tu ON tu.id = p.target_unit_id
      WHERE {' AND '.join(where)}"""
    rows = await conn.fetch(sql, *p.values)
    # The domain join's parameter is not used by the total.
    values = p.values[:-1] if group_by == "domain" else p.values
    total: int = await conn.fetchval(total_sql, *values)
    names: dict[str, str] = {}
    if group_by == "unit" and rows:
        found = await conn.fetch("SELECT id::text AS id, name FROM units WHERE id = ANY($1::bigint[])",
                                 [int(r["key"]) for r in rows])
        names = {r["id"]: r["name"] for r in found}
    return rows, total, names
