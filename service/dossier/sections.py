"""Dossier sections fed by the assessments (issue 7) and promotions (issue 5) work.

Each adapter checks at call time that its tables exist, so the dossier still prints on a
database where those migrations have not been applied.
"""

import asyncpg

from schemas.common import label
from schemas.export import PromotionHistoryEntry, UnitAssessmentResult
from service.dossier import repo
from service.pdf.formatting import to_beijing
from service.performance.service import dossier_sections
from service.principal import Principal

PROMOTION_KINDS = {"post_promotion": "提拔任用", "rank_promotion": "晋升职级",
                   "lateral_transfer": "交流任职"}
PROMOTION_STAGES = {"none": "未开始", "motion": "动议", "recommendation": "民主推荐",
                    "inspection": "考察", "decision": "讨论决定", "notice": "任前公示",
                    "appointment": "任职"}
PROMOTION_STATUSES = {"in_progress": "进行中", "appointed": "已任职", "on_probation": "试用期",
                      "confirmed": "试用期满转正", "removed": "试用期满免职", "cancelled": "已终止"}


async def unit_assessment_results(conn: asyncpg.Connection, principal: Principal,
                                  cadre_id: int) -> list[UnitAssessmentResult]:
    """Published results of the units the cadre led, by the headship rule of the performance section."""
    if not await repo.table_exists(conn, "assessment_results"):
        return []
    performance = await dossier_sections(conn, principal, cadre_id)
    return [UnitAssessmentResult(period=s.period_name, unit=s.unit_name, total=s.total, rank=s.rank,
                                 stars=s.stars)
            for s in performance.unit_standings]


def _promotion_state(stage: str, status: str) -> str:
    if status == "in_progress":
        return f"{PROMOTION_STAGES.get(stage, label(stage))}（进行中）"
    return PROMOTION_STATUSES.get(status, label(status))


async def promotion_history(conn: asyncpg.Connection, principal: Principal,
                            cadre_id: int) -> list[PromotionHistoryEntry]:
    """The cadre's past and running promotion records (empty until the promotions table exists)."""
    if not await repo.table_exists(conn, "promotions"):
        return []
    return [
        PromotionHistoryEntry(
            kind=PROMOTION_KINDS.get(r["kind"], label(r["kind"])),
            post=r["target_unit"] + r["target_post"],
            stage=_promotion_state(r["stage"], r["status"]),
            start_date=r["first_stage_on"] or to_beijing(r["created_at"]).date(),
            end_date=r["appointed_on"],
        )
        for r in await repo.promotion_rows(conn, principal, cadre_id)
    ]


async def proposed_post(conn: asyncpg.Connection, principal: Principal, cadre_id: int) -> str | None:
    """拟任职务 of the approval form: the target of the cadre's running post promotion, if any."""
    if not await repo.table_exists(conn, "promotions"):
        return None
    running = [r for r in await repo.promotion_rows(conn, principal, cadre_id)
               if r["status"] == "in_progress" and r["kind"] != "rank_promotion"]
    return running[-1]["target_unit"] + running[-1]["target_post"] if running else None
