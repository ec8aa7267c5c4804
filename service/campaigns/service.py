"""Rules for research campaigns and their teams."""

from collections.abc import Sequence

import asyncpg

from schemas.cadres import CadrePage, CadreSummary
from schemas.campaigns import CampaignCreate, CampaignOut, CampaignUpdate, TeamIn, TeamOut
from schemas.pinyin_terms import name_tokens, query_word
from service.cadres import repo as cadres_repo
from service.campaigns import repo
from service.errors import Conflict, NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.uow import UnitOfWork, audit_only, unit_of_work
from service.versioning import require_version


async def _out(conn: asyncpg.Connection, campaign_id: int) -> CampaignOut:
    row = await repo.get_campaign(conn, campaign_id)
    if row is None:
        raise NotFound("调研活动不存在")
    teams = [TeamOut(**dict(t)) for t in await repo.teams_of(conn, [campaign_id])]
    return CampaignOut(**{k: row[k] for k in CampaignOut.model_fields if k != "teams"}, teams=teams)


async def _for_reader(conn: asyncpg.Connection, principal: Principal, out: CampaignOut) -> CampaignOut:
    """The campaign with only the assigned cadres the reader may read in each team: a team of
    another district's cadres (added by an officer of a wider scope), or another team's cadres
    for a researcher, are not listed (their units are: units are not secret)."""
    ids = sorted({c for t in out.teams for c in t.cadre_ids})
    if not ids:
        return out
    seen = await cadres_repo.visible_ids(conn, principal, ids)
    return out.model_copy(update={"teams": [
        t.model_copy(update={"cadre_ids": [c for c in t.cadre_ids if c in seen]}) for t in out.teams]})


def _assigned(outs: Sequence[CampaignOut]) -> list[int]:
    return sorted({c for o in outs for t in o.teams for c in t.cadre_ids})


def _refused(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"field": field, "message": message}])


async def _add_team(uow: UnitOfWork, campaign_id: int, team: TeamIn, field: str) -> int:
    """Add a team; an officer assigns only units and cadres within their own scope.

    Out-of-scope and nonexistent ids get the same answer, so nothing is learnt about either.
    """
    users = team.member_ids + ([team.leader_id] if team.leader_id else [])
    if users and await repo.count_users(uow.conn, users) != len(set(users)):
        raise _refused(f"{field}.member_ids", f"调研组“{team.name}”的成员中有不存在的账户")
    if team.unit_ids and await repo.units_outside_scope(uow.conn, uow.principal, team.unit_ids):
        raise _refused(f"{field}.unit_ids",
                       f"调研组“{team.name}”的调研单位不存在或不在您的管理范围内")
    if team.cadre_ids and await repo.cadres_outside_scope(uow.conn, uow.principal, team.cadre_ids):
        raise _refused(f"{field}.cadre_ids",
                       f"调研组“{team.name}”的调研对象不存在或不在您的管理范围内")
    if team.leadership_unit_ids and await repo.units_outside_scope(uow.conn, uow.principal,
                                                                   team.leadership_unit_ids):
        raise _refused(f"{field}.leadership_unit_ids",
                       f"调研组“{team.name}”的领导班子不存在或不在您的管理范围内")
    team_id = await repo.insert_team(uow.conn, campaign_id, team.name, team.leader_id)
    if team_id is None:
        raise Conflict(f"调研组名称“{team.name}”已存在")
    members = set(team.member_ids) | ({team.leader_id} if team.leader_id else set())
    await repo.add_members(uow.conn, team_id, sorted(members))
    await repo.add_assignments(uow.conn, team_id, team.unit_ids, team.cadre_ids,
                               sorted(set(team.leadership_unit_ids)), uow.principal.user_id)
    return team_id


async def _campaign_unit(uow: UnitOfWork, body: CampaignCreate) -> int:
    """The unit the campaign is run for: given (and within scope) or the officer's only one."""
    if body.unit_id is None:
        units = await repo.scope_units(uow.conn, uow.principal.user_id)
        if len(units) != 1:
            raise _refused("unit_id", "请指定调研活动所属单位（须在您的管理范围内）")
        return units[0]
    if await repo.units_outside_scope(uow.conn, uow.principal, [body.unit_id]):
        raise _refused("unit_id", "所属单位不存在或不在您的管理范围内")
    return body.unit_id


async def create_campaign(pool: asyncpg.Pool, principal: Principal, *, body: CampaignCreate,
                          key: str | None) -> CampaignOut:
    """Create a campaign with its teams, members and assignments."""

    async def work(uow: UnitOfWork) -> CampaignOut:
        campaign_id = await repo.insert_campaign(
            uow.conn, name=body.name, unit_id=await _campaign_unit(uow, body),
            description=body.description, starts_on=body.starts_on, ends_on=body.ends_on,
            status=body.status, created_by=principal.user_id)
        for index, team in enumerate(body.teams):
            await _add_team(uow, campaign_id, team, f"teams.{index}")
        out = await _out(uow.conn, campaign_id)
        await uow.record_change("campaign", campaign_id, version=1, action="create",
                                snapshot=out.model_dump(mode="json"))
        return out

    out, _ = await run_idempotent(pool, principal, key, fingerprint("campaign.create", body),
                                  CampaignOut, work)
    return out


