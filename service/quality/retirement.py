"""到龄: the month a cadre reaches the statutory retirement age under the 2025 gradual rules.

Source: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13), in force
2025-01-01, and its annexed month tables. From January 2025 the retirement age of men (60) and
of women whose original age was 55 is delayed by one month for every four months, up to 63 and
58; women whose original age was 50 are delayed by one month for every two months, up to 55.
The delay depends only on the birth month: whoever would originally have retired in
2025-01 … 2025-04 (born 1965-01 … 1965-04 for men) retires one month later, the next four
birth months two months later, and so on. Ages of 63, 65 and 66 (改革前任职年龄界限 of some
posts) are not changed.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

REFORM_START = (2025, 1)


class Scheme(StrEnum):
    """Which original retirement age applies."""

    men_60 = "men_60"
    women_55 = "women_55"  # women cadres (干部) and women in management/technical posts
    women_50 = "women_50"  # women workers (工人)
    fixed = "fixed"  # 63/65/66: untouched by the reform


@dataclass(frozen=True)
class RuleRow:
    """Original age, the birth months per one-month step, and the cap of the delay in months."""

    base_years: int
    months_per_step: int
    max_delay: int


RULES: dict[Scheme, RuleRow] = {
    Scheme.men_60: RuleRow(60, 4, 36),
    Scheme.women_55: RuleRow(55, 4, 36),
    Scheme.women_50: RuleRow(50, 2, 60),
}


@dataclass(frozen=True)
class RetirementAge:
    """The statutory age (years + months) and the month it is reached (到龄年月, day 1)."""

    years: int
    months: int
    reached: date

    def label(self) -> str:
        """`60岁3个月` / `63岁`."""
        return f"{self.years}岁" + (f"{self.months}个月" if self.months else "")


def _month_index(year: int, month: int) -> int:
    return year * 12 + (month - 1)


def _from_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def delay_months(birth: date, scheme: Scheme) -> int:
    """Months added to the original age for someone born in `birth`'s month."""
    rule = RULES.get(scheme)
    if rule is None:
        return 0
    original = _month_index(birth.year + rule.base_years, birth.month)
    steps_from = original - _month_index(*REFORM_START)
    if steps_from < 0:
        return 0
    return min(steps_from // rule.months_per_step + 1, rule.max_delay)


def scheme_for(gender: str, *, worker: bool = False, base_age: int | None = None) -> Scheme:
    """The scheme of a person: men 60; women cadres 55; women workers 50; 63/65/66 fixed."""
    if base_age is not None and base_age >= 63:
        return Scheme.fixed
    if base_age == 50 or (gender == "female" and worker and base_age is None):
        return Scheme.women_50
    if base_age == 55 or (gender == "female" and base_age is None):
        return Scheme.women_55
    return Scheme.men_60


def retirement_age(birth: date, scheme: Scheme, base_age: int | None = None) -> RetirementAge:
    """The statutory retirement age and month under the 2025 rules."""
    if scheme is Scheme.fixed:
        years = base_age or 63
        return RetirementAge(years, 0, _from_index(_month_index(birth.year + years, birth.month)))
    rule = RULES[scheme]
    total = rule.base_years * 12 + delay_months(birth, scheme)
    reached = _from_index(_month_index(birth.year, birth.month) + total)
    return RetirementAge(total // 12, total % 12, reached)


def retirement_for(birth: date, gender: str, base_age: int | None = None) -> RetirementAge:
    """到龄 of a cadre by gender (women cadres on the 55 scheme unless another base is given)."""
    scheme = scheme_for(gender, base_age=base_age)
    return retirement_age(birth, scheme, base_age)


def base_age_label(base_age: int | None, gender: str) -> str:
    """改革前任职年龄界限 as the reform editor writes it: `改革前任职年龄界限为60岁`."""
    years = base_age or (60 if gender == "male" else 55)
    return f"改革前任职年龄界限为{years}岁"


def age_on(birth: date, on: date) -> int:
    """Whole years of age on a date, counted by month as the approval form does (days ignored)."""
    return on.year - birth.year - (on.month < birth.month)
