"""Dossier sections fed by the assessments (issue 7) and promotions (issue 5) work.

Each adapter checks at call time that its tables exist, so the dossier still prints on a
database where those migrations have not been applied.
"""

import asyncpg

from schemas.export import PromotionHistoryEntry, UnitAssessmentResult
from schemas.labels import label, promotion_state
from service.dossier import repo
from service.pdf.formatting import to_beijing
from service.performance.service import dossier_sections
from service.principal import Principal


async def unit_assessment_results(conn: asyncpg.Connection, principal: Principal,
                                  cadre_id: int) -> list[UnitAssessmentResult]:
    """Published results of the units the cadre led, by the headship rule of the performance section."""
    if not await repo.table_exists(conn, "assessment_results"):
        return []
    performance = await dossier_sections(conn, principal, cadre_id)
    return [UnitAssessmentResult(period=s.period_name, unit=s.unit_name, total=s.total, rank=s.rank,
                                 stars=s.stars)
            for s in performance.unit_standings]


async def promotion_history(conn: asyncpg.Connection, principal: Principal,
                            cadre_id: int) -> list[PromotionHistoryEntry]:
    """The cadre's past and running promotion records (empty until the promotions table exists)."""
    if not await repo.table_exists(conn, "promotions"):
        return []
    return [
        PromotionHistoryEntry(
            kind=label(r["kind"], "promotion_kind"),
            post=r["target_unit"] + r["target_post"],
            stage=promotion_state(r["status"], r["stage"]),
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
