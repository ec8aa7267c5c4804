"""Routes for research campaigns."""

from typing import Annotated

from fastapi import APIRouter, Query

from schemas.cadres import CadrePage
from schemas.campaigns import CampaignCreate, CampaignOut, CampaignUpdate, TeamIn
from schemas.common import DbId
from service.campaigns import service
from service.deps import (
    EntityId,
    Filer,
    IdempotencyKey,
    IfMatch,
    Limit,
    OfficerUser,
    Offset,
    Pool,
    Reader,
)

router = APIRouter(prefix="/api/campaigns", tags=["campaigns"])


@router.get("", response_model=list[CampaignOut])
async def list_campaigns(pool: Pool, user: Reader) -> list[CampaignOut]:
    """Campaigns the caller may see (researchers: their own teams')."""
    return await service.list_campaigns(pool, user)


@router.post("", response_model=CampaignOut, status_code=201)
async def create_campaign(body: CampaignCreate, pool: Pool, user: OfficerUser,
                          key: IdempotencyKey = None) -> CampaignOut:
    """Create a research campaign with teams (officer)."""
    return await service.create_campaign(pool, user, body=body, key=key)


@router.get("/{campaign_id}", response_model=CampaignOut)
async def get_campaign(campaign_id: EntityId, pool: Pool, user: Reader) -> CampaignOut:
    """One campaign."""
    return await service.get_campaign(pool, user, campaign_id)


@router.patch("/{campaign_id}", response_model=CampaignOut)
async def update_campaign(campaign_id: EntityId, body: CampaignUpdate, pool: Pool, user: OfficerUser,
                          if_match: IfMatch) -> CampaignOut:
    """Change a campaign's name, end date or status (officer)."""
    return await service.update_campaign(pool, user, campaign_id=campaign_id, body=body, if_match=if_match)


@router.post("/{campaign_id}/teams", response_model=CampaignOut, status_code=201)
async def add_team(campaign_id: EntityId, body: TeamIn, pool: Pool, user: OfficerUser,
                   key: IdempotencyKey = None) -> CampaignOut:
    """Add a team with members and assignments (officer)."""
    return await service.add_team(pool, user, campaign_id=campaign_id, body=body, key=key)


@router.get("/{campaign_id}/teams/{team_id}/cadres", response_model=CadrePage)
async def team_cadres(
    campaign_id: EntityId, team_id: EntityId, pool: Pool, user: Filer,
    q: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    ids: Annotated[list[DbId] | None, Query(max_length=200)] = None,
    limit: Limit = 20, offset: Offset = 0,
) -> CadrePage:
    """Cadres the caller may file on in their team (name or pinyin `q`, or `ids`); 404 for a
    team that is not the caller's."""
    return await service.fileable_cadres(pool, user, campaign_id=campaign_id, team_id=team_id,
                                         q=q, ids=ids, limit=limit, offset=offset)
