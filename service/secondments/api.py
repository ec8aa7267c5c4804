"""Routes for secondment programmes, placements and task force metrics."""

from fastapi import APIRouter

from schemas.common import DbDate
from schemas.secondments import (
    Bucket,
    MetricCreate,
    MetricOut,
    MetricValuesIn,
    PlacementOut,
    PlacementPage,
    PlacementsIn,
    PlacementUpdate,
    ProgramCreate,
    ProgramOut,
    ProgramPage,
    TaskForceMetrics,
    WriteResult,
)
from service.deps import EntityId, IdempotencyKey, IfMatch, Limit, OfficeReader, OfficerUser, Offset, Pool
from service.secondments import service

router = APIRouter(prefix="/api/secondments", tags=["secondments"])


@router.post("/programs", response_model=ProgramOut, status_code=201)
async def create_program(body: ProgramCreate, pool: Pool, user: OfficerUser,
                         key: IdempotencyKey = None) -> ProgramOut:
    """Create a secondment programme with its task forces (officer)."""
    return await service.create_program(pool, user, body=body, key=key)


@router.get("/programs", response_model=ProgramPage)
async def list_programs(pool: Pool, user: OfficeReader, limit: Limit = 50, offset: Offset = 0) -> ProgramPage:
    """Readable programmes with task forces, placement counts and metric totals."""
    return await service.list_programs(pool, user, limit=limit, offset=offset)


@router.get("/programs/{program_id}", response_model=ProgramOut)
async def get_program(program_id: EntityId, pool: Pool, user: OfficeReader) -> ProgramOut:
    """One programme."""
    return await service.get_program(pool, user, program_id)


@router.post("/programs/{program_id}/placements", response_model=list[PlacementOut], status_code=201)
async def add_placements(program_id: EntityId, body: PlacementsIn, pool: Pool, user: OfficerUser,
                         key: IdempotencyKey = None) -> list[PlacementOut]:
    """Place cadres at the programme's task forces (all or none; dates may not overlap per cadre)."""
    return await service.add_placements(pool, user, program_id=program_id, body=body, key=key)


@router.get("/programs/{program_id}/placements", response_model=PlacementPage)
async def list_placements(program_id: EntityId, pool: Pool, user: OfficeReader, limit: Limit = 200,
                          offset: Offset = 0) -> PlacementPage:
    """Placements of readable cadres, with the task force metrics attributed to each."""
    return await service.list_placements(pool, user, program_id=program_id, limit=limit, offset=offset)


@router.put("/programs/{program_id}/placements/{placement_id}", response_model=PlacementOut)
async def update_placement(program_id: EntityId, placement_id: EntityId, body: PlacementUpdate, pool: Pool,
                           user: OfficerUser, if_match: IfMatch) -> PlacementOut:
    """Change a placement's dates or role, based on its version."""
    return await service.update_placement(pool, user, program_id=program_id, placement_id=placement_id,
                                          body=body, if_match=if_match)


@router.post("/metrics", response_model=MetricOut, status_code=201)
async def create_metric(body: MetricCreate, pool: Pool, user: OfficerUser,
                        key: IdempotencyKey = None) -> MetricOut:
    """Define a task force metric (e.g. client_contacts 客户接触 次)."""
    return await service.create_metric(pool, user, body=body, key=key)


@router.get("/metrics", response_model=list[MetricOut])
async def list_metrics(pool: Pool, user: OfficeReader) -> list[MetricOut]:
    """Every task force metric definition."""
    return await service.list_metrics(pool)


@router.put("/task-forces/{task_force_id}/metric-values", response_model=WriteResult)
async def put_values(task_force_id: EntityId, body: MetricValuesIn, pool: Pool,
                     user: OfficerUser) -> WriteResult:
    """Store a task force's metric values by day (a stored value changes only with its version)."""
    return await service.put_values(pool, user, unit_id=task_force_id, body=body)


@router.get("/task-forces/{task_force_id}/metrics", response_model=TaskForceMetrics)
async def task_force_metrics(task_force_id: EntityId, pool: Pool, user: OfficeReader,
                             bucket: Bucket = Bucket.month, date_from: DbDate | None = None,
                             date_to: DbDate | None = None) -> TaskForceMetrics:
    """A task force's (a unit of kind task_force) metrics per day, week or month over a span."""
    return await service.task_force_metrics(pool, user, unit_id=task_force_id, bucket=bucket.value,
                                            date_from=date_from, date_to=date_to)
