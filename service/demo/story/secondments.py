"""129 cadres seconded to 6 task forces; the investment task force logs 563/354/109."""

import random
from datetime import timedelta
from decimal import Decimal

from schemas.secondments import (
    MetricCreate,
    MetricValueIn,
    MetricValuesIn,
    PlacementIn,
    PlacementsIn,
    ProgramCreate,
)
from service.demo.story import Story
from service.secondments import service as secondments

SECONDED = 129
# Task force (by name ending) and how many of the 129 it receives.
FORCES = (("招商引资专班", 32), ("城市更新专班", 28), ("重点项目专班", 22), ("老旧小区改造专班", 18),
          ("拆违控违专班", 15), ("营商环境优化专班", 14))
METRICS = (("client_contacts", "客户接洽", "次", "走访、电话、视频接洽客商的次数"),
           ("negotiations", "洽谈会议", "场", "与客商举行的项目洽谈会议"),
           ("project_starts", "项目开工", "个", "签约后开工建设的项目"))
# The investment task force's year, as reported: 563 client contacts, 354 negotiation meetings,
# 109 project starts; the other task forces report smaller totals.
INVEST_TOTALS = {"client_contacts": 563, "negotiations": 354, "project_starts": 109}
OTHER_SHARE = (0.35, 0.2, 0.12)
PROGRAM_DAYS = 365
WEEKS = 36


def split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` split into `parts` non-negative counts (deterministic for the generator's state)."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


async def tell(story: Story) -> dict[str, int]:
    """One programme for the year, six task forces, 129 placements and weekly metric reports."""
    rng = story.rng("secondments")
    forces = {r["name"]: r["id"] for r in await story.rows(
        "SELECT id, name FROM units WHERE kind = 'task_force' ORDER BY id")}
    chosen = [(next(i for n, i in forces.items() if n.endswith(suffix)), count)
              for suffix, count in FORCES if any(n.endswith(suffix) for n in forces)]
    if not chosen:
        return {"seconded_cadres": 0}
    starts = story.today - timedelta(days=PROGRAM_DAYS - 60)
    ends = starts + timedelta(days=PROGRAM_DAYS)
    program = await secondments.create_program(story.pool, story.officer, body=ProgramCreate(
        name="作风能力提升年·干部下沉攻坚一线选派", owner_unit_id=story.city_id, starts_on=starts,
        ends_on=ends, task_force_unit_ids=[i for i, _ in chosen],
        description="从市直部门和各区选派干部下沉城市更新、招商引资、重点项目等专班，"
                    "在攻坚一线锤炼作风、检验能力，专班每周报送工作量，实绩记入干部档案。"), key=None)
    # Cadres below the district leadership, not already working in a task force.
    pool = [r["id"] for r in await story.rows(
        """SELECT c.id FROM cadres c JOIN units u ON u.id = c.unit_id
           WHERE c.status = 'active' AND u.kind NOT IN ('task_force', 'city')
             AND coalesce(c.post_level, '') <> 'division_main' ORDER BY c.id""")]
    rng.shuffle(pool)
    placements = []
    for unit_id, count in chosen:
        for n in range(count):
            if not pool:
                break
            begin = starts + timedelta(days=rng.randint(0, 20))
            placements.append(PlacementIn(cadre_id=pool.pop(), task_force_unit_id=unit_id,
                                          role="专班负责人" if n == 0 else "专班成员",
                                          starts_on=begin, ends_on=ends))
    if placements:
        await secondments.add_placements(story.pool, story.officer, program_id=program.id,
                                         body=PlacementsIn(placements=placements), key=None)
    for code, name, unit_label, desc in METRICS:
        await secondments.create_metric(story.pool, story.officer, body=MetricCreate(
            code=code, name=name, unit_label=unit_label, description=desc), key=None)
    reports = [story.today - timedelta(days=7 * w + 1) for w in range(WEEKS)][::-1]
    reports = [d for d in reports if d >= starts + timedelta(days=7)]
    invest = chosen[0][0]
    for unit_id, _ in chosen:
        values = []
        for k, (code, _, _, _) in enumerate(METRICS):
            total = INVEST_TOTALS[code] if unit_id == invest else int(INVEST_TOTALS[code] * OTHER_SHARE[k]
                                                                     * rng.uniform(0.6, 1.2))
            for day, value in zip(reports, split(rng, total, len(reports)), strict=True):
                values.append(MetricValueIn(metric_code=code, recorded_on=day, value=Decimal(value)))
        await secondments.put_values(story.pool, story.officer, unit_id=unit_id,
                                     body=MetricValuesIn(values=values))
    return {"seconded_cadres": len(placements), "task_forces": len(chosen),
            "report_weeks": len(reports), "invest_task_force": invest}


