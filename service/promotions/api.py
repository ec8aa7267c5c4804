"""Routes for promotion records, their stages, probation, statistics and the working-day calendar."""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from schemas.clock import today
from schemas.common import DbDate, PostLevel
from schemas.promotions import (
    CancelIn,
    Kind,
    ProbationIn,
    PromotionCreate,
    PromotionFilter,
    PromotionOut,
    PromotionPage,
    StageAmend,
    StageName,
    StageRecord,
    StatsFilter,
    StatsOut,
    WorkingDays,
)
from schemas.records import RevisionOut
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
from service.errors import ValidationFailed
from service.exports.service import PDF_RESPONSES, pdf_response
from service.principal import Principal
from service.promotions import pdf, repo, service, stats

router = APIRouter(prefix="/api/promotions", tags=["promotions"])


class StageRoute(APIRoute):
    """A stage route whose schema refusal of a democratic recommendation also carries the candidate
    rows' errors (the service's rules), so one answer lists every error a submission has."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler: add the rows' errors to a body the schema refused."""
        handler = super().get_route_handler()

        async def stage_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise RequestValidationError([*exc.errors(), *await _row_errors(request)]) from None

        return stage_handler


async def _row_errors(request: Request) -> list[dict[str, Any]]:
    principal = getattr(request.state, "principal", None)
    promotion_id = str(request.path_params.get("promotion_id", ""))
    try:
        body = await request.json()
    except ValueError:
        return []
    if not isinstance(principal, Principal) or not promotion_id.isdigit() or not isinstance(body, dict):
        return []
    rows = await service.refused_vote_rows(request.app.state.pool, principal, promotion_id=int(promotion_id),
                                           payload=body.get("payload"))
    return [{"type": "value_error", "msg": e["message"],
             "loc": ("body", *(int(p) if p.isdigit() else p for p in e["field"].split(".")))} for e in rows]


stage_router = APIRouter(prefix="/api/promotions", tags=["promotions"], route_class=StageRoute)


@router.post("", response_model=PromotionOut, status_code=201)
async def create_promotion(body: PromotionCreate, pool: Pool, user: OfficerUser,
                           key: IdempotencyKey = None) -> PromotionOut:
    """Open a selection record (officer)."""
    return await service.create_promotion(pool, user, body=body, key=key)


@router.get("", response_model=PromotionPage)
async def list_promotions(pool: Pool, user: OfficeReader,
                          cadre_id: IdQuery = None,
                          status: Literal["in_progress", "appointed", "on_probation", "confirmed",
                                          "removed", "cancelled"] | None = None,
                          kind: Kind | None = None, limit: Limit = 50, offset: Offset = 0) -> PromotionPage:
    """Selection records in the caller's scope."""
    filters = PromotionFilter(cadre_id=cadre_id, status=status, kind=kind)
    return await service.list_promotions(pool, user, filters=filters, limit=limit, offset=offset)


@router.get("/stats", response_model=StatsOut)
async def promotion_stats(
    pool: Pool, user: OfficeReader,
    group_by: Literal["unit", "kind", "tier", "period", "domain"] = "kind",
    period: Literal["year", "quarter"] = "year",
    date_from: DbDate | None = None, date_to: DbDate | None = None,
    unit_id: IdQuery = None, kind: Kind | None = None,
    post_level: Annotated[list[PostLevel], Query(max_length=6)] = [],  # noqa: B006 - FastAPI reads it
    domain_years: Annotated[int, Query(ge=1, le=20)] = 3,
) -> StatsOut:
    """Appointed promotions counted by unit (subtree), kind, tier, period or evidence domain."""
    filters = StatsFilter(group_by=group_by, period=period, date_from=date_from, date_to=date_to,
                          unit_id=unit_id, kind=kind, post_levels=[p.value for p in post_level],
                          domain_years=domain_years)
    return await stats.stats(pool, user, filters=filters)


@router.get("/working-days", response_model=WorkingDays)
async def working_days(pool: Pool, user: OfficeReader, start: DbDate | None = None,
                       end: DbDate | None = None) -> WorkingDays:
    """Working days in [start, end] (default: today) on the holiday calendar."""
    start = start or today()
    end = end or start
    if end < start or (end - start).days > 366:
        raise ValidationFailed("日期范围无效（结束不早于开始，且不超过一年）",
                               errors=[{"field": "end", "message": "范围无效"}])
    async with pool.acquire() as conn:
        n, missing = await repo.working_days(conn, start, end)
    return WorkingDays(start=start, end=end, working_days=n, covered=not missing)


@router.get("/{promotion_id}", response_model=PromotionOut)
async def get_promotion(promotion_id: EntityId, pool: Pool, user: OfficeReader) -> PromotionOut:
    """One record with its stages."""
    return await service.get_promotion(pool, user, promotion_id)


@stage_router.post("/{promotion_id}/stages", response_model=PromotionOut)
async def record_stage(promotion_id: EntityId, body: StageRecord, pool: Pool, user: OfficerUser,
                       if_match: IfMatch) -> PromotionOut:
    """Record the next stage (officer); out of order, backdated or rule-breaking stages are 409."""
    return await service.record_stage(pool, user, promotion_id=promotion_id, body=body, if_match=if_match)


@stage_router.post("/{promotion_id}/stages/{stage}/amend", response_model=PromotionOut)
async def amend_stage(promotion_id: EntityId, stage: Annotated[StageName, Path()], body: StageAmend,
                      pool: Pool, user: OfficerUser, if_match: IfMatch) -> PromotionOut:
    """Correct a recorded stage with a reason (officer)."""
    return await service.amend_stage(pool, user, promotion_id=promotion_id, stage=stage, body=body,
                                     if_match=if_match)


@router.post("/{promotion_id}/cancel", response_model=PromotionOut)
async def cancel(promotion_id: EntityId, body: CancelIn, pool: Pool, user: OfficerUser,
                 if_match: IfMatch) -> PromotionOut:
    """Cancel before appointment, with a reason (officer)."""
    return await service.cancel(pool, user, promotion_id=promotion_id, body=body, if_match=if_match)


@router.post("/{promotion_id}/probation", response_model=PromotionOut)
async def end_probation(promotion_id: EntityId, body: ProbationIn, pool: Pool, user: OfficerUser,
                        if_match: IfMatch) -> PromotionOut:
    """End a probation: confirm or remove (officer)."""
    return await service.end_probation(pool, user, promotion_id=promotion_id, body=body, if_match=if_match)


@router.get("/{promotion_id}/revisions", response_model=list[RevisionOut])
async def promotion_revisions(promotion_id: EntityId, pool: Pool,
                              user: OfficeReader) -> list[RevisionOut]:
    """Every change of the record: stages, amendments, cancellation, probation."""
    return await service.promotion_revisions(pool, user, promotion_id)


@router.get("/{promotion_id}/record.pdf", response_class=Response, responses=PDF_RESPONSES)
async def promotion_pdf(promotion_id: EntityId, pool: Pool, settings: AppSettings,
                        user: OfficeReader) -> Response:
    """A promotion record with its stage timeline as a watermarked PDF (officer, leader; audited)."""
    return pdf_response(await pdf.export_promotion_or_404(pool, user, settings=settings,
                                                          promotion_id=promotion_id))
