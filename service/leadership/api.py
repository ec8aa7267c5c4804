"""Routes for leadership teams (领导班子), team roles of resume lines and democratic evaluation."""

from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from schemas import clock
from schemas.common import DbDate, ShortText
from schemas.leadership import LineRoleIn, LineRoleOut, RoundIn, RoundOut, TeamOut, TeamSummary
from service.deps import (
    AppSettings,
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
from service.errors import ValidationFailed
from service.leadership import evaluations, evaluations_xlsx, service

router = APIRouter(prefix="/api/leadership", tags=["leadership"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OptId = Annotated[int | None, Query(gt=0, le=2**63 - 1)]
Year = Annotated[int | None, Query(ge=1950, le=2100)]
_FILE = {"type": "object", "required": ["file"],
         "properties": {"file": {"type": "string", "format": "binary"}}}
_UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": _FILE}}}}


def date_range(year: int | None, on: date | None, date_from: date | None,
               date_to: date | None) -> tuple[date, date]:
    """The dates a team query covers: a year, a day, a range, or today."""
    if year is not None:
        return date(year, 1, 1), date(year, 12, 31)
    if date_from is not None or date_to is not None:
        start, end = date_from or date_to, date_to or date_from
        assert start is not None and end is not None
        if end < start:
            raise ValidationFailed("结束日期不能早于开始日期",
                                   errors=[{"field": "date_to", "message": "结束日期不能早于开始日期"}])
        return start, end
    day = on or clock.today()
    return day, day


@router.get("/teams", response_model=list[TeamSummary])
async def list_teams(pool: Pool, user: Reader, response: Response, on: DbDate | None = None,
                     tier: Literal["city_managed", "district_managed"] | None = None,
                     name: Annotated[str | None, Query(max_length=50)] = None,
                     limit: Limit = 50, offset: Offset = 0) -> list[TeamSummary]:
    """Leadership teams with members on a day (default today); tier = the head's tier."""
    items, total = await service.list_teams(pool, principal=user, on=on or clock.today(), tier=tier,
                                            name=name or None, limit=limit, offset=offset)
    response.headers["X-Total-Count"] = str(total)
    return items


@router.get("/teams/{unit_id}", response_model=TeamOut)
async def get_team(unit_id: EntityId, pool: Pool, user: Reader, year: Year = None,
                   on: DbDate | None = None, date_from: DbDate | None = None,
                   date_to: DbDate | None = None) -> TeamOut:
    """A unit's leadership team in a year, on a day or over a range: members, roles, dates."""
    start, end = date_range(year, on, date_from, date_to)
    return await service.get_team(pool, principal=user, unit_id=unit_id, date_from=start, date_to=end)


@router.put("/lines/{line_id}", response_model=LineRoleOut)
async def set_line_role(line_id: EntityId, body: LineRoleIn, pool: Pool, user: OfficerUser,
                        if_match: IfMatch) -> LineRoleOut:
    """Set a resume line's team role (head/member/none; null: derive it) — officer in scope."""
    return await service.set_line_role(pool, principal=user, line_id=line_id, body=body, if_match=if_match)


@router.post("/evaluations", response_model=RoundOut, status_code=201)
async def create_round(body: RoundIn, pool: Pool, user: Filer, key: IdempotencyKey = None) -> RoundOut:
    """Record a democratic evaluation round of a team (officer; researcher within their campaign)."""
    return await evaluations.create_round(pool, principal=user, body=body, key=key)


@router.post("/evaluations/import", response_model=RoundOut, status_code=201, openapi_extra=_UPLOAD_DOC)
async def import_round(request: Request, pool: Pool, user: Filer, settings: AppSettings,
                       unit_id: Annotated[int, Query(gt=0, le=2**63 - 1)],
                       name: Annotated[ShortText, Query()], held_on: DbDate,
                       campaign_id: OptId = None, key: IdempotencyKey = None) -> RoundOut:
    """Import a round from .xlsx (field `file`): all rows valid, or 422 with a row report."""
    meta = {"unit_id": unit_id, "name": name, "held_on": held_on, "campaign_id": campaign_id}
    return await evaluations.import_round(pool, principal=user, settings=settings, meta=meta,
                                          content_type=request.headers.get("content-type"),
                                          chunks=request.stream(), key=key)


@router.get("/evaluations", response_model=list[RoundOut])
async def list_rounds(pool: Pool, user: Reader, unit_id: OptId = None,
                      campaign_id: OptId = None) -> list[RoundOut]:
    """Readable rounds with counts and rates (subjects the caller may read)."""
    return await evaluations.list_rounds(pool, principal=user, unit_id=unit_id, campaign_id=campaign_id)


@router.get("/evaluations/{round_id}", response_model=RoundOut)
async def get_round(round_id: EntityId, pool: Pool, user: Reader) -> RoundOut:
    """One round with counts and rates."""
    return await evaluations.get_round(pool, principal=user, round_id=round_id)


@router.get("/teams/{unit_id}/evaluation-template",
            responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
async def evaluation_template(unit_id: EntityId, pool: Pool, user: Filer) -> Response:
    """A blank .xlsx for a round of the team: one row per current member."""
    team = await service.get_team(pool, principal=user, unit_id=unit_id, date_from=clock.today(),
                                  date_to=clock.today())
    members = list(dict.fromkeys((m.cadre_id, m.name) for m in team.members))
    data = evaluations_xlsx.template(team.unit_name, members)
    name = f"{team.unit_name}民主测评模板.xlsx"
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"template.xlsx\"; filename*=UTF-8''{quote(name)}"})
