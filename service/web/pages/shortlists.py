"""候选名单: pick a position, read the explained shortlist, pin or exclude, save, compare, export."""

from typing import Annotated

from fastapi import Query, Request, Response

from schemas.common import Role, Version
from schemas.shortlists import ShortlistDiff, ShortlistQuery
from service.deps import EntityId, OfficeReader, Pool
from service.positions import service as positions_service
from service.shortlists import service as shortlists_service
from service.shortlists import versions
from service.web import repo
from service.web.page_route import page_router
from service.web.pages.positions import describe_rules
from service.web.render import render

router = page_router()

@router.get("/shortlists")
async def positions_page(request: Request, pool: Pool, user: OfficeReader) -> Response:
    """Open positions in the user's scope, each leading to its shortlist."""
    page = await positions_service.list_positions(pool, user, status=None, limit=200, offset=0)
    return render(request, "positions.html", {"positions": page.items, "can_edit": user.role is Role.officer},
                  title="岗位与候选名单")


@router.get("/shortlists/{position_id}")
async def shortlist_page(position_id: EntityId, request: Request, pool: Pool, user: OfficeReader,
                         top_n: Annotated[int, Query(ge=1, le=200)] = 20,
                         compare_from: Annotated[Version | None, Query(alias="from")] = None,
                         compare_to: Annotated[Version | None, Query(alias="to")] = None,
                         ) -> Response:
    """The working shortlist with every candidate's explanation, marks, saved versions and a diff."""
    position = await positions_service.get_position(pool, user, position_id)
    result = await shortlists_service.generate(pool, user, position_id=position_id,
                                               query=ShortlistQuery(top_n=top_n))
    saved = await versions.list_saved(pool, user, position_id)
    marks = [m for m in await versions.list_marks(pool, user, position_id) if m.withdrawn_at is None]
    diff: ShortlistDiff | None = None
    if compare_from and compare_to:
        diff = await versions.compare(pool, user, position_id=position_id, from_version=compare_from,
                                      to_version=compare_to)
    async with pool.acquire() as conn:
        names = await repo.cadre_names(conn, user, [m.cadre_id for m in marks])
        savers = await repo.users_names(conn, [s.created_by for s in saved])
    return render(request, "shortlist.html", {
        "p": position, "r": result, "saved": saved, "marks": marks, "names": names, "savers": savers,
        "diff": diff, "top_n": top_n, "can_edit": user.role is Role.officer,
        "compare_from": compare_from, "compare_to": compare_to,
        "rules": describe_rules(position.rules),
    }, title=f"{position.unit_name}{position.title} · 候选名单")
