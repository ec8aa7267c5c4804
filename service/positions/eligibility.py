"""Eligibility rules as SQL: one parameterized query with a boolean column per rule.

Each rule is a pair of SQL expressions over the cadre row `c` (with its unit `u` and the
reference ladders joined): `passed` (never NULL) and `value`, the actual figure behind the
outcome, so an explanation of a failure comes from the same query that decided it.
Values are always `$n` parameters; only the rule set decides which expressions appear.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from schemas.common import AppraisalGrade, Domain, label
from schemas.positions import Rules
from service.access import repo as access
from service.principal import Principal

FROM = "cadres c JOIN units u ON u.id = c.unit_id"
# The same rows for the eligible set alone: the unit is looked up per cadre that passed the rules
# (a few percent of the pool) instead of joined. The planner, estimating a handful of eligible
# rows, would otherwise loop over every unit for each of them (600,000 comparisons at 20,000).
FROM_PASSED = "cadres c CROSS JOIN LATERAL (SELECT * FROM units u WHERE u.id = c.unit_id OFFSET 0) u"
GRADE_ORDER = [g.value for g in AppraisalGrade]  # best first


@dataclass
class Params:
    """Positional parameters; $1 is always the principal's user id (for the scope fragment)."""

    values: list[Any] = field(default_factory=list)

    def add(self, value: Any, cast: str = "") -> str:
        """Append a value and return its placeholder."""
        self.values.append(value)
        return f"${len(self.values)}{cast}"


@dataclass(frozen=True)
class RuleSql:
    """One rule: its key (a column-safe name), Chinese label, pass test and actual value."""

    key: str
    label: str
    passed: str
    value: str


class _LazyParam:
    """A parameter added on first use: a query must not declare a placeholder it never uses
    (PostgreSQL cannot type it), and which rules use the reference date depends on the rules."""

    def __init__(self, p: Params, value: Any, cast: str) -> None:
        self.p, self.value, self.cast = p, value, cast
        self.placeholder: str | None = None

    def __str__(self) -> str:
        if self.placeholder is None:
            self.placeholder = self.p.add(self.value, self.cast)
        return self.placeholder


def _at_least(table: str, column: str, code: str, strictly: bool = False) -> str:
    """`column` names a rung at or above `code` on an ordered reference table.

    Written as IN (hashed subplan) rather than a join, so the planner applies it as a cheap
    filter on the cadre scan before the per-cadre subqueries of the other rules.
    """
    op = ">" if strictly else ">="
    return (f"{column} IN (SELECT code FROM {table} WHERE ordinal {op} "
            f"(SELECT ordinal FROM {table} WHERE code = {code}))")


# Ends a NOT EXISTS rule's subquery so that it stays a per-cadre index probe, run only for the
# cadres that passed the cheaper rules. Without it the planner turns the rule into an anti join
# and, estimating a handful of rows from the rule filters (each subquery comparison is a guess),
# plans a nested loop over every failing appraisal: 4 million comparisons at 20,000 cadres.
PROBE = " OFFSET 0"


def _months(years: float) -> int:
    return round(years * 12)


def _level_rules(rules: Rules, ref: _LazyParam, p: Params) -> RuleSql | None:
    tests: list[str] = []
    if rules.min_rank is not None:
        code = p.add(rules.min_rank.rank.value)
        months = p.add(_months(rules.min_rank.years), "::int")
        tests.append(f"({_at_least('ranks', 'c.rank', code, strictly=True)} OR "
                     f"(c.rank = {code} AND c.rank_since <= {ref} - make_interval(months => {months})))")
    if rules.min_post_level is not None:
        code = p.add(rules.min_post_level.post_level.value)
        months = p.add(_months(rules.min_post_level.years), "::int")
        tests.append(f"({_at_least('post_levels', 'c.post_level', code, strictly=True)} OR "
                     f"(c.post_level = {code} AND c.post_level_since <= {ref} - "
                     f"make_interval(months => {months})))")
    if not tests:
        return None
    value = ("jsonb_build_object('rank', c.rank, 'rank_since', c.rank_since, "
             "'post_level', c.post_level, 'post_level_since', c.post_level_since)")
    return RuleSql("current_level", "现任职级/职务层次及任职年限",
                   f"coalesce({' OR '.join(tests)}, false)", value)