async def add_team(pool: asyncpg.Pool, principal: Principal, *, campaign_id: int, body: TeamIn,
                   key: str | None) -> CampaignOut:
    """Add a team to a campaign."""

    async def work(uow: UnitOfWork) -> CampaignOut:
        if await repo.lock_visible_campaign(uow.conn, principal, campaign_id) is None:
            raise NotFound("调研活动不存在")
        team_id = await _add_team(uow, campaign_id, body, "body")
        uow.audit("campaign.add_team", "team", team_id, {"campaign_id": campaign_id})
        return await _for_reader(uow.conn, principal, await _out(uow.conn, campaign_id))

    out, _ = await run_idempotent(pool, principal, key,
                                  fingerprint(f"campaign.{campaign_id}.team", body), CampaignOut, work)
    return out


async def list_campaigns(pool: asyncpg.Pool, principal: Principal) -> list[CampaignOut]:
    """Campaigns the caller may see (audited: the teams name the cadres they study)."""
    async with pool.acquire() as conn:
        out = [await _for_reader(conn, principal, await _out(conn, cid))
               for cid in await repo.visible_campaign_ids(conn, principal)]
    await audit_only(pool, principal, "campaign.list", "campaign", None,
                     {"ids": [c.id for c in out], "cadre_ids": _assigned(out)})
    return out


async def get_campaign(pool: asyncpg.Pool, principal: Principal, campaign_id: int) -> CampaignOut:
    """One campaign, if visible (audited with the assigned cadres it shows)."""
    async with pool.acquire() as conn:
        if not await repo.visible_campaign_ids(conn, principal, campaign_id):
            raise NotFound("调研活动不存在")
        out = await _for_reader(conn, principal, await _out(conn, campaign_id))
    await audit_only(pool, principal, "campaign.read", "campaign", campaign_id,
                     {"cadre_ids": _assigned([out])})
    return out


async def update_campaign(pool: asyncpg.Pool, principal: Principal, *, campaign_id: int,
                          body: CampaignUpdate, if_match: int | None) -> CampaignOut:
    """Change a campaign's name, end date or status; closing it ends researchers' access.

    Only an officer whose scope covers the campaign's unit may change (or re-open) it; for
    anyone else it does not exist.
    """
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        row = await repo.lock_visible_campaign(uow.conn, principal, campaign_id)
        if row is None:
            raise NotFound("调研活动不存在")
        ends_on = body.ends_on or row["ends_on"]
        if ends_on < row["starts_on"]:
            raise ValidationFailed("结束日期不能早于开始日期")
        base.applied(await repo.update_campaign(
            uow.conn, campaign_id, base.version, body.name or row["name"],
            row["description"] if body.description is None else body.description, ends_on,
            body.status or row["status"]))
        out = await _out(uow.conn, campaign_id)
        # Records' search documents carry access data that depends on the campaign's status.
        records = await repo.record_ids_of(uow.conn, campaign_id)
        await uow.record_change("campaign", campaign_id, version=out.version, action="update",
                                snapshot=out.model_dump(mode="json"),
                                changes=body.model_dump(mode="json", exclude_none=True),
                                reindex=[("record", r) for r in records],
                                details={"status": out.status, "version": out.version})
        return await _for_reader(uow.conn, principal, out)


def _pinyin_key(name: str) -> str:
    return (name_tokens(name) or (name,))[0]


def _matching(rows: Sequence[asyncpg.Record], text: str, letters: str | None) -> list[asyncpg.Record]:
    """The rows whose name matches the typed text, best first: the whole name (or its full
    pinyin), then a name starting with it, then the rest, each in pinyin order. Pinyin is matched
    as the search index does: a prefix of the name's full pinyin, initials, given name alone or
    surname + initials (schemas.pinyin_terms)."""
    if not text:
        return list(rows)

    def score(name: str) -> int | None:
        if letters is not None:
            tokens = name_tokens(name)
            if letters in tokens or letters == name.lower():
                return 0
            return 1 if any(t.startswith(letters) for t in tokens) or letters in name.lower() else None
        # The SQL kept only the names that contain the text.
        return 0 if name == text else 1 if name.startswith(text) else 2

    scored = [(s, r) for r in rows if (s := score(r["name"])) is not None]
    scored.sort(key=lambda sr: (sr[0], _pinyin_key(sr[1]["name"]), sr[1]["id"]))
    return [r for _, r in scored]


async def fileable_cadres(pool: asyncpg.Pool, principal: Principal, *, campaign_id: int, team_id: int,
                          q: str | None, ids: list[int] | None, limit: int, offset: int) -> CadrePage:
    """Cadres the caller may file a field record on in this team (the filing form's picker):
    those the team's assignment covers and the caller may read, the rule records are checked
    with; by name or pinyin (`q`) and/or by id (`ids`: which picked cadres are still allowed).

    A team that does not exist, is not the caller's, or whose campaign is not open is one and
    the same 404: nobody learns another team's list, or whether it exists.
    """
    text = "".join((q or "").split())
    letters = query_word(text) if text else None
    async with pool.acquire() as conn:
        if await repo.team_for_filing(conn, principal.user_id, campaign_id, team_id) is None:
            raise NotFound("调研组不存在，或您不是该调研组成员、调研活动不在进行中")
        rows = await repo.fileable_cadres(conn, principal, team_id=team_id,
                                          name_part=text if text and letters is None else None,
                                          ids=ids)
    matched = _matching(rows, text, letters)
    items = [CadreSummary(**{k: r[k] for k in CadreSummary.model_fields})
             for r in matched[offset:offset + limit]]
    await audit_only(pool, principal, "cadre.list", "cadre", None,
                     {"ids": [c.id for c in items], "total": len(matched), "team_id": team_id})
    return CadrePage(items=items, total=len(matched), limit=limit, offset=offset)
