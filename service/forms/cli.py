"""The officer a command-line import or export acts as (scoped and audited like a request)."""

import asyncpg

from schemas.common import Role
from service.auth import repo as auth_repo
from service.principal import Principal


async def officer(pool: asyncpg.Pool, username: str) -> Principal | None:
    """The active officer account of that name, or None."""
    async with pool.acquire() as conn:
        user = await auth_repo.get_user_by_username(conn, username)
    if user is None or not user["active"] or Role(user["role"]) is not Role.officer:
        return None
    return Principal(user["id"], user["username"], user["display_name"], Role.officer, "cli")


NOT_OFFICER = ("用户 {name} 不存在、已停用，或不是干部工作人员"
               "（只有干部工作人员可以导入导出任免审批表和花名册）")
