"""The performance section of a cadre's dossier, and the text it adds to the cadre's search document."""

import asyncpg

from schemas.assessments import StarAward
from schemas.performance import CadrePerformance, IndicatorStanding, ServiceYear, UnitStanding
from schemas.service_logs import ServiceLogFilter, ServiceTotals
from service.cadres import repo as cadres_repo
from service.contests import repo as contests_repo
from service.contests.service import to_presentation
from service.errors import NotFound
from service.performance import repo
from service.performance.facts import performance_text
from service.principal import Principal
from service.secondments import repo as secondments_repo
from service.secondments.service import placements_out
from service.service_logs import repo as logs_repo
from service.uow import unit_of_work

HEADSHIP_RULE = ("任一把手期间：干部标记为单位一把手时，以其简历中在现任单位的最近一条任职记录的"
                 "起止日期为任职期间；考核期与任职期间有重叠即列入（含部分重叠，见 headed_from/headed_to）。")


async def dossier_sections(conn: asyncpg.Connection, principal: Principal, cadre_id: int) -> CadrePerformance:
    """Units the cadre led (ranks and stars while leading), contests, placements and service totals."""
    cadre = await cadres_repo.get_visible(conn, principal, cadre_id)
    if cadre is None:
        raise NotFound("干部不存在")
    standings = [UnitStanding(
        **{k: r[k] for k in UnitStanding.model_fields if k not in ("star_details", "indicators")},
        star_details=[StarAward(**d) for d in r["star_details"]],
        indicators=[IndicatorStanding(**i) for i in r["indicators"]])
        for r in await repo.unit_standings(conn, cadre_id)]
    presentations = await contests_repo.presentations(conn, principal, cadre_id=cadre_id)
    contests = [to_presentation(p) for p in presentations]
    rows, _ = await secondments_repo.placements(conn, principal, None, cadre_id, None)
    overall, _ = await logs_repo.totals(conn, principal, group_by="cadre",
                                        filters=ServiceLogFilter(cadre_id=cadre_id))
    yearly = [ServiceYear(**{k: r[k] for k in ServiceYear.model_fields})
              for r in await logs_repo.yearly(conn, cadre_id)]
    return CadrePerformance(
        cadre_id=cadre_id, cadre_name=cadre["name"], headship_rule=HEADSHIP_RULE, unit_standings=standings,
        contests=contests, placements=await placements_out(conn, rows),
        service_totals=ServiceTotals(**{**dict(overall), "id": cadre_id, "name": cadre["name"]}),
        service_by_year=yearly)


async def search_text(conn: asyncpg.Connection, cadre_id: int) -> str:
    """The searchable text the cadre's search document carries for these facts."""
    return performance_text(await repo.search_facts(conn, cadre_id))


async def get_performance(pool: asyncpg.Pool, principal: Principal, cadre_id: int) -> CadrePerformance:
    """The performance section of a readable cadre (the read is audited)."""
    async with unit_of_work(pool, principal) as uow:
        out = await dossier_sections(uow.conn, principal, cadre_id)
        uow.audit("cadre.performance.read", "cadre", cadre_id)
        return out
