"""管理: the unit tree, accounts, roles and scopes (one at a time), deactivation — admin only.

Writes go to the JSON API (/api/units, /api/users, /api/users/{id}/scopes[/remove])."""

from fastapi import Request, Response

from schemas.common import Role, Tier, UnitKind, label
from service.auth import service as auth_service
from service.deps import AdminUser, EntityId, Pool
from service.web import repo
from service.web.page_route import page_router
from service.web.render import render

router = page_router()

ROLE_HELP = {
    "officer": "按授权范围查阅和管理干部、实绩、选任和考核",
    "leader": "按授权范围查阅（身份证号隐去），不能修改",
    "researcher": "只看所在调研组被指派的干部，填报调研记录与实绩",
    "auditor": "只看审计日志",
    "admin": "管理单位和账户，不看干部档案",
}


async def _unit_options(pool: Pool) -> list[tuple[int, str]]:
    async with pool.acquire() as conn:
        units = await repo.all_units(conn)
    return [(u["id"], "　" * u["depth"] + u["name"]) for u in units]


@router.get("/units")
async def units_page(request: Request, pool: Pool, user: AdminUser) -> Response:
    """The unit tree with forms to add a unit and rename one."""
    async with pool.acquire() as conn:
        units = await repo.all_units(conn)
    return render(request, "units.html", {
        "units": units, "kinds": [(k.value, label(k.value)) for k in UnitKind],
        "options": [(u["id"], "　" * u["depth"] + u["name"]) for u in units],
    }, title="单位")


@router.get("/users")
async def users_page(request: Request, pool: Pool, user: AdminUser) -> Response:
    """Every account with its role, state and scopes, and the form of a new account."""
    users = await auth_service.list_users(pool)
    return render(request, "users.html", {
        "users": users, "roles": [(r.value, label(r.value)) for r in Role], "role_help": ROLE_HELP,
        "units": await _unit_options(pool), "tiers": [(t.value, label(t.value)) for t in Tier],
    }, title="用户")


@router.get("/users/{user_id}")
async def user_page(user_id: EntityId, request: Request, pool: Pool, user: AdminUser) -> Response:
    """One account: name, role, active; its scopes added or removed one at a time."""
    account = await auth_service.get_user(pool, user_id)
    return render(request, "user.html", {
        "u": account, "roles": [(r.value, label(r.value)) for r in Role], "role_help": ROLE_HELP,
        "units": await _unit_options(pool), "tiers": [(t.value, label(t.value)) for t in Tier],
        "is_self": account.id == user.user_id,
    }, title=f"{account.display_name} · 用户")