def build_rules(rules: Rules, reference_date: date, p: Params) -> list[RuleSql]:
    """The SQL of every rule the position sets, in a fixed order."""
    ref = _LazyParam(p, reference_date, "::date")
    out: list[RuleSql] = []
    level = _level_rules(rules, ref, p)
    if level is not None:
        out.append(level)
    if rules.max_post_level is not None:
        code = p.add(rules.max_post_level.value)
        above = _at_least("post_levels", "c.post_level", code, strictly=True)
        out.append(RuleSql("post_level_fit", "与岗位层次相当", f"NOT coalesce({above}, false)",
                           "c.post_level"))
    if rules.max_age is not None:
        on = p.add(rules.max_age.on or reference_date, "::date")
        years = p.add(rules.max_age.max_age + 1, "::int")
        out.append(RuleSql("max_age", "年龄",
                           f"coalesce(c.birth_date > {on} - make_interval(years => {years}), false)",
                           f"date_part('year', age({on}, c.birth_date))::int"))
    if rules.min_education is not None:
        code = p.add(rules.min_education.level.value)
        test = _at_least("education_levels", "c.edu_fulltime_level", code)
        shown = "c.edu_fulltime_level"
        if not rules.min_education.fulltime_only:
            test += f" OR {_at_least('education_levels', 'c.edu_inservice_level', code)}"
            shown = ("(SELECT code FROM education_levels WHERE code IN (c.edu_fulltime_level, "
                     "c.edu_inservice_level) ORDER BY ordinal DESC LIMIT 1)")
        out.append(RuleSql("min_education", "学历", f"coalesce({test}, false)", shown))
    if rules.tiers:
        tiers = p.add([t.value for t in rules.tiers], "::text[]")
        out.append(RuleSql("tier", "干部管理层级", f"c.tier = ANY({tiers})", "c.tier"))
    if rules.grassroots_years is not None:
        value = (f"((SELECT coalesce(sum(least(coalesce(g.end_date, {ref}), {ref}) - g.start_date + 1), 0)"
                 f" FROM career_entries g WHERE g.cadre_id = c.id AND g.is_grassroots"
                 f" AND g.start_date <= {ref}) / 365.25)::float8")
        need = p.add(rules.grassroots_years, "::float8")
        out.append(RuleSql("grassroots", "基层工作经历", f"{value} >= {need}", value))
    for rule in rules.domains:
        dom = p.add(rule.domain.value)
        since = ""
        if rule.within_years is not None:
            years = p.add(rule.within_years, "::int")
            since = f" AND e.period_end >= {ref} - make_interval(years => {years})"
        value = (f"(SELECT count(*) FROM evidence e WHERE e.cadre_id = c.id AND e.verification = 'verified'"
                 f" AND e.judgement = 'positive' AND e.domain = {dom} AND e.period_start <= {ref}{since})")
        need = p.add(rule.min_verified, "::int")
        out.append(RuleSql(f"domain_{rule.domain.value}", f"{label(rule.domain.value)}领域已核实实绩",
                           f"{value} >= {need}", value))
    if rules.appraisal is not None:
        first = p.add(reference_date.year - rules.appraisal.years, "::int")
        last = p.add(reference_date.year - 1, "::int")
        bad = GRADE_ORDER[GRADE_ORDER.index(rules.appraisal.min_grade.value) + 1:]
        bad_p = p.add(bad, "::text[]")
        # Grade order is a code constant, not input: value-only expressions take no parameters,
        # so the bare eligibility query (passes only) uses every placeholder it declares.
        order = "ARRAY[" + ", ".join(f"'{g}'" for g in GRADE_ORDER) + "]"
        where = f"a.cadre_id = c.id AND a.year BETWEEN {first} AND {last}"
        out.append(RuleSql(
            "appraisal", f"近{rules.appraisal.years}年年度考核",
            f"NOT EXISTS (SELECT 1 FROM appraisals a WHERE {where} AND a.grade = ANY({bad_p}){PROBE})",
            f"(SELECT a.grade FROM appraisals a WHERE {where} "
            f"ORDER BY array_position({order}, a.grade) DESC, a.year LIMIT 1)"))
    if rules.no_open_penalty:
        where = (f"p.cadre_id = c.id AND p.kind = 'penalty' AND p.decided_on <= {ref} "
                 f"AND p.effective_until >= {ref}")
        out.append(RuleSql("no_open_penalty", "处分影响期",
                           f"NOT EXISTS (SELECT 1 FROM rewards_penalties p WHERE {where}{PROBE})",
                           f"(SELECT p.title FROM rewards_penalties p WHERE {where} "
                           f"ORDER BY p.effective_until DESC LIMIT 1)"))
    return out


