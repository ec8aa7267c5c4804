"""Routes for quarterly unit scoreboards (季度考核榜单)."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from schemas.assessments import (
    AdjustmentIn,
    AdjustmentOut,
    Board,
    CorrectionIn,
    CorrectionOut,
    PeriodCreate,
    PeriodOut,
    PeriodPage,
    PeriodState,
    PeriodUpdate,
    ScoresIn,
    ScoresResult,
    Seating,
    Trends,
    VersionIn,
    WithdrawIn,
)
from schemas.common import DbDate, DbId
from schemas.records import RevisionOut
from service.assessments import score_entry, score_import, service
from service.deps import (
    AppSettings,
    EntityId,
    IdempotencyKey,
    IdQuery,
    IfMatch,
    Limit,
    OfficeReader,
    OfficerUser,
    Offset,
    Pool,
)
from service.versioning import etag

router = APIRouter(prefix="/api/assessments", tags=["assessments"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}}}}},
    }
}


@router.post("/periods", response_model=PeriodOut, status_code=201)
async def create_period(body: PeriodCreate, pool: Pool, user: OfficerUser,
                        key: IdempotencyKey = None) -> PeriodOut:
    """Create a draft period with compared units, indicators (weights) and star rules (officer)."""
    return await service.create_period(pool, user, body=body, key=key)


@router.get("/periods", response_model=PeriodPage)
async def list_periods(pool: Pool, user: OfficeReader,
                       owner_unit_id: IdQuery = None,
                       state: PeriodState | None = None,
                       limit: Limit = 50, offset: Offset = 0) -> PeriodPage:
    """Readable periods, newest first (drafts only for officers)."""
    return await service.list_periods(pool, user, owner_unit_id=owner_unit_id, state=state, limit=limit,
                                      offset=offset)


@router.get("/periods/{period_id}", response_model=PeriodOut)
async def get_period(period_id: EntityId, pool: Pool, user: OfficeReader, response: Response) -> PeriodOut:
    """One period with its setup."""
    out = await service.get_period(pool, user, period_id)
    response.headers["ETag"] = etag(out.version)
    return out


@router.put("/periods/{period_id}", response_model=PeriodOut)
async def update_period(period_id: EntityId, body: PeriodUpdate, pool: Pool, user: OfficerUser,
                        if_match: IfMatch) -> PeriodOut:
    """Replace the setup of a draft period (officer of the owner unit)."""
    return await service.update_setup(pool, user, period_id=period_id, body=body, if_match=if_match)


@router.post("/periods/{period_id}/publish", response_model=PeriodOut)
async def publish_period(period_id: EntityId, body: VersionIn, pool: Pool, user: OfficerUser,
                         if_match: IfMatch) -> PeriodOut:
    """Publish a complete draft: ranks become official and set the seating order."""
    return await service.transition(pool, user, period_id=period_id, body=body, if_match=if_match,
                                    target="published")


@router.post("/periods/{period_id}/lock", response_model=PeriodOut)
async def lock_period(period_id: EntityId, body: VersionIn, pool: Pool, user: OfficerUser,
                      if_match: IfMatch) -> PeriodOut:
    """Lock a published period; from then on only audited corrections change it."""
    return await service.transition(pool, user, period_id=period_id, body=body, if_match=if_match,
                                    target="locked")


@router.put("/periods/{period_id}/scores", response_model=ScoresResult)
async def put_scores(period_id: EntityId, body: ScoresIn, pool: Pool, user: OfficerUser) -> ScoresResult:
    """Enter or change scores (each existing cell by its version) for units in the officer's scope."""
    return await score_entry.put_scores(pool, user, period_id=period_id, body=body)


@router.post("/periods/{period_id}/adjustments", response_model=AdjustmentOut, status_code=201)
async def add_adjustment(period_id: EntityId, body: AdjustmentIn, pool: Pool, user: OfficerUser,
                         key: IdempotencyKey = None) -> AdjustmentOut:
    """Add bonus or deduction points with the reason."""
    return await score_entry.add_adjustment(pool, user, period_id=period_id, body=body, key=key)


