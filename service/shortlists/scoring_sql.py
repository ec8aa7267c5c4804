"""The shortlist score, computed in SQL over the eligible cadres in one query.

score = w_evidence·E + w_appraisal·A + w_unit_rank·U + w_contest·C, where for each eligible cadre

- E = Σ sign · relevance(domain) · 0.5^(age / half_life) · (0.5 + 0.5 · size) over its verified
  evidence whose period ends within `window_years` before the reference date; sign is −1 for
  negative (shortcoming) evidence; age = years from the period's end to the reference date;
  size = mean over the item's metrics of the percentile rank of the value among the same
  metric name in all eligible cadres' evidence (0.5 for an item without metrics);
- A = mean grade points of the annual appraisals of the last `appraisal_years` completed
  years (excellent 1.0, competent 0.6, basically competent 0.2, incompetent 0);
- U = mean of (n − rank) / (n − 1) over the published scoreboard ranks (assessment_results)
  of periods ending in the window, of the units the cadre headed during each period (the
  headship rule of service/leadership/rules.py; n = units compared in the period);
- C = mean over the cadre's arena-contest presentations of the window (contest_presentations,
  score = mean of score/max_score of its scorers) of the share of the contest's other
  presentations it outscored (0.5 when it was the only one scored).

Scores are rounded to 6 decimals; ties break by cadre id, so a result is reproducible.

Cost at 100,000 cadres (bench/shortlist.py): the bare eligibility query runs first, on its own,
and the scoring query takes its ids as an array, so it is planned for the real number of eligible
cadres (inside one query the rule filters were estimated at a handful of rows, and unit ranks
became a cross join). Only what every eligible cadre's score needs is carried through the query
(ids, versions, points); titles, domains and the part scores are read for the top candidates'
explanations only; metric values come from the typed `metric_names`/`metric_values` columns
(generated from `metrics`, migration 0012) through the covering index evidence_scoring_idx; the
appraisals are index-only probes per eligible cadre (migration 0013). What remains is the metric
percentiles: one sort of every counted metric value (~130,000 at 100,000 cadres) by name and value.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from schemas.positions import Rules, Weights
from service.leadership.rules import HEADED_DURING, HEADSHIPS_SQL
from service.positions.eligibility import NO_JIT, Params, eligible_query
from service.principal import Principal

GRADE_POINTS = {"excellent": 1.0, "competent": 0.6, "basically_competent": 0.2, "incompetent": 0.0}
EVIDENCE_LINES = 10


@dataclass(frozen=True)
class ScoreInputs:
    """Everything a shortlist computation depends on besides the data itself."""

    rules: Rules
    weights: Weights
    relevance: dict[str, float]
    reference_date: date
    top_n: int
    forced: list[int]
    excluded: list[int]


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def build(inputs: ScoreInputs, eligible: list[int]) -> tuple[str, Params]:
    """The scoring query over the eligible ids (the bare eligibility query's result): eligible
    total, inputs hash and the top candidates with explanations."""
    p = Params()
    elig_ids = p.add(eligible, "::bigint[]")
    w = inputs.weights
    ref = p.add(inputs.reference_date, "::date")
    since = p.add(_years_before(inputs.reference_date, w.window_years), "::date")
    domains = sorted(inputs.relevance)
    dom = p.add(domains, "::text[]")
    rel = p.add([float(inputs.relevance[d]) for d in domains], "::float8[]")
    half = p.add(w.half_life_years, "::float8")
    grades = p.add(list(GRADE_POINTS), "::text[]")
    gpoints = p.add(list(GRADE_POINTS.values()), "::float8[]")
    y1 = p.add(inputs.reference_date.year - w.appraisal_years, "::int")
    y2 = p.add(inputs.reference_date.year - 1, "::int")
    we, wa, wu, wc = (p.add(x, "::float8") for x in (w.evidence, w.appraisal, w.unit_rank, w.contest))
    excluded = p.add(inputs.excluded, "::bigint[]")
    forced = p.add(inputs.forced, "::bigint[]")
    top_n = p.add(inputs.top_n, "::int")
    lines = p.add(EVIDENCE_LINES, "::int")
    sql = f"""
WITH elig AS MATERIALIZED (SELECT unnest({elig_ids}) AS id),
rel AS (SELECT * FROM unnest({dom}, {rel}) AS r(domain, weight)),
ev AS MATERIALIZED (
  SELECT e.id, e.cadre_id, e.version, e.judgement, e.metric_names, e.metric_values,
         rel.weight AS relevance,
         power(0.5::float8, greatest(0, {ref} - e.period_end)::float8 / 365.25 / {half}) AS recency
  FROM elig JOIN evidence e ON e.cadre_id = elig.id JOIN rel ON rel.domain = e.domain
  WHERE e.verification = 'verified' AND e.period_end >= {since} AND e.period_start <= {ref}),
met AS (
  -- sum / count is avg's exact arithmetic (its sum is a plain running sum) without its
  -- array transition state per evidence item: 10 % of this step at 100,000 cadres.
  SELECT id, sum(pct) / count(*)::float8 AS size FROM (
    SELECT x.id, percent_rank() OVER (PARTITION BY x.name COLLATE "C" ORDER BY x.value) AS pct
    -- Set-returning functions in the select list run in step (the arrays have equal lengths) and
    -- stream their values; unnest(a, b) in FROM fills a tuplestore per row, 3x the CPU.
    FROM (SELECT ev.id, unnest(ev.metric_names) AS name, unnest(ev.metric_values) AS value
          FROM ev) x) m
  GROUP BY id),
evs AS MATERIALIZED (
  SELECT ev.id, ev.cadre_id, ev.relevance, ev.recency, coalesce(met.size, 0.5) AS size,
         (CASE WHEN ev.judgement = 'negative' THEN -1 ELSE 1 END) * ev.relevance * ev.recency
           * (0.5 + 0.5 * coalesce(met.size, 0.5)) AS points
  FROM ev LEFT JOIN met ON met.id = ev.id),
e_sum AS (SELECT cadre_id, sum(points) AS e, count(*) AS n FROM evs GROUP BY cadre_id),
apr AS MATERIALIZED (
  SELECT a.cadre_id, a.year, a.grade, g.points
  -- An index-only probe per eligible cadre: a third of the CPU of hashing the whole table's
  -- years, which the planner prefers.
  FROM elig CROSS JOIN LATERAL (SELECT a.cadre_id, a.year, a.grade FROM appraisals a
                                WHERE a.cadre_id = elig.id
                                AND a.year BETWEEN {y1} AND {y2} OFFSET 0) a
  JOIN unnest({grades}, {gpoints}) AS g(grade, points) ON g.grade = a.grade),
a_sum AS (SELECT cadre_id, avg(points) AS a FROM apr GROUP BY cadre_id),
con AS MATERIALIZED (
  SELECT p.cadre_id, p.id, p.version, p.contest_id, ct.name AS contest, ct.held_on,
         (SELECT avg(s.score / s.max_score) * 100 FROM contest_scores s
          WHERE s.presentation_id = p.id)::float8 AS score
  FROM elig JOIN contest_presentations p ON p.cadre_id = elig.id
  JOIN contests ct ON ct.id = p.contest_id
  WHERE ct.held_on BETWEEN {since} AND {ref}),
conp AS MATERIALIZED (
  SELECT con.*, (
    SELECT CASE WHEN count(*) <= 1 THEN 0.5
                ELSE (count(*) FILTER (WHERE o.score < con.score))::float8 / (count(*) - 1) END
    FROM (SELECT avg(s.score / s.max_score) * 100 AS score FROM contest_presentations q
          JOIN contest_scores s ON s.presentation_id = q.id
          WHERE q.contest_id = con.contest_id GROUP BY q.id) o) AS points
  FROM con WHERE con.score IS NOT NULL),
c_sum AS (SELECT cadre_id, avg(points) AS c FROM conp GROUP BY cadre_id),
heads AS MATERIALIZED (
  SELECT h.cadre_id, h.unit_id, h.headed_from, h.headed_to
  FROM ({HEADSHIPS_SQL}) h WHERE h.cadre_id IN (SELECT id FROM elig)
  -- A one-time filter: without a published period in the window the headships are not derived.
  AND EXISTS (SELECT 1 FROM assessment_periods p0
              WHERE p0.state <> 'draft' AND p0.ends_on BETWEEN {since} AND {ref})),
ur AS MATERIALIZED (
  SELECT DISTINCT ON (h.cadre_id, r.period_id, r.unit_id)
         h.cadre_id, r.unit_id, un.name AS unit_name, p.name AS period, p.ends_on, r.rank,
         n.of, CASE WHEN n.of <= 1 THEN 1.0 ELSE (n.of - r.rank)::float8 / (n.of - 1) END AS points
  FROM heads h
  JOIN assessment_results r ON r.unit_id = h.unit_id
  JOIN assessment_periods p ON p.id = r.period_id AND p.state <> 'draft'
   AND p.ends_on BETWEEN {since} AND {ref} AND {HEADED_DURING}
  JOIN units un ON un.id = r.unit_id
  CROSS JOIN LATERAL (SELECT count(*)::int AS of FROM assessment_period_units pu
                      WHERE pu.period_id = r.period_id) n),
u_sum AS (SELECT cadre_id, avg(points) AS u FROM ur GROUP BY cadre_id),
scored AS (
  SELECT elig.id AS cadre_id, coalesce(e_sum.e, 0) AS e, coalesce(e_sum.n, 0) AS n_evidence,
         coalesce(a_sum.a, 0) AS a, coalesce(u_sum.u, 0) AS u, coalesce(c_sum.c, 0) AS c
  FROM elig LEFT JOIN e_sum ON e_sum.cadre_id = elig.id LEFT JOIN a_sum ON a_sum.cadre_id = elig.id
  LEFT JOIN c_sum ON c_sum.cadre_id = elig.id LEFT JOIN u_sum ON u_sum.cadre_id = elig.id
  WHERE elig.id <> ALL({excluded})),
ranked AS (
  SELECT s.*, round(({we} * e + {wa} * a + {wu} * u + {wc} * c)::numeric, 6) AS score FROM scored s),
ordered AS (SELECT r.*, row_number() OVER (ORDER BY score DESC, cadre_id) AS pos FROM ranked r),
top AS MATERIALIZED (
  SELECT o.*, round(({we} * e)::numeric, 6) AS s_e, round(({wa} * a)::numeric, 6) AS s_a,
         round(({wu} * u)::numeric, 6) AS s_u, round(({wc} * c)::numeric, 6) AS s_c
  FROM ordered o WHERE pos <= {top_n} OR cadre_id = ANY({forced})),
lines AS (
  SELECT x.cadre_id, jsonb_agg(jsonb_build_object(
      'evidence_id', x.id, 'version', e.version, 'title', e.title, 'domain', e.domain,
      'period_end', e.period_end, 'judgement', e.judgement, 'relevance', round(x.relevance::numeric, 4),
      'recency', round(x.recency::numeric, 4), 'size', round(x.size::numeric, 4),
      'points', round(x.points::numeric, 6)) ORDER BY x.ln) AS items
  FROM (SELECT evs.*, row_number() OVER (PARTITION BY cadre_id ORDER BY abs(points) DESC, id) AS ln
        FROM evs WHERE cadre_id IN (SELECT cadre_id FROM top)) x
  JOIN evidence e ON e.id = x.id
  WHERE x.ln <= {lines} GROUP BY x.cadre_id),
alines AS (
  SELECT cadre_id, jsonb_agg(jsonb_build_object('year', year, 'grade', grade, 'points', points)
                             ORDER BY year) AS items
  FROM apr WHERE cadre_id IN (SELECT cadre_id FROM top) GROUP BY cadre_id),
clines AS (
  SELECT cadre_id, jsonb_agg(jsonb_build_object('presentation_id', id, 'contest_id', contest_id,
      'contest', contest, 'held_on', held_on, 'score', round(score::numeric, 2),
      'points', round(points::numeric, 4)) ORDER BY held_on, id) AS items
  FROM conp WHERE cadre_id IN (SELECT cadre_id FROM top) GROUP BY cadre_id),
ulines AS (
  SELECT cadre_id, jsonb_agg(jsonb_build_object('unit_id', unit_id, 'unit_name', unit_name,
      'period', period, 'rank', rank, 'of', of, 'points', round(points::numeric, 4))
      ORDER BY ends_on, unit_id) AS items
  FROM ur WHERE cadre_id IN (SELECT cadre_id FROM top) GROUP BY cadre_id)
SELECT
  (SELECT count(*) FROM elig) AS eligible_total,
  encode(sha256(convert_to(concat_ws('|',
    (SELECT string_agg(id::text, ',' ORDER BY id) FROM elig),
    (SELECT string_agg(id || ':' || version, ',' ORDER BY id) FROM ev),
    (SELECT string_agg(cadre_id || ':' || year || ':' || grade, ',' ORDER BY cadre_id, year) FROM apr),
    (SELECT string_agg(cadre_id || ':' || id || ':' || version || ':'
                       || coalesce(round(score::numeric, 4)::text, '-'), ',' ORDER BY cadre_id, id) FROM con),
    (SELECT string_agg(cadre_id || ':' || unit_id || ':' || period || ':' || rank || '/' || of, ','
                       ORDER BY cadre_id, unit_id, period) FROM ur)
  ), 'UTF8')), 'hex') AS inputs_hash,
  coalesce((SELECT jsonb_agg(jsonb_build_object(
      'pos', t.pos, 'cadre_id', t.cadre_id, 'score', t.score, 'evidence_count', t.n_evidence,
      'parts', jsonb_build_object('evidence', t.s_e, 'appraisal', t.s_a, 'unit_rank', t.s_u,
                                  'contest', t.s_c),
      'evidence', coalesce(l.items, '[]'), 'appraisals', coalesce(al.items, '[]'),
      'contests', coalesce(cl.items, '[]'), 'unit_ranks', coalesce(ul.items, '[]')) ORDER BY t.pos)
    FROM top t LEFT JOIN lines l ON l.cadre_id = t.cadre_id
    LEFT JOIN alines al ON al.cadre_id = t.cadre_id LEFT JOIN clines cl ON cl.cadre_id = t.cadre_id
    LEFT JOIN ulines ul ON ul.cadre_id = t.cadre_id), '[]') AS top"""
    return sql, p


async def run(conn: asyncpg.Connection, principal: Principal, inputs: ScoreInputs) -> dict[str, Any]:
    """Run the scoring query: {'eligible_total', 'inputs_hash', 'top': [...]}."""
    await conn.execute(NO_JIT)
    # The bare eligibility query runs on its own, so the scoring query is planned knowing how many
    # cadres are eligible: inside one query the planner estimates the rule subqueries' result at a
    # handful of rows and plans cross joins and nested loops over thousands.
    elig_sql, elig_p = eligible_query(principal, inputs.rules, inputs.reference_date)
    ids = [r[0] for r in await conn.fetch(elig_sql, *elig_p.values)]
    sql, p = build(inputs, ids)
    # work_mem: the percentile sort over every candidate's metrics spills to disk with the default
    # 4MB. force_custom_plan: a generic plan (asyncpg prepares statements) would not know how many
    # ids the array holds. (enable_memoize is no longer switched off: with the eligible count known
    # the planner does not choose Memoize here.)
    await conn.execute("SELECT set_config('work_mem', '64MB', true), "
                       "set_config('plan_cache_mode', 'force_custom_plan', true)")
    row = await conn.fetchrow(sql, *p.values)
    assert row is not None
    return dict(row)
