"""District leaders' arena contests (擂台比武), one a quarter, with presentations and judges' scores."""

from datetime import timedelta
from decimal import Decimal

from schemas.common import Domain, Judgement
from schemas.contests import (
    ContestCreate,
    ContestLevel,
    JudgeScore,
    PresentationCreate,
    PresentationEvidenceIn,
)
from schemas.evidence import Metric
from service.contests import service as contests
from service.demo.story import Story
from service.demo.story.scoreboards import QUARTERS, quarters_before

JUDGES = ("市委常委评委", "人大代表评委", "政协委员评委", "企业代表评委", "群众代表评委")
THEMES = (("经济运行", "规上工业增加值增长{a}%，新增市场主体{b}户", "工业投资增速低于全市平均",
           "力争全年地区生产总值增长{a}%", "实行重点企业“一企一专员”包联服务"),
          ("项目签约落地", "签约亿元以上项目{b}个，开工{a}个", "签约项目落地转化率不高",
           "推动{b}个签约项目年内开工", "建立签约项目“周调度、月通报”机制"),
          ("城市更新", "完成老旧小区改造{b}个，拆除违章建筑{a}万平方米", "历史街区保护利用进度偏慢",
           "年内完成{b}个片区更新", "推行“街区长”制，一街一策推进更新"))

# The cadre who speaks for each district: the highest post level in the district itself, heads first.
PRESENTERS = """
SELECT DISTINCT ON (d.id) d.id AS district_id, d.name AS district, c.id AS cadre_id, c.name
FROM units d JOIN units u ON u.id = d.id OR d.id = ANY(u.ancestor_ids)
JOIN cadres c ON c.unit_id = u.id AND c.status = 'active'
LEFT JOIN post_levels pl ON pl.code = c.post_level
WHERE d.kind = 'district'
ORDER BY d.id, (u.id = d.id) DESC, pl.ordinal DESC NULLS LAST, c.is_unit_head DESC, c.id"""


async def tell(story: Story) -> dict[str, int]:
    """Four contests of district leaders; the best and the weakest of the latest get evidence."""
    rng = story.rng("contests")
    speakers = await story.rows(PRESENTERS)
    presentations = 0
    contests_made = 0
    for index, (year, q, _, end) in enumerate(quarters_before(story.today, QUARTERS)):
        theme = THEMES[index % len(THEMES)]
        held = end - timedelta(days=rng.randint(3, 12))
        contest = await contests.create_contest(story.pool, story.officer, body=ContestCreate(
            name=f"{year}年{'一二三四'[q - 1]}季度区县主要负责人“{theme[0]}”擂台比武",
            level=ContestLevel.district_head, held_on=held, place="市委党校报告厅",
            organizer_unit_id=story.city_id,
            description="各区主要负责人同台晒成绩、亮短板、比思路、定举措，评委现场打分，结果纳入季度考核。"),
            key=None)
        contests_made += 1
        order = list(speakers)
        rng.shuffle(order)
        latest = index == QUARTERS - 1
        for n, s in enumerate(order, start=1):
            a, b = rng.randint(3, 12), rng.randint(4, 30)
            scores = [JudgeScore(scorer=j, score=Decimal(str(round(rng.uniform(78, 97), 1))))
                      for j in JUDGES]
            evidence = []
            if latest and n in (1, len(order)):
                good = n == 1
                evidence.append(PresentationEvidenceIn(
                    domain=Domain.urban_renewal if index % 3 == 2 else Domain.investment_attraction,
                    judgement=Judgement.positive if good else Judgement.negative,
                    title=f"{s['district']}{theme[0]}擂台比武{'亮点' if good else '短板'}",
                    description=(theme[1] if good else theme[2]).format(a=a, b=b),
                    metrics=[Metric(name=theme[0], value=float(b), unit="个")] if good
                    else [Metric(name="比武排名", value=float(len(order)), unit="名")],
                    period_start=held - timedelta(days=80), period_end=held))
            body = PresentationCreate(
                cadre_id=s["cadre_id"], unit_id=s["district_id"], speaking_order=n,
                achievements=theme[1].format(a=a, b=b), shortcomings=theme[2],
                goals=theme[3].format(a=a, b=b), measures=theme[4], scores=scores,
                evidence=evidence)
            await contests.add_presentation(story.pool, story.officer, contest_id=contest.id, body=body,
                                            key=None)
            presentations += 1
    return {"contests": contests_made, "contest_presentations": presentations}
