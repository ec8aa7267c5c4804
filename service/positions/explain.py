"""Chinese explanation lines of rule outcomes, from the values the eligibility query returned."""

from datetime import date
from typing import Any

import asyncpg

from schemas.common import PostLevel
from schemas.labels import label
from schemas.positions import CadreEligibility, RuleOutcome, Rules
from service.positions.eligibility import RuleSql


def ladder_above(level: str, than: str) -> bool:
    """Whether post level `level` is above `than` (PostLevel lists them lowest first)."""
    order = [p.value for p in PostLevel]
    return level in order and than in order and order.index(level) > order.index(than)


def _years_since(since: Any, ref: date) -> str:
    if not isinstance(since, str | date):
        return "任职时间不详"
    start = date.fromisoformat(since) if isinstance(since, str) else since
    return f"{start.isoformat()} 起，{(ref - start).days / 365.25:.1f} 年"


def _level(value: dict[str, Any], rules: Rules, ref: date) -> str:
    now = []
    if value.get("rank"):
        now.append(f"职级 {label(value['rank'])}（{_years_since(value.get('rank_since'), ref)}）")
    if value.get("post_level"):
        now.append(f"职务层次 {label(value['post_level'])}（"
                   f"{_years_since(value.get('post_level_since'), ref)}）")
    need = []
    if rules.min_rank is not None:
        need.append(f"职级不低于 {label(rules.min_rank.rank.value)}（任满 {rules.min_rank.years:g} 年）")
    if rules.min_post_level is not None:
        need.append(f"职务层次不低于 {label(rules.min_post_level.post_level.value)}"
                    f"（任满 {rules.min_post_level.years:g} 年）")
    return f"现任{'、'.join(now) or '无职级和职务层次'}；要求{'或'.join(need)}"


def detail(key: str, value: Any, *, rules: Rules, ref: date) -> str:
    """The sentence explaining one rule's outcome."""
    if key == "current_level":
        return _level(value or {}, rules, ref)
    if key == "post_level_fit" and rules.max_post_level is not None:
        need = label(rules.max_post_level.value)
        if value is None:
            return f"现任无领导职务层次，不高于岗位的{need}"
        if value == rules.max_post_level.value:
            return f"现任职务层次{label(value)}，与岗位的{need}相同（平级任用）"
        return f"现任职务层次{label(value)}，" + (
            f"高于岗位的{need}，不宜降级任用" if ladder_above(value, rules.max_post_level.value)
            else f"低于岗位的{need}")
    if key == "max_age" and rules.max_age is not None:
        on = rules.max_age.on or ref
        return f"{value} 周岁（截至 {on.isoformat()}），要求不超过 {rules.max_age.max_age} 周岁"
    if key == "min_education" and rules.min_education is not None:
        kind = "全日制" if rules.min_education.fulltime_only else ""
        return f"{kind}学历 {label(value) or '无'}，要求不低于 {label(rules.min_education.level.value)}"
    if key == "tier":
        return f"{label(value)}，要求 {'或'.join(label(t.value) for t in rules.tiers)}"
    if key == "grassroots":
        return f"基层工作 {float(value or 0):.1f} 年，要求不少于 {rules.grassroots_years:g} 年"
    if key.startswith("domain_"):
        rule = next(d for d in rules.domains if f"domain_{d.domain.value}" == key)
        window = f"近 {rule.within_years} 年" if rule.within_years else ""
        return f"{window}已核实实绩 {value} 项，要求不少于 {rule.min_verified} 项"
    if key == "appraisal" and rules.appraisal is not None:
        span = f"{ref.year - rules.appraisal.years}–{ref.year - 1} 年"
        need = label(rules.appraisal.min_grade.value)
        if value is None:
            return f"{span}无考核记录，要求不低于 {need}"
        return f"{span}最低等次 {label(value)}，要求不低于 {need}"
    if key == "no_open_penalty":
        return f"处分影响期内：{value}" if value else "无处分影响期内的处分"
    return str(value)


def outcomes(row: asyncpg.Record, built: list[RuleSql], *, rules: Rules, ref: date) -> CadreEligibility:
    """A cadre's eligibility from one row of the outcomes query."""
    lines = [RuleOutcome(rule=r.key, label=r.label, passed=bool(row[f"r_{r.key}"]),
                         detail=detail(r.key, row[f"v_{r.key}"], rules=rules, ref=ref)) for r in built]
    return CadreEligibility(cadre_id=row["cadre_id"], name=row["name"], unit_name=row["unit_name"],
                            post=row["post"], eligible=bool(row["eligible"]), rules=lines,
                            failed=[o.rule for o in lines if not o.passed])


def failure_text(item: CadreEligibility) -> str:
    """'年龄：47 周岁…；学历：…' for the rules a cadre failed."""
    return "；".join(f"{o.label}：{o.detail}" for o in item.rules if not o.passed)
