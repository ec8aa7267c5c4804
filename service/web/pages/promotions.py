"""任免: promotion records as a board by stage, each record's timeline, and the next stage's form."""

from typing import Any

from fastapi import Request, Response

from schemas.clock import today
from schemas.common import PostLevel, Rank, Role
from schemas.labels import PROMOTION_KIND, PROMOTION_STAGE, PROMOTION_STAGE_FIELD, PROMOTION_STATUS, label
from schemas.promotions import PromotionFilter, PromotionOut
from service.deps import EntityId, IdQuery, OfficeReader, OfficerUser, Pool
from service.positions import service as positions_service
from service.promotions import service as promotions_service
from service.promotions.stages import NOTICE_MIN_WORKING_DAYS, SEQUENCES
from service.web import repo
from service.web.page_route import page_router
from service.web.render import render

router = page_router()

BOARD_LIMIT = 200
# The rule each stage's form is checked against (service/promotions/stages.py enforces them).
STAGE_RULES = {
    "motion": "选任从动议开始：写明提议单位或个人和理由。",
    "recommendation": "民主推荐：发出票数不多于参加人数，收回票数不多于发出票数，每人得票不多于收回票数；"
                      "得票中须包括本人，其他候选人须是您可查看的干部。",
    "inspection": "考察：考察组不少于 2 人；引用的调研记录须可查阅，引用的实绩须属于该干部。",
    "decision": "讨论决定：到会成员须达到应到会成员的三分之二；同意票须超过应到会成员的半数。",
    "notice": f"任前公示：不少于 {NOTICE_MIN_WORKING_DAYS} 个工作日（按节假日工作日历计算）。",
    "appointment": "任职：日期须在公示期满之后，并填写任免文件文号。",
}
GENERAL_RULE = "各阶段须按顺序记录，日期不得早于上一阶段、不得晚于今天；已记录的阶段只能修正并留痕。"
STATUS_COLUMNS = ("on_probation", "appointed", "confirmed", "removed", "cancelled")


def board_columns(items: list[PromotionOut]) -> dict[str, list[dict[str, Any]]]:
    """Running records by their last recorded stage, finished ones by outcome (two rows of columns,
    so that a desktop shows every column without scrolling sideways)."""
    columns: list[dict[str, Any]] = [{"key": "none", "label": "待动议", "items": []}]
    columns += [{"key": s, "label": PROMOTION_STAGE[s], "items": []}
                for s in SEQUENCES["post_promotion"][:-1]]
    columns += [{"key": k, "label": PROMOTION_STATUS[k], "items": []} for k in STATUS_COLUMNS]
    by_key = {c["key"]: c for c in columns}
    for item in items:
        key = item.stage if item.status == "in_progress" else item.status
        by_key.get(key, by_key["none"])["items"].append(item)
    running = len(SEQUENCES["post_promotion"])
    return {"running": columns[:running], "finished": columns[running:]}


@router.get("/promotions")
async def promotions_board(request: Request, pool: Pool, user: OfficeReader) -> Response:
    """The board: one column per stage, a card per selection record."""
    page = await promotions_service.list_promotions(pool, user, filters=PromotionFilter(), limit=BOARD_LIMIT,
                                                    offset=0)
    return render(request, "promotions.html", {
        **board_columns(page.items), "total": page.total, "kinds": PROMOTION_KIND,
        "stage_labels": PROMOTION_STAGE,
    }, title="任免")


@router.get("/promotions/new")
async def new_promotion(request: Request, pool: Pool, user: OfficerUser,
                        cadre_id: IdQuery = None, position_id: IdQuery = None) -> Response:
    """Start a selection record, from a dossier (cadre_id) or a shortlist candidate (and position_id)."""
    position = await positions_service.get_position(pool, user, position_id) if position_id else None
    async with pool.acquire() as conn:
        names = await repo.cadre_names(conn, user, [cadre_id] if cadre_id else [])
        units = await repo.scope_units(conn, user)
    cadre = {"id": cadre_id, "name": names[cadre_id]} if cadre_id in names else None
    return render(request, "promotion_new.html", {
        "cadre": cadre, "position": position, "kinds": list(PROMOTION_KIND.items()),
        "units": [(u["id"], "　" * max(0, u["depth"] - 1) + u["name"]) for u in units],
        "levels": [(v.value, label(v.value)) for v in PostLevel],
        "ranks": [(v.value, label(v.value)) for v in Rank],
    }, title="发起任免")


@router.get("/promotions/{promotion_id}")
async def promotion_page(promotion_id: EntityId, request: Request, pool: Pool,
                         user: OfficeReader) -> Response:
    """One record: its timeline of stages, and for officers the form of the next stage."""
    record = await promotions_service.get_promotion(pool, user, promotion_id)
    sequence = SEQUENCES[record.kind]
    done = {s.stage for s in record.stages}
    voted = [int(v["cadre_id"]) for s in record.stages for v in s.payload.get("votes", [])]
    async with pool.acquire() as conn:
        names = await repo.cadre_names(conn, user, voted)
    return render(request, "promotion.html", {
        "p": record, "kinds": PROMOTION_KIND, "stage_labels": PROMOTION_STAGE, "sequence": sequence,
        "done": done, "rules": STAGE_RULES, "general_rule": GENERAL_RULE, "today": today(),
        "can_edit": user.role is Role.officer, "payload_labels": PROMOTION_STAGE_FIELD, "names": names,
    }, title=f"{record.cadre_name} · {PROMOTION_KIND[record.kind]}")
