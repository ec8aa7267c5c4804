"""领导班子, 调研档案 and 考察材料 pages: teams over time with evaluation results, a campaign's
archive overview, a team's archive with conclusions, and 考察材料 drafts to edit and export.
Reads go through the same services (audited) as the API; writes are forms posting to the JSON API."""

import json
from datetime import date
from typing import Annotated, Literal

from fastapi import Query, Request, Response

from schemas.archives import Statement
from schemas.clock import today
from schemas.common import DbDate, Role
from service.archives import service as archives_service
from service.campaigns import service as campaigns_service
from service.deps import EntityId, IdQuery, OfficeReader, Pool, Reader
from service.inspection import service as inspection_service
from service.inspection.compile import SECTIONS
from service.leadership import evaluations
from service.leadership import service as leadership_service
from service.pdf.documents import source_label
from service.web.page_route import page_router
from service.web.render import render

router = page_router()
SOURCE_LINKS = {"evidence": "/evidence/{}", "record": "/records/{}", "cadre": "/cadres/{}",
                "promotion": "/promotions/{}", "career": None, "appraisal": None, "reward": None,
                "evaluation": None, "conclusion": None}


def sources_json(st: Statement) -> str:
    """A statement's sources as the JSON its edit form sends back unchanged."""
    return json.dumps([s.model_dump() for s in st.sources])


def _ctx() -> dict[str, object]:
    return {"source_links": SOURCE_LINKS, "source_label": source_label}


@router.get("/leadership")
async def teams_page(request: Request, pool: Pool, user: Reader, on: DbDate | None = None,
                     tier: Literal["city_managed", "district_managed"] | None = None,
                     name: Annotated[str | None, Query(max_length=50)] = None) -> Response:
    """Leadership teams with members on a day; 市管 = teams whose head is city-managed."""
    day = on or today()
    teams, total = await leadership_service.list_teams(pool, principal=user, on=day, tier=tier,
                                                       name=name or None, limit=200, offset=0)
    return render(request, "leadership_teams.html", {"teams": teams, "total": total, "on": day, "tier": tier,
                                                     "name": name or ""}, title="领导班子")


@router.get("/leadership/{unit_id}")
async def team_page(unit_id: EntityId, request: Request, pool: Pool, user: Reader,
                    year: Annotated[int | None, Query(ge=1950, le=2100)] = None) -> Response:
    """A unit's team in a year: members with roles and dates, evaluation rounds with rates."""
    y = year or today().year
    team = await leadership_service.get_team(pool, principal=user, unit_id=unit_id,
                                             date_from=date(y, 1, 1), date_to=date(y, 12, 31))
    rounds = await evaluations.list_rounds(pool, principal=user, unit_id=unit_id, campaign_id=None)
    can_file = user.role in (Role.officer, Role.researcher)
    # A round may belong to an open campaign; a researcher's must be one of their own teams'.
    campaigns = [(c.id, c.name) for c in await campaigns_service.list_campaigns(pool, user)
                 if c.status == "open" and (user.role is Role.officer
                                            or any(user.user_id in t.member_ids for t in c.teams))
                 ] if can_file else []
    return render(request, "leadership_team.html", {
        "t": team, "year": y, "rounds": rounds, "can_edit": user.role is Role.officer,
        "can_file": can_file, "campaigns": campaigns, "today": today()}, title=f"{team.unit_name}领导班子")


@router.get("/archives/{campaign_id}")
async def overview_page(campaign_id: EntityId, request: Request, pool: Pool, user: Reader) -> Response:
    """A campaign's teams studied: talks, site visits, coverage gaps, status."""
    o = await archives_service.overview(pool, principal=user, campaign_id=campaign_id)
    return render(request, "archive_overview.html", {"o": o}, title=f"{o.campaign_name} · 调研档案")


@router.get("/archives/{campaign_id}/{unit_id}")
async def archive_page(campaign_id: EntityId, unit_id: EntityId, request: Request, pool: Pool,
                       user: Reader) -> Response:
    """The team's archive: every statement with links to its sources; conclusions; exports."""
    a = await archives_service.get_archive(pool, principal=user, campaign_id=campaign_id, unit_id=unit_id)
    return render(request, "archive.html", {
        "a": a, **_ctx(), "can_write": user.role in (Role.officer, Role.researcher),
        "can_export": user.role in (Role.officer, Role.leader)}, title=f"{a.unit_name} · 调研纪实档案")


@router.get("/inspection-drafts")
async def drafts_page(request: Request, pool: Pool, user: OfficeReader, promotion_id: IdQuery = None,
                      cadre_id: IdQuery = None) -> Response:
    """Drafts of a promotion record or a cadre, and the button that compiles a new one (officer)."""
    drafts = await inspection_service.listing(pool, principal=user, cadre_id=cadre_id,
                                              promotion_id=promotion_id)
    return render(request, "inspection_drafts.html", {
        "drafts": drafts, "promotion_id": promotion_id, "cadre_id": cadre_id,
        "can_edit": user.role is Role.officer}, title="考察材料")


@router.get("/inspection-drafts/{draft_id}")
async def draft_page(draft_id: EntityId, request: Request, pool: Pool, user: OfficeReader) -> Response:
    """A draft: sections with cited sentences, prompts where empty; officers edit each section."""
    d = await inspection_service.get(pool, principal=user, draft_id=draft_id)
    return render(request, "inspection_draft.html", {
        "d": d, **_ctx(), "can_edit": user.role is Role.officer, "sources_json": sources_json,
        "prompts": {k: p for k, _, p in SECTIONS}}, title=d.title)
