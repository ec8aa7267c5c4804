"""The arithmetic of democratic evaluation (民主测评), stated once and used everywhere.

- A subject's total in a rater category is the sum of the votes recorded for it in that
  category; the overall total is the sum over categories (blank or spoiled ballots are not
  votes and are not recorded).
- rate(grade) = votes(grade) / total × 100, rounded half up to 2 decimals (e.g. "85.71");
  no rate at all when the total is 0.
- The favourable rate is 称职以上率 = (优秀 + 称职) / total on the grade scale and
  认同率 = 认同 / total on the approval scale, rounded the same way.
- Overall rates are computed from the summed votes, never by averaging category rates.
"""

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from schemas.leadership import APPROVAL_SCALE, GRADE_SCALE, Rate, Scale, Tally

FAVOURABLE: dict[Scale, tuple[str, ...]] = {"grade": ("excellent", "competent"),
                                           "approval": ("approve",)}


def scale_of(grades: Iterable[str]) -> Scale:
    """The scale a set of grades belongs to (approval if any grade is 认同/不认同/不了解)."""
    return "approval" if any(g in APPROVAL_SCALE for g in grades) else "grade"


def percent(part: int, total: int) -> str | None:
    """part / total as a percentage with 2 decimals, rounded half up; None when total is 0."""
    if total <= 0:
        return None
    value = (Decimal(part) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value:.2f}"


def tally(counts: Mapping[str, int], scale: Scale, rater_category: str | None) -> Tally:
    """Total, per-grade rates and favourable rate of one set of votes."""
    grades = GRADE_SCALE if scale == "grade" else APPROVAL_SCALE
    total = sum(counts.get(g, 0) for g in grades)
    rates = [Rate(grade=g, votes=counts.get(g, 0), rate=percent(counts.get(g, 0), total))  # type: ignore[arg-type]
             for g in grades]
    favourable = sum(counts.get(g, 0) for g in FAVOURABLE[scale])
    return Tally(rater_category=rater_category, scale=scale, total=total, rates=rates,  # type: ignore[arg-type]
                 favourable_rate=percent(favourable, total))


def subject_tallies(votes: Iterable[tuple[str, str, int]]) -> tuple[Tally, list[Tally]]:
    """Overall and per-category tallies of one subject from (category, grade, votes) rows."""
    rows = list(votes)
    scale = scale_of(g for _, g, _ in rows)
    overall: dict[str, int] = {}
    per: dict[str, dict[str, int]] = {}
    for category, grade, n in rows:
        overall[grade] = overall.get(grade, 0) + n
        per.setdefault(category, {})[grade] = per.get(category, {}).get(grade, 0) + n
    return (tally(overall, scale, None),
            [tally(per[c], scale, c) for c in sorted(per, key=CATEGORY_ORDER.index)])


CATEGORY_ORDER = ["leadership", "middle", "staff", "service_object", "other"]