NO_JIT = "SELECT set_config('jit', 'off', true)"
"""Run inside the transaction before rule queries: their per-cadre subqueries have a high plan
cost, so the planner would JIT-compile them, which takes about a second and saves nothing."""


def pool_condition(principal: Principal) -> str:
    """Active cadres the principal may read ($1 is the user id)."""
    return f"c.status = 'active' AND {access.cadre_visible(principal, 'c', 'u', 1)}"


def eligible_query(principal: Principal, rules: Rules, reference_date: date) -> tuple[str, Params]:
    """`SELECT c.id` of every eligible cadre: the bare eligibility query."""
    p = Params([principal.user_id])
    built = build_rules(rules, reference_date, p)
    tests = "".join(f"\n  AND {r.passed}" for r in built)
    return f"SELECT c.id FROM {FROM_PASSED}\nWHERE {pool_condition(principal)}{tests}", p


def preview_query(principal: Principal, rules: Rules,
                  reference_date: date) -> tuple[str, Params, list[RuleSql]]:
    """Counts over the pool: everyone, the eligible, and those passing each rule (`p_<key>`)."""
    p = Params([principal.user_id])
    built = build_rules(rules, reference_date, p)
    every = " AND ".join(f"({r.passed})" for r in built) or "true"
    cols = "".join(f", count(*) FILTER (WHERE {r.passed}) AS p_{r.key}" for r in built)
    sql = (f"SELECT count(*) AS pool, count(*) FILTER (WHERE {every}) AS eligible{cols} "
           f"FROM {FROM}\nWHERE {pool_condition(principal)}")
    return sql, p, built


def outcomes_query(principal: Principal, rules: Rules, *, reference_date: date,
                   ids: list[int] | None = None, which: str = "all",
                   limit: int = 50, offset: int = 0) -> tuple[str, Params, list[RuleSql]]:
    """Per-rule outcomes and values of cadres in the pool (optionally only given ids, or the failed)."""
    p = Params([principal.user_id])
    built = build_rules(rules, reference_date, p)
    cols = "".join(f", {r.value} AS v_{r.key}, {r.passed} AS r_{r.key}" for r in built)
    every = " AND ".join(f"({r.passed})" for r in built) or "true"
    where = pool_condition(principal)
    if ids is not None:
        where += f" AND c.id = ANY({p.add(ids, '::bigint[]')})"
    if which == "failed":
        where += f" AND NOT ({every})"
    elif which == "eligible":
        where += f" AND {every}"
    lim, off = p.add(limit, "::int"), p.add(offset, "::int")
    sql = (f"SELECT c.id AS cadre_id, c.name, u.name AS unit_name, c.post, ({every}) AS eligible{cols},"
           f" count(*) OVER () AS total FROM {FROM}\nWHERE {where}\nORDER BY c.id LIMIT {lim} OFFSET {off}")
    return sql, p, built


def domain_keys(rules: Rules) -> list[Domain]:
    """The work domains the rules require evidence in."""
    return [d.domain for d in rules.domains]
