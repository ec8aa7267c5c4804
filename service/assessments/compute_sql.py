"""Totals, ranks, seats and stars of a period, computed in one SQL statement; trends across periods.

The rules, stated once:
- weighted = Σ score × weight / 100 over the indicators (weights are percentages summing to 100;
  a missing score counts as 0 and marks the unit incomplete);
- total = round(weighted + bonus − deduction, 2), with bonus and deduction the sums of the
  unit's active (not withdrawn) adjustments;
- rank: standard competition ranking on the total ("1,1,3"): equal totals share a rank and
  the next rank skips; an indicator rank is the same ranking on that indicator's score;
- seat (seating order at the next city meeting, unique 1..n): by total descending, then the
  higher score in the first indicator, then the unit code ascending;
- stars: every star rule a unit meets adds its stars. "top N" rules use the competition rank,
  so units tied at the boundary all earn the star (top 3 with a tie for third: four stars).
"""

import asyncpg

from service.access.units import period_visible
from service.assessments.repo import clear_results
from service.leadership.rules import HEADED_DURING, HEADSHIPS_SQL
from service.principal import Principal

TIE_RULE = ("总分 = Σ(得分×权重/100) + 加分 − 扣分，保留两位小数；总分相同名次并列（如 1、1、3）；"
            "座次按总分从高到低，总分相同时第一项指标得分高者在前，再相同按单位代码排序；"
            "“前N名”摘星规则按并列名次计算，并列者均得星。")

_REFRESH = """
WITH ind AS (
  SELECT id, position, weight FROM assessment_indicators WHERE period_id = $1
), cells AS (
  SELECT pu.unit_id, i.id AS indicator_id, i.position, i.weight, s.score,
         CASE WHEN s.score IS NOT NULL
              THEN rank() OVER (PARTITION BY i.id ORDER BY s.score DESC NULLS LAST) END AS ind_rank
  FROM assessment_period_units pu CROSS JOIN ind i
  LEFT JOIN assessment_scores s ON s.period_id = $1 AND s.unit_id = pu.unit_id AND s.indicator_id = i.id
  WHERE pu.period_id = $1
), adj AS (
  SELECT unit_id, coalesce(sum(points) FILTER (WHERE kind = 'bonus'), 0) AS bonus,
         coalesce(sum(points) FILTER (WHERE kind = 'deduction'), 0) AS deduction
  FROM assessment_adjustments WHERE period_id = $1 AND withdrawn_at IS NULL GROUP BY unit_id
), sums AS (
  SELECT pu.unit_id, u.code, coalesce(sum(c.score * c.weight / 100), 0) AS weighted,
         coalesce(max(a.bonus), 0) AS bonus, coalesce(max(a.deduction), 0) AS deduction,
         coalesce(bool_and(c.score IS NOT NULL), false) AS complete,
         max(c.score) FILTER (WHERE c.position = (SELECT min(position) FROM ind)) AS first_score
  FROM assessment_period_units pu JOIN units u ON u.id = pu.unit_id
  LEFT JOIN cells c ON c.unit_id = pu.unit_id LEFT JOIN adj a ON a.unit_id = pu.unit_id
  WHERE pu.period_id = $1 GROUP BY pu.unit_id, u.code
), totals AS (
  SELECT s.*, round(s.weighted + s.bonus - s.deduction, 2) AS total FROM sums s
), ranked AS (
  SELECT t.*, rank() OVER (ORDER BY t.total DESC) AS rank,
         row_number() OVER (ORDER BY t.total DESC, t.first_score DESC NULLS LAST, t.code) AS seat
  FROM totals t
), awards AS (
  SELECT c.unit_id, r.id AS rule_id, r.label, r.stars
  FROM assessment_star_rules r JOIN cells c ON c.indicator_id = r.indicator_id
  WHERE r.period_id = $1 AND ((r.kind = 'indicator_top_n' AND c.ind_rank <= r.top_n)
                              OR (r.kind = 'indicator_at_least' AND c.score >= r.threshold))
  UNION ALL
  SELECT k.unit_id, r.id, r.label, r.stars FROM assessment_star_rules r CROSS JOIN ranked k
  WHERE r.period_id = $1 AND ((r.kind = 'total_top_n' AND k.rank <= r.top_n)
                              OR (r.kind = 'total_at_least' AND k.total >= r.threshold))
), star_sums AS (
  SELECT unit_id, sum(stars)::int AS stars,
         jsonb_agg(jsonb_build_object('rule_id', rule_id, 'label', label, 'stars', stars)
                   ORDER BY rule_id) AS details
  FROM awards GROUP BY unit_id
), results AS (
  INSERT INTO assessment_results (period_id, unit_id, weighted, bonus, deduction, total, rank, seat,
                                  stars, star_details, complete)
  SELECT $1, k.unit_id, k.weighted, k.bonus, k.deduction, k.total, k.rank, k.seat,
         coalesce(ss.stars, 0), coalesce(ss.details, '[]'::jsonb), k.complete
  FROM ranked k LEFT JOIN star_sums ss ON ss.unit_id = k.unit_id
  RETURNING unit_id
)
INSERT INTO assessment_result_indicators (period_id, unit_id, indicator_id, score, rank)
SELECT $1, c.unit_id, c.indicator_id, c.score, c.ind_rank FROM cells c
WHERE c.unit_id IN (SELECT unit_id FROM results)"""


