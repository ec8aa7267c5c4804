"""Research campaigns, their teams, members and assignments."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from schemas.common import DbId, IdList, LongText, ShortText, Strict, Version


class TeamIn(Strict):
    """A research team with its members and what it studies."""

    name: ShortText
    leader_id: DbId | None = None
    member_ids: IdList = []
    unit_ids: IdList = []
    cadre_ids: IdList = []
    # Leadership teams (领导班子) by unit: whoever was a member during the campaign.
    leadership_unit_ids: IdList = []


class CampaignCreate(Strict):
    """A research campaign, optionally with its teams.

    `unit_id` is the unit the campaign is run for (within the officer's scope); it may be left
    out by an officer with a single scope unit, which is then used.
    """

    name: ShortText
    unit_id: DbId | None = None
    description: LongText = ""
    starts_on: date
    ends_on: date
    status: Literal["planned", "open", "closed"] = "open"
    teams: Annotated[list[TeamIn], Field(max_length=50)] = []

    @model_validator(mode="after")
    def _dates_in_order(self) -> "CampaignCreate":
        if self.ends_on < self.starts_on:
            raise ValueError("结束日期不能早于开始日期")
        return self


class CampaignUpdate(Strict):
    """Change a campaign's status or dates."""

    version: Version | None = None
    name: ShortText | None = None
    description: LongText | None = None
    ends_on: date | None = None
    status: Literal["planned", "open", "closed"] | None = None


class TeamOut(BaseModel):
    """A team as stored."""

    id: int
    campaign_id: int
    name: str
    leader_id: int | None
    member_ids: list[int]
    unit_ids: list[int]
    cadre_ids: list[int]
    leadership_unit_ids: list[int] = []


class CampaignOut(BaseModel):
    """A campaign with its teams."""

    id: int
    name: str
    unit_id: int
    description: str
    starts_on: date
    ends_on: date
    status: str
    version: int
    teams: list[TeamOut]
