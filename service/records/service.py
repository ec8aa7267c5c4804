"""Rules for filing field records: team membership, assignment, drafts and amendments."""

from typing import Any

import asyncpg

from schemas.records import RecordCreate, RecordFilter, RecordOut, RecordPage, RecordUpdate, RevisionOut
from service.cadres import repo as cadres_repo
from service.campaigns import repo as campaigns_repo
from service.errors import Conflict, NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.principal import Principal
from service.records import repo
from service.revisions import diff_snapshots, kept_links, linked_in_changes, links_as_read, list_revisions
from service.service_logs import from_records as service_logs
from service.uow import UnitOfWork, audit_only, unit_of_work
from service.versioning import require_version

NOT_AUTHOR = "只有填报人可以修改或补正调研记录"


def to_out(row: asyncpg.Record) -> RecordOut:
    """Record row to API model."""
    return RecordOut(**{k: row[k] for k in RecordOut.model_fields})


async def as_read(conn: asyncpg.Connection, principal: Principal,
                  records: list[RecordOut]) -> list[RecordOut]:
    """The records as their reader may see them: a record about several cadres lists only those the
    reader may read (the others belong to another district or tier; not even their ids are shown)."""
    linked = sorted({c for r in records for c in r.cadre_ids})
    visible = await cadres_repo.visible_ids(conn, principal, linked) if linked else set()
    return [r.model_copy(update={"cadre_ids": [c for c in r.cadre_ids if c in visible]}) for r in records]


async def _one_as_read(conn: asyncpg.Connection, principal: Principal, record: RecordOut) -> RecordOut:
    return (await as_read(conn, principal, [record]))[0]


async def _check_content(uow: UnitOfWork, team_id: int, campaign_id: int,
                         body: RecordCreate | RecordUpdate) -> None:
    team = await campaigns_repo.team_for_filing(uow.conn, uow.principal.user_id, campaign_id, team_id)
    if team is None:
        raise ValidationFailed("只能在本人所在且正在进行的调研活动和调研组内填报",
                               errors=[{"field": "team_id", "message": "不是该调研组成员或活动已结束"}])
    if not team["starts_on"] <= body.occurred_on <= team["ends_on"]:
        raise ValidationFailed("记录日期须在调研活动期间内",
                               errors=[{"field": "occurred_on", "message": "不在调研活动期间内"}])
    # Outside the team's assignment, or outside what the author may read (an officer's own
    # scope): one answer for both, and the same as for a cadre that does not exist.
    outside = sorted(set(await campaigns_repo.cadres_outside_assignment(uow.conn, team_id, body.cadre_ids))
                     | set(await campaigns_repo.cadres_outside_scope(uow.conn, uow.principal,
                                                                     body.cadre_ids)))
    if outside:
        raise ValidationFailed("所涉干部不在本调研组的调研范围内",
                               errors=[{"field": "cadre_ids", "ids": outside,
                                        "message": "不在所选调研组的调研范围内：请改选调研组，或移除该干部"}])
    if body.attachment_ids and await repo.own_attachments(
            uow.conn, uow.principal.user_id, body.attachment_ids) != len(set(body.attachment_ids)):
        raise ValidationFailed("附件不存在或不是本人上传",
                               errors=[{"field": "attachment_ids", "message": "附件无效"}])


def _content(body: RecordCreate | RecordUpdate) -> dict[str, Any]:
    return {"occurred_on": body.occurred_on, "place": body.place, "title": body.title,
            "body": body.body, "details": body.details.model_dump(mode="json"),
            "cadre_ids": body.cadre_ids, "attachment_ids": body.attachment_ids}


async def _reload(uow: UnitOfWork, record_id: int) -> RecordOut:
    row = await repo.get_visible(uow.conn, uow.principal, record_id)
    if row is None:  # not expected (authors read their own records); refused, never a 500
        raise NotFound("调研记录不存在")
    return to_out(row)


async def _changed(uow: UnitOfWork, out: RecordOut, action: str,
                   changes: dict[str, Any] | None = None) -> None:
    evidence = await repo.evidence_ids_of(uow.conn, out.id)
    await uow.record_change("record", out.id, version=out.version, action=action,
                            snapshot=out.model_dump(mode="json"), changes=changes,
                            reindex=[("record", out.id), *(("cadre", c) for c in out.cadre_ids),
                                     *(("evidence", e) for e in evidence)])


async def create_record(pool: asyncpg.Pool, principal: Principal, *, body: RecordCreate,
                        key: str | None) -> RecordOut:
    """File a record (draft or submitted) within the author's open campaign team."""

    async def work(uow: UnitOfWork) -> RecordOut:
        await _check_content(uow, body.team_id, body.campaign_id, body)
        record_id = await repo.insert(uow.conn, {
            **_content(body), "campaign_id": body.campaign_id, "team_id": body.team_id,
            "author_id": principal.user_id, "kind": body.kind.value,
            "state": "submitted" if body.submit else "draft"})
        out = await _reload(uow, record_id)
        await _changed(uow, out, "create")
        await service_logs.sync_record(uow, out)
        return await _one_as_read(uow.conn, principal, out)

    out, _ = await run_idempotent(pool, principal, key, fingerprint("record.create", body),
                                  RecordOut, work)
    return out


async def get_record(pool: asyncpg.Pool, principal: Principal, record_id: int) -> RecordOut:
    """One readable record (the read is audited)."""
    async with unit_of_work(pool, principal) as uow:
        row = await repo.get_visible(uow.conn, principal, record_id)
        if row is None:
            raise NotFound("调研记录不存在")
        uow.audit("record.read", "record", record_id)
        return await _one_as_read(uow.conn, principal, to_out(row))