async def refresh(conn: asyncpg.Connection, period_id: int) -> None:
    """Recompute the derived results of a period inside the caller's transaction."""
    await clear_results(conn, period_id)
    await conn.execute(_REFRESH, period_id)


async def results(conn: asyncpg.Connection, period_id: int) -> list[asyncpg.Record]:
    """Result rows by seat, with unit code and name."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT r.*, u.code, u.name FROM assessment_results r JOIN units u ON u.id = r.unit_id
           WHERE r.period_id = $1 ORDER BY r.seat""", period_id)
    return rows


async def result_cells(conn: asyncpg.Connection, period_id: int) -> list[asyncpg.Record]:
    """Per-indicator scores and ranks, with the stored cell's version."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT ri.unit_id, i.code, i.name, i.position, ri.score, ri.rank, s.version
           FROM assessment_result_indicators ri JOIN assessment_indicators i ON i.id = ri.indicator_id
           LEFT JOIN assessment_scores s ON s.period_id = ri.period_id AND s.unit_id = ri.unit_id
             AND s.indicator_id = ri.indicator_id
           WHERE ri.period_id = $1 ORDER BY ri.unit_id, i.position""", period_id)
    return rows


async def heads_of_period(conn: asyncpg.Connection, period_id: int) -> list[int]:
    """Cadres who headed a compared unit during the period (their search text cites its ranks)."""
    rows = await conn.fetch(
        f"""SELECT DISTINCT h.cadre_id FROM ({HEADSHIPS_SQL}) h
            JOIN assessment_period_units pu ON pu.unit_id = h.unit_id
            JOIN assessment_periods p ON p.id = pu.period_id
            WHERE p.id = $1 AND {HEADED_DURING} ORDER BY h.cadre_id""", period_id)
    return [r["cadre_id"] for r in rows]


async def trends(conn: asyncpg.Connection, principal: Principal, unit_ids: list[int] | None,
                 owner_unit_id: int | None, indicator_code: str | None, date_from: object,
                 date_to: object) -> list[asyncpg.Record]:
    """Points of the units across readable published or locked periods, by unit then date."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT r.unit_id, u.code AS unit_code, u.name AS unit_name, p.id AS period_id,
              p.code AS period_code, p.name AS period_name, p.starts_on, p.ends_on,
              r.total, r.rank, r.stars,
              (SELECT count(*) FROM assessment_period_units n WHERE n.period_id = p.id) AS participants,
              ri.score AS indicator_score, ri.rank AS indicator_rank
            FROM assessment_results r JOIN assessment_periods p ON p.id = r.period_id
            JOIN units u ON u.id = r.unit_id
            LEFT JOIN assessment_indicators i ON i.period_id = p.id AND i.code = $4
            LEFT JOIN assessment_result_indicators ri ON ri.period_id = p.id
              AND ri.unit_id = r.unit_id AND ri.indicator_id = i.id
            WHERE p.state IN ('published', 'locked')
              AND ($2::bigint[] IS NULL OR r.unit_id = ANY($2::bigint[]))
              AND ($3::bigint IS NULL OR p.owner_unit_id = $3)
              AND ($5::date IS NULL OR p.ends_on >= $5) AND ($6::date IS NULL OR p.starts_on <= $6)
              AND {period_visible(principal, 1)}
            ORDER BY u.code, p.starts_on, p.id""",
        principal.user_id, unit_ids, owner_unit_id, indicator_code, date_from, date_to)
    return rows
