"""调研活动 and 我的工作: research campaigns with their teams, members and assignments (officers
create and change them within their scope through the API), a filer's drafts and submitted records,
and the form that edits a draft or amends a submitted record with a reason."""

import json

from fastapi import Request, Response

from schemas.clock import today
from schemas.common import Role, label
from service.campaigns import service as campaigns_service
from service.deps import EntityId, Filer, Pool, Reader
from service.records import service as records_service
from service.web import repo
from service.web.page_route import page_router
from service.web.render import render

router = page_router()
MY_LIMIT = 200


@router.get("/campaigns")
async def campaigns_page(request: Request, pool: Pool, user: Reader) -> Response:
    """Campaigns the user may see (researchers: their own teams'), and a new campaign (officer)."""
    campaigns = await campaigns_service.list_campaigns(pool, user)
    return render(request, "campaigns.html", {
        "campaigns": campaigns, "today": today(), "can_edit": user.role is Role.officer,
    }, title="调研活动")


@router.get("/campaigns/{campaign_id}")
async def campaign_page(campaign_id: EntityId, request: Request, pool: Pool, user: Reader) -> Response:
    """A campaign's teams with members and assignments; officers add teams and change its status."""
    campaign = await campaigns_service.get_campaign(pool, user, campaign_id)
    member_ids = sorted({m for t in campaign.teams for m in t.member_ids}
                        | {t.leader_id for t in campaign.teams if t.leader_id})
    async with pool.acquire() as conn:
        people = await repo.users_names(conn, member_ids)
        units = await repo.unit_names(conn, sorted({u for t in campaign.teams
                                                    for u in (*t.unit_ids, *t.leadership_unit_ids)}))
        cadres = await repo.cadre_names(conn, user, sorted({c for t in campaign.teams for c in t.cadre_ids}))
        researchers = await repo.researchers(conn) if user.role is Role.officer else []
        scope_units = await repo.scope_units(conn, user) if user.role is Role.officer else []
    return render(request, "campaign.html", {
        "c": campaign, "people": people, "unit_names": units, "cadre_names": cadres,
        "researchers": [(r["id"], r["display_name"]) for r in researchers],
        "units": [(u["id"], "　" * max(0, u["depth"] - 1) + u["name"]) for u in scope_units],
        "statuses": [(s, label(s)) for s in ("planned", "open", "closed")],
        "can_edit": user.role is Role.officer, "today": today(),
    }, title=f"{campaign.name} · 调研活动")


@router.get("/my-work")
async def my_work(request: Request, pool: Pool, user: Filer) -> Response:
    """What the user can act on: their drafts (edit, submit) and the records they submitted (amend
    with a reason), in their open campaigns' teams; anyone else is told why there are none."""
    in_team, drafts, submitted = await records_service.my_work(pool, user, limit=MY_LIMIT)
    return render(request, "my_work.html", {"in_team": in_team, "drafts": drafts, "submitted": submitted},
                  title="我的工作")


@router.get("/records/{record_id}/edit")
async def edit_record(record_id: EntityId, request: Request, pool: Pool, user: Filer) -> Response:
    """Edit a draft, or amend a submitted record with a reason (the API keeps a revision)."""
    record = await records_service.get_own_record(pool, user, record_id)
    return render(request, "record_edit.html", {
        "r": record, "details_json": json.dumps(record.details, ensure_ascii=False), "today": today(),
    }, title=f"{'编辑' if record.state == 'draft' else '更正'}：{record.title}")
