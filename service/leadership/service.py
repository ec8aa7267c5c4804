"""Rules for leadership teams: who was in a unit's team when, and setting a line's team role."""

from datetime import date

import asyncpg

from schemas.leadership import LineRoleIn, LineRoleOut, TeamMemberOut, TeamOut, TeamSummary
from service.errors import NotFound
from service.leadership import repo
from service.principal import Principal
from service.uow import audit_only, unit_of_work
from service.versioning import require_version


async def load_team(conn: asyncpg.Connection, principal: Principal, *, unit_id: int, date_from: date,
                    date_to: date) -> TeamOut:
    """The unit's team over the dates as the principal may see it (404 if the unit is not readable)."""
    unit = await repo.readable_unit(conn, principal, unit_id)
    if unit is None:
        raise NotFound("领导班子不存在")
    lines = await repo.team_lines(conn, principal, unit_id, date_from, date_to)
    members = [TeamMemberOut(**{k: r[k] for k in TeamMemberOut.model_fields}) for r in lines]
    heads = sorted({m.cadre_id for m in members if m.role == "head"})
    return TeamOut(unit_id=unit["id"], unit_name=unit["name"], unit_kind=unit["kind"],
                   date_from=date_from, date_to=date_to, head_ids=heads, members=members)


async def get_team(pool: asyncpg.Pool, *, principal: Principal, unit_id: int, date_from: date,
                   date_to: date) -> TeamOut:
    """A unit's leadership team over a date range; the read is audited."""
    async with pool.acquire() as conn:
        team = await load_team(conn, principal, unit_id=unit_id, date_from=date_from, date_to=date_to)
    await audit_only(pool, principal, "leadership_team.read", "unit", unit_id,
                     {"from": str(date_from), "to": str(date_to),
                      "cadre_ids": sorted({m.cadre_id for m in team.members})})
    return team


async def list_teams(pool: asyncpg.Pool, *, principal: Principal, on: date, tier: str | None,
                     name: str | None, limit: int, offset: int) -> tuple[list[TeamSummary], int]:
    """Leadership teams with members on a date; the list is audited."""
    async with pool.acquire() as conn:
        rows, total = await repo.list_teams(conn, principal, on, tier, name, limit, offset)
    items = [TeamSummary(**{k: r[k] for k in TeamSummary.model_fields}) for r in rows]
    # Each team is shown with its head by name: the cadres named are recorded like any list's.
    await audit_only(pool, principal, "leadership_team.list", "unit", None,
                     {"on": str(on), "tier": tier, "unit_ids": [t.unit_id for t in items],
                      "cadre_ids": [r["head_id"] for r in rows if r["head_id"] is not None]})
    return items, total


async def set_line_role(pool: asyncpg.Pool, *, principal: Principal, line_id: int, body: LineRoleIn,
                        if_match: int | None) -> LineRoleOut:
    """Set or clear the team role of a resume line of a cadre the officer manages."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        line = await repo.lock_line_for_officer(uow.conn, principal, line_id)
        if line is None:
            raise NotFound("简历记录不存在")
        new_version = await repo.set_line_role(uow.conn, line_id, base.version, body.team_role)
        if new_version is None:
            raise base.stale()
        out = LineRoleOut(line_id=line_id, cadre_id=line["cadre_id"], unit_id=line["unit_id"],
                          team_role=body.team_role, version=new_version)
        # Headships feed the cadre's search text (unit ranks) and the scoreboard heads.
        await uow.record_change("career_entry", line_id, version=new_version, action="team_role",
                                snapshot=out.model_dump(mode="json"),
                                changes={"team_role": [line["team_role"], body.team_role]},
                                reindex=[("cadre", line["cadre_id"])],
                                audit_object=("cadre", line["cadre_id"]),
                                details={"line_id": line_id, "team_role": body.team_role,
                                         "version": new_version})
        return out
