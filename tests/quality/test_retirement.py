"""到龄 under the 2025 gradual retirement-age rules, checked at the boundary birth months."""

from datetime import date

import pytest

from service.quality.retirement import Scheme, age_on, delay_months, retirement_age, retirement_for


@pytest.mark.parametrize(("birth", "years", "months", "reached"), [
    ((1964, 12), 60, 0, (2024, 12)),  # last month before the reform: unchanged
    ((1965, 1), 60, 1, (2025, 2)),  # first row of the table
    ((1965, 4), 60, 1, (2025, 5)),
    ((1965, 5), 60, 2, (2025, 7)),  # next group of four birth months
    ((1970, 1), 61, 4, (2031, 5)),  # 60 months after 1965-01: 15 steps + 1
    ((1976, 8), 62, 11, (2039, 7)),
    ((1976, 9), 63, 0, (2039, 9)),  # cap reached
    ((1990, 6), 63, 0, (2053, 6)),
])
def test_men_retire_one_month_later_for_every_four_birth_months_up_to_63(
        birth: tuple[int, int], years: int, months: int, reached: tuple[int, int]) -> None:
    age = retirement_age(date(*birth, 15), Scheme.men_60)
    assert (age.years, age.months, age.reached) == (years, months, date(*reached, 1))


@pytest.mark.parametrize(("birth", "years", "months", "reached"), [
    ((1969, 12), 55, 0, (2024, 12)),
    ((1970, 1), 55, 1, (2025, 2)),
    ((1970, 4), 55, 1, (2025, 5)),
    ((1970, 5), 55, 2, (2025, 7)),
    ((1981, 8), 57, 11, (2039, 7)),
    ((1981, 9), 58, 0, (2039, 9)),
    ((1985, 1), 58, 0, (2043, 1)),
])
def test_women_cadres_go_from_55_to_58_one_month_per_four(
        birth: tuple[int, int], years: int, months: int, reached: tuple[int, int]) -> None:
    age = retirement_age(date(*birth, 1), Scheme.women_55)
    assert (age.years, age.months, age.reached) == (years, months, date(*reached, 1))


@pytest.mark.parametrize(("birth", "years", "months", "reached"), [
    ((1974, 12), 50, 0, (2024, 12)),
    ((1975, 1), 50, 1, (2025, 2)),
    ((1975, 2), 50, 1, (2025, 3)),
    ((1975, 3), 50, 2, (2025, 5)),
    ((1984, 10), 54, 11, (2039, 9)),
    ((1984, 11), 55, 0, (2039, 11)),
])
def test_women_workers_go_from_50_to_55_one_month_per_two(
        birth: tuple[int, int], years: int, months: int, reached: tuple[int, int]) -> None:
    age = retirement_age(date(*birth, 28), Scheme.women_50)
    assert (age.years, age.months, age.reached) == (years, months, date(*reached, 1))


def test_delay_never_exceeds_the_cap_and_is_zero_before_the_reform() -> None:
    assert delay_months(date(1950, 1, 1), Scheme.men_60) == 0
    assert max(delay_months(date(y, m, 1), Scheme.men_60) for y in range(1960, 2000)
               for m in range(1, 13)) == 36
    assert max(delay_months(date(y, m, 1), Scheme.women_50) for y in range(1970, 2000)
               for m in range(1, 13)) == 60


def test_gender_chooses_the_scheme_and_fixed_ages_are_untouched() -> None:
    assert retirement_for(date(1965, 1, 1), "male").label() == "60岁1个月"
    assert retirement_for(date(1970, 1, 1), "female").label() == "55岁1个月"
    fixed = retirement_for(date(1970, 3, 1), "male", base_age=65)
    assert (fixed.years, fixed.months, fixed.reached) == (65, 0, date(2035, 3, 1))


def test_form_age_counts_months_and_ignores_days() -> None:
    assert age_on(date(1980, 5, 31), date(2024, 5, 1)) == 44
    assert age_on(date(1980, 5, 1), date(2024, 4, 30)) == 43
