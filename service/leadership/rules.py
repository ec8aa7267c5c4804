"""Who was in which unit's leadership team when, and who headed it: the one home of the rule.

Plain SQL text with no imports, so the indexer (search documents) and every service domain
(performance, scoreboards, shortlists, archives) apply exactly the same rule.

A resume line (career_entries) at a unit is a team line. Its role is the one an officer set
(`team_role`: head 一把手 / member / none), or, when unset, derived:
- head: the cadre is flagged `is_unit_head` and this is their latest line at their current
  unit (what the registry says today);
- member: the line's post level is at most one step below the highest post level ever held
  at that unit (e.g. 正处 and 副处 at a city bureau, not its 正科 section chiefs);
- otherwise none.
Explicit roles on past lines are what make headship time-aware: a cadre who headed a unit
years ago keeps that headship after moving on.
"""

# Lines whose role is not set take the derived one; `role_source` says which it was.
TEAM_LINES_SQL = """
SELECT ce.id AS line_id, ce.cadre_id, ce.unit_id, ce.start_date AS member_from,
       ce.end_date AS member_to, ce.post, ce.post_level, ce.version AS line_version,
       CASE WHEN ce.team_role IS NOT NULL THEN 'set' ELSE 'derived' END AS role_source,
       CASE
         WHEN ce.team_role IS NOT NULL THEN ce.team_role
         WHEN lc.is_unit_head AND lc.unit_id = ce.unit_id AND NOT EXISTS (
              SELECT 1 FROM career_entries lx WHERE lx.cadre_id = ce.cadre_id
                AND lx.unit_id = ce.unit_id AND (lx.start_date, lx.id) > (ce.start_date, ce.id))
           THEN 'head'
         WHEN lpl.ordinal >= (SELECT max(tpl.ordinal) FROM career_entries tx
                              JOIN post_levels tpl ON tpl.code = tx.post_level
                              WHERE tx.unit_id = ce.unit_id) - 1
           THEN 'member'
         ELSE 'none'
       END AS role
FROM career_entries ce
JOIN cadres lc ON lc.id = ce.cadre_id
LEFT JOIN post_levels lpl ON lpl.code = ce.post_level
WHERE ce.unit_id IS NOT NULL"""  # ends in WHERE: callers append "AND …" to narrow it

# Who headed which unit when (the `head` lines of TEAM_LINES_SQL, written without the member
# derivation so that per-cadre lookups stay cheap): cadre_id, unit_id, headed_from, headed_to.
HEADSHIPS_SQL = """
SELECT ce.cadre_id, ce.unit_id, ce.start_date AS headed_from, ce.end_date AS headed_to
FROM career_entries ce WHERE ce.team_role = 'head'
UNION ALL
SELECT hc.id AS cadre_id, he.unit_id, he.start_date AS headed_from, he.end_date AS headed_to
FROM cadres hc
CROSS JOIN LATERAL (
  SELECT ce.unit_id, ce.start_date, ce.end_date, ce.team_role FROM career_entries ce
  WHERE ce.cadre_id = hc.id AND ce.unit_id = hc.unit_id
  ORDER BY ce.start_date DESC, ce.id DESC LIMIT 1) he
WHERE hc.is_unit_head AND he.team_role IS NULL"""

# A period `p` (starts_on, ends_on) counts for headship `h` when the ranges share a day.
HEADED_DURING = "h.headed_from <= p.ends_on AND coalesce(h.headed_to, 'infinity'::date) >= p.starts_on"

# A team line `t` counts for the dates [$a, $b] when the ranges share a day (format a, b).
MEMBER_DURING = "t.member_from <= {b} AND coalesce(t.member_to, 'infinity'::date) >= {a}"
