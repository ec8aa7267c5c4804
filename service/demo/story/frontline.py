"""Leaders at the service windows (局长坐窗口) 60+ times, 400+ items handled, processes improved."""

from datetime import timedelta

from schemas.service_logs import ServiceKind, ServiceLogCreate
from service.demo.story import Story
from service.demo.story.secondments import split
from service.service_logs import service as service_logs

WINDOW_SESSIONS = 64
WINDOW_ITEMS = 468
MOBILE_VISITS = 12
LEADERS = 8
PLACES = ("市民服务中心综合窗口", "不动产登记窗口", "企业开办专区", "社保医保窗口", "工程建设项目审批窗口",
          "公积金窗口")
PROPOSALS = ("企业开办材料仍需重复提交，建议数据共享免提交", "窗口叫号系统高峰期排队过长，建议增设自助终端",
             "老年人办事引导不足，建议设立帮办代办岗", "跨部门事项来回跑，建议设立“一件事”综合窗口")
IMPROVED = ("二手房转移登记压缩至1个工作日", "企业开办“一表申请、一窗发放”", "社保卡补换实现即时制卡",
            "工程建设项目施工许可并联审批", "居住证办理实行“承诺制”", "公积金提取“刷脸办”")

LEADER_SQL = """
SELECT c.id FROM cadres c JOIN units u ON u.id = c.unit_id LEFT JOIN post_levels pl ON pl.code = c.post_level
WHERE c.status = 'active' AND u.kind = 'department'
ORDER BY c.is_unit_head DESC, pl.ordinal DESC NULLS LAST, c.id LIMIT $1"""
STREET_SQL = """
SELECT c.id FROM cadres c JOIN units u ON u.id = c.unit_id
WHERE c.status = 'active' AND u.kind IN ('street', 'town') ORDER BY c.is_unit_head DESC, c.id LIMIT 4"""


async def tell(story: Story) -> dict[str, int]:
    """Window sessions of department leaders and mobile service visits of street leaders."""
    rng = story.rng("frontline")
    leaders = [r["id"] for r in await story.rows(LEADER_SQL, LEADERS)]
    if not leaders:
        return {"window_sessions": 0}
    items = [3 + n for n in split(rng, WINDOW_ITEMS - 3 * WINDOW_SESSIONS, WINDOW_SESSIONS)]
    improved = 0
    for n, handled in enumerate(items):
        processes = [IMPROVED[(n // 5) % len(IMPROVED)]] if n % 5 == 0 else []
        improved += len(processes)
        await service_logs.create_log(story.pool, story.officer, body=ServiceLogCreate(
            kind=ServiceKind.window_service, cadre_id=leaders[n % len(leaders)],
            served_on=story.today - timedelta(days=4 + 4 * (WINDOW_SESSIONS - n) + rng.randint(0, 2)),
            place=PLACES[n % len(PLACES)], items_handled=handled,
            problems_solved=max(1, handled // 3 + rng.randint(0, 1)),
            rectification_proposals=[PROPOSALS[n % len(PROPOSALS)]] if n % 3 == 0 else [],
            processes_improved=processes,
            notes="坐窗口、走流程、办业务，现场体验群众和企业办事的堵点难点。"), key=None)
    streets = [r["id"] for r in await story.rows(STREET_SQL)]
    for n in range(MOBILE_VISITS if streets else 0):
        await service_logs.create_log(story.pool, story.officer, body=ServiceLogCreate(
            kind=ServiceKind.mobile_service, cadre_id=streets[n % len(streets)],
            served_on=story.today - timedelta(days=6 + 17 * n), place="流动服务车·项目工地",
            items_handled=rng.randint(2, 9), problems_solved=rng.randint(1, 4),
            notes="驾驶流动服务车到项目工地和小区现场办理、现场协调。"), key=None)
    return {"window_sessions": WINDOW_SESSIONS, "window_items": sum(items),
            "processes_improved": improved, "mobile_visits": MOBILE_VISITS if streets else 0}
