"""Ten districts scored every quarter for a year: stars, ranks and the seating order."""

from datetime import date, timedelta
from decimal import Decimal

from schemas.assessments import (
    IndicatorIn,
    PeriodCreate,
    ScoreCell,
    ScoresIn,
    StarRuleIn,
    StarRuleKind,
    VersionIn,
)
from service.assessments import score_entry
from service.assessments import service as assessments
from service.demo.story import Story

INDICATORS = (("economy", "经济运行", Decimal(40)), ("projects", "项目签约落地", Decimal(35)),
              ("renewal", "城市更新", Decimal(25)))
QUARTERS = 4


def quarters_before(today: date, n: int) -> list[tuple[int, int, date, date]]:
    """The last `n` complete quarters before `today`, oldest first: (year, quarter, start, end)."""
    year, q = today.year, (today.month - 1) // 3 + 1
    out: list[tuple[int, int, date, date]] = []
    for _ in range(n):
        q -= 1
        if q == 0:
            year, q = year - 1, 4
        start = date(year, 3 * q - 2, 1)
        end = (date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1))
        out.append((year, q, start, end))
    return out[::-1]


def _rules() -> list[StarRuleIn]:
    rules = [StarRuleIn(kind=StarRuleKind.indicator_top_n, indicator_code=code, top_n=3, stars=1,
                        label=f"{name}前三摘星") for code, name, _ in INDICATORS]
    rules.append(StarRuleIn(kind=StarRuleKind.total_at_least, threshold=Decimal(90), stars=1,
                            label="综合得分90分以上摘星"))
    return rules


async def tell(story: Story) -> dict[str, int]:
    """Create, score, publish and (except the latest) lock four quarterly periods."""
    rng = story.rng("scoreboards")
    districts = [r["id"] for r in await story.rows(
        "SELECT id FROM units WHERE kind = 'district' ORDER BY code")]
    if not districts:
        return {"scoreboard_periods": 0}
    # Each district has a strength and a trend over the year, so the trend chart tells something.
    strength = {d: rng.uniform(72, 90) for d in districts}
    trend = {d: rng.uniform(-2.5, 3.0) for d in districts}
    periods = 0
    for index, (year, q, start, end) in enumerate(quarters_before(story.today, QUARTERS)):
        created = await assessments.create_period(story.pool, story.officer, body=PeriodCreate(
            code=f"{year}Q{q}", owner_unit_id=story.city_id,
            name=f"{year}年{'一二三四'[q - 1]}季度各区“比学赶超”考核", starts_on=start, ends_on=end,
            unit_ids=districts, star_rules=_rules(),
            indicators=[IndicatorIn(code=c, name=n, weight=w) for c, n, w in INDICATORS]), key=None)
        cells = []
        for d in districts:
            for k, (code, _, _) in enumerate(INDICATORS):
                base = strength[d] + trend[d] * index + (k - 1) * rng.uniform(-2, 2)
                score = max(55.0, min(99.5, base + rng.uniform(-4, 4)))
                cells.append(ScoreCell(unit_id=d, indicator_code=code,
                                       score=Decimal(str(round(score, 1)))))
        await score_entry.put_scores(story.pool, story.officer, period_id=created.id,
                                     body=ScoresIn(scores=cells))
        scored = await assessments.get_period(story.pool, story.officer, created.id)
        out = await assessments.transition(story.pool, story.officer, period_id=created.id,
                                           body=VersionIn(version=scored.version), if_match=None,
                                           target="published")
        if index < QUARTERS - 1:  # the latest quarter stays open to corrections before locking
            await assessments.transition(story.pool, story.officer, period_id=created.id,
                                         body=VersionIn(version=out.version), if_match=None, target="locked")
        periods += 1
    return {"scoreboard_periods": periods, "scoreboard_units": len(districts)}