@router.post("/periods/{period_id}/adjustments/{adjustment_id}/withdraw", response_model=AdjustmentOut)
async def withdraw_adjustment(period_id: EntityId, adjustment_id: EntityId, body: WithdrawIn, pool: Pool,
                              user: OfficerUser) -> AdjustmentOut:
    """Withdraw bonus or deduction points (kept and marked, with the reason)."""
    return await score_entry.withdraw_adjustment(pool, user, period_id=period_id, adj_id=adjustment_id,
                                                 body=body)


@router.post("/periods/{period_id}/corrections", response_model=CorrectionOut, status_code=201)
async def correct_period(period_id: EntityId, body: CorrectionIn, pool: Pool, user: OfficerUser,
                         if_match: IfMatch) -> CorrectionOut:
    """Correct a locked period: a reason is required; values before and after are kept and audited."""
    return await score_entry.correct(pool, user, period_id=period_id, body=body, if_match=if_match)


@router.get("/periods/{period_id}/corrections", response_model=list[CorrectionOut])
async def list_corrections(period_id: EntityId, pool: Pool, user: OfficeReader) -> list[CorrectionOut]:
    """Corrections of a period, oldest first."""
    return await score_entry.list_corrections(pool, user, period_id)


@router.get("/periods/{period_id}/revisions", response_model=list[RevisionOut])
async def period_revisions(period_id: EntityId, pool: Pool, user: OfficeReader) -> list[RevisionOut]:
    """Every version of the period (each revision keeps the whole board)."""
    return await service.period_revisions(pool, user, period_id)


@router.get("/periods/{period_id}/board", response_model=Board)
async def get_board(period_id: EntityId, pool: Pool, user: OfficeReader) -> Board:
    """The scoreboard: scores and ranks per indicator, bonus/deduction, total, rank, stars, seat."""
    return await service.board(pool, user, period_id)


@router.get("/periods/{period_id}/seating", response_model=Seating)
async def get_seating(period_id: EntityId, pool: Pool, user: OfficeReader) -> Seating:
    """Seating order for the next city meeting (published or locked periods)."""
    return await service.seating(pool, user, period_id)


@router.get("/periods/{period_id}/import-template", response_class=Response, responses={
    200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
          "description": "待填写的 .xlsx 模板（每个参评单位一行，每个指标一列）"}})
async def import_template(period_id: EntityId, pool: Pool, user: OfficerUser) -> Response:
    """A blank .xlsx to fill: one row per compared unit, one column per indicator."""
    name, data = await score_import.template(pool, user, period_id)
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"template.xlsx\"; filename*=UTF-8''{quote(name)}"})


@router.post("/periods/{period_id}/import", response_model=ScoresResult, openapi_extra=_UPLOAD_DOC)
async def import_scores(period_id: EntityId, request: Request, pool: Pool, user: OfficerUser,
                        settings: AppSettings, key: IdempotencyKey = None) -> ScoresResult:
    """Import a draft period's scores from .xlsx (field `file`): all rows valid or nothing applied."""
    content_type = request.headers.get("content-type")
    return await score_import.import_scores(pool, user, settings=settings, period_id=period_id,
                                            content_type=content_type,
                                            chunks=request.stream(), key=key)


@router.get("/trends", response_model=Trends)
async def trends(pool: Pool, user: OfficeReader,
                 unit_id: Annotated[list[DbId] | None, Query(max_length=50)] = None,
                 indicator: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,32}$")] = None,
                 owner_unit_id: IdQuery = None,
                 date_from: DbDate | None = None, date_to: DbDate | None = None) -> Trends:
    """Totals, ranks and stars across published periods, per unit (all compared units by default)."""
    return await service.trends(pool, user, unit_ids=unit_id, owner_unit_id=owner_unit_id,
                                indicator_code=indicator, date_from=date_from, date_to=date_to)