async def get_own_record(pool: asyncpg.Pool, principal: Principal, record_id: int) -> RecordOut:
    """A record its author is about to edit or amend (the read is audited); anyone else's is
    refused as the edit itself would be."""
    record = await get_record(pool, principal, record_id)
    if record.author_id != principal.user_id:
        raise Conflict(NOT_AUTHOR)
    return record


async def list_records(pool: asyncpg.Pool, principal: Principal, *, filters: RecordFilter,
                       limit: int, offset: int) -> RecordPage:
    """Readable records with simple filters."""
    async with pool.acquire() as conn:
        rows, total = await repo.search(conn, principal, filters=filters, limit=limit, offset=offset)
        items = await as_read(conn, principal, [to_out(r) for r in rows])
    # One entry per list call, naming every record it returned (full texts of personal data).
    await audit_only(pool, principal, "record.list", "record", None,
                     {"ids": [r.id for r in items], "total": total, "cadre_id": filters.cadre_id})
    return RecordPage(items=items, total=total, limit=limit, offset=offset)


async def my_work(pool: asyncpg.Pool, principal: Principal, *,
                  limit: int) -> tuple[bool, list[RecordOut], list[RecordOut]]:
    """What a filer can act on among field records: whether they can file any (a member of an open
    campaign's team), their drafts (edit, submit) and their submitted records (amend), both in those
    teams only. An officer outside every research team, or one whose campaign has closed, has none
    (evidence, which any filer may file, is not listed here)."""
    async with pool.acquire() as conn:
        in_team = await repo.open_team_count(conn, principal.user_id) > 0
        lists = [await as_read(conn, principal, [to_out(r) for r in await repo.own_in_open_teams(
            conn, principal, state=state, limit=limit)]) for state in ("draft", "submitted")]
    drafts, submitted = lists
    await audit_only(pool, principal, "record.list", "record", None,
                     {"ids": [r.id for r in (*drafts, *submitted)], "total": len(drafts) + len(submitted),
                      "cadre_id": None})
    return in_team, drafts, submitted


async def update_record(pool: asyncpg.Pool, principal: Principal, *, record_id: int,
                        body: RecordUpdate, if_match: int | None) -> RecordOut:
    """Edit a draft, or amend a submitted record with a reason; every change is a revision."""
    base = require_version(body.version, if_match)
    async with unit_of_work(pool, principal) as uow:
        row = await repo.get_visible(uow.conn, principal, record_id, lock=True)
        if row is None:
            raise NotFound("调研记录不存在")
        if row["author_id"] != principal.user_id:
            raise Conflict(NOT_AUTHOR)
        base.check(row["version"])
        amending = row["state"] == "submitted"
        if amending and not body.reason:
            raise ValidationFailed("补正已提交的记录须说明理由",
                                   errors=[{"field": "reason", "message": "必填"}])
        await _check_content(uow, row["team_id"], row["campaign_id"], body)
        before = to_out(row)
        # Links to cadres the author may no longer read were not shown to them: they are kept.
        shown = await _one_as_read(uow.conn, principal, before)
        content = _content(body)
        content["cadre_ids"] = kept_links(before.cadre_ids, shown.cadre_ids, body.cadre_ids)
        await repo.update_content(uow.conn, record_id, base.version, content)
        out = await _reload(uow, record_id)
        changes = diff_snapshots(before.model_dump(mode="json"), out.model_dump(mode="json"))
        if amending:
            changes["reason"] = body.reason
        await _changed(uow, out, "amend" if amending else "edit", changes)
        await service_logs.sync_record(uow, out)
        return await _one_as_read(uow.conn, principal, out)


async def submit_record(pool: asyncpg.Pool, principal: Principal, *, record_id: int,
                        body_version: int | None, if_match: int | None) -> RecordOut:
    """Submit a draft; from then on it can only be amended."""
    base = require_version(body_version, if_match)
    async with unit_of_work(pool, principal) as uow:
        row = await repo.get_visible(uow.conn, principal, record_id, lock=True)
        if row is None:
            raise NotFound("调研记录不存在")
        if row["author_id"] != principal.user_id:
            raise Conflict("只有填报人可以提交调研记录")
        if row["state"] != "draft":
            raise Conflict("记录已提交")
        base.applied(await repo.submit(uow.conn, record_id, base.version))
        out = await _reload(uow, record_id)
        await _changed(uow, out, "submit", {"state": ["draft", "submitted"]})
        await service_logs.sync_record(uow, out)
        return await _one_as_read(uow.conn, principal, out)


async def record_revisions(pool: asyncpg.Pool, principal: Principal, record_id: int) -> list[RevisionOut]:
    """The revision history of a readable record."""
    async with pool.acquire() as conn:
        if await repo.get_visible(conn, principal, record_id) is None:
            raise NotFound("调研记录不存在")
        revisions = await list_revisions(conn, "record", record_id)
        # Earlier links too: a cadre linked once and unlinked since is named only to its readers.
        linked = sorted(linked_in_changes(revisions, "cadre_ids"))
        visible = await cadres_repo.visible_ids(conn, principal, linked) if linked else set()
        out = [RevisionOut(**{**dict(r), "changes": links_as_read(r["changes"], "cadre_ids", visible)})
               for r in revisions]
    # Revisions hold full earlier texts: a read of personal data like any other.
    await audit_only(pool, principal, "record.revisions.read", "record", record_id,
                     {"versions": [r.version for r in out]})
    return out
