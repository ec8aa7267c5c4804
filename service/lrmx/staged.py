"""A staged import (LRMX files, an Excel roster) for its owner while their scope still covers it.

A preview holds the registry's values of the cadres it would change, as of the preview, and an
applied import the report of what it wrote. Both are their creator's alone (another user gets 404,
as for one that does not exist), and only while the creator may still read every cadre they name:
after the scope was narrowed (or the role changed) they are refused — not shown, not applied.
"""

from typing import Any, Literal

import asyncpg

from service.cadres import repo as cadres_repo
from service.errors import Forbidden, NotFound
from service.lrmx import repo
from service.principal import Principal
from service.uow import audit_only

IMPORT_PATHS = {"lrmx": "lrmx", "roster": "rosters"}
SCOPE_LEFT = ("此导入涉及的干部已不在您的管理范围内（预览后管理范围已变更），不能再查看或导入；"
              "如仍需要，请重新上传并预览")


def status_path(kind: str, import_id: int) -> str:
    """The API path of a staged import (its apply URL adds /apply)."""
    return f"/api/{IMPORT_PATHS[kind]}/imports/{import_id}"


def named_cadres(row: asyncpg.Record) -> list[int]:
    """The cadres a staged import's preview or report names, by id."""
    stored: list[dict[str, Any]] = [row["report"], row["result"] or {}]
    return sorted({f["cadre_id"] for s in stored for f in s.get("files", []) if f.get("cadre_id")})


async def owned(pool: asyncpg.Pool, principal: Principal, *, import_id: int, kind: Literal["lrmx", "roster"],
                applying: bool) -> asyncpg.Record:
    """One of the principal's own staged imports, while their scope covers every cadre it names: else
    404 (not theirs) or 403 (a cadre left their scope; audited as a refused access)."""
    async with pool.acquire() as conn:
        row = await repo.get_import(conn, import_id, principal.user_id, kind)
        if row is None:
            raise NotFound("导入记录不存在")
        named = named_cadres(row)
        visible = await cadres_repo.visible_ids(conn, principal, named) if named else set()
    outside = [c for c in named if c not in visible]
    if outside:
        path = status_path(kind, import_id) + ("/apply" if applying else "")
        await audit_only(pool, principal, "access.refused", "format_import", import_id, {
            "method": "POST" if applying else "GET", "path": path, "cadre_ids": outside,
            "role": principal.role.value, "reason": "预览后管理范围已变更，导入涉及的干部已不在范围内"})
        raise Forbidden(SCOPE_LEFT)
    return row
