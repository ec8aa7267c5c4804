"""Rules of 考察材料 drafts: compile from a promotion at inspection or from the dossier, edit with
revisions, export; drafting is officers' work, leaders read."""

from datetime import date
from typing import Any

import asyncpg

from schemas import clock
from schemas.archives import DraftCreate, DraftOut, DraftSection, DraftUpdate, Statement
from schemas.cadres import RESTRICTED_TITLE
from schemas.common import Role
from schemas.records import RevisionOut
from service.archives.assemble import cn_date
from service.cadres.service import sees_sensitive
from service.dossier.masking import mask_free_text
from service.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.idempotency import fingerprint, run_idempotent
from service.inspection import repo
from service.inspection.compile import SECTIONS, compile_sections
from service.leadership import evaluations, evaluations_repo
from service.pdf.documents import Section, WrittenDoc, paragraph
from service.principal import Principal
from service.revisions import list_revisions
from service.uow import UnitOfWork, audit_only, audited_revisions, unit_of_work
from service.versioning import require_version

# The inspection stage is current, or the next one (after the recommendation, or after the motion
# of a transfer, which has no recommendation).
INSPECTION_STAGES = {"motion", "recommendation", "inspection"}


async def compile_draft(uow: UnitOfWork, cadre_id: int, promotion: asyncpg.Record | None) -> int:
    """Compile and store a draft for a cadre the principal may read (422 otherwise, as for one that
    does not exist, under `promotion_id` when the draft comes from a promotion record); its id."""
    principal = uow.principal
    c = await repo.cadre(uow.conn, principal, cadre_id)
    if c is None:  # a record seen through its target unit may concern a cadre the reader may not read
        field = "cadre_id" if promotion is None else "promotion_id"
        raise ValidationFailed("干部不存在或不在您的范围内", errors=[{"field": field, "message": "干部无效"}])
    facts = await repo.facts(uow.conn, principal, cadre_id)
    rows = await evaluations_repo.rounds(uow.conn, principal, None, None)
    rounds = [evaluations.round_out(r) for r in rows if any(v["cadre_id"] == cadre_id for v in r["votes"])]
    sections = compile_sections(c, facts, promotion=promotion, rounds=rounds, on=clock.today())
    dumped: list[dict[str, Any]] = [s.model_dump(mode="json") for s in sections]
    promotion_id = promotion["id"] if promotion is not None else None
    draft_id = await repo.insert_draft(uow.conn, cadre_id, promotion_id, f"{c['name']}同志考察材料", dumped,
                                       principal.user_id)
    await uow.record_change("inspection_draft", draft_id, version=1, action="compile",
                            snapshot={"sections": dumped}, audit="inspection_draft.create",
                            audit_object=("cadre", cadre_id),
                            details={"draft_id": draft_id, "promotion_id": promotion_id, "version": 1})
    return draft_id


def draft_out(r: asyncpg.Record) -> DraftOut:
    """A stored draft."""
    return DraftOut(id=r["id"], cadre_id=r["cadre_id"], cadre_name=r["cadre_name"],
                    promotion_id=r["promotion_id"], title=r["title"],
                    sections=[DraftSection.model_validate(s) for s in r["sections"]], version=r["version"],
                    created_at=r["created_at"], updated_at=r["updated_at"])


async def create(pool: asyncpg.Pool, *, principal: Principal, body: DraftCreate, key: str | None) -> DraftOut:
    """Compile a new draft (officer)."""
    if (body.cadre_id is None) == (body.promotion_id is None):
        raise ValidationFailed("请指定干部或选任纪实之一", errors=[
            {"field": "promotion_id", "message": "干部编号与选任纪实编号须且只须填写一项"}])

    async def work(uow: UnitOfWork) -> DraftOut:
        promotion = None
        cadre_id = body.cadre_id
        if body.promotion_id is not None:
            promotion = await repo.promotion(uow.conn, principal, body.promotion_id)
            if promotion is None:  # another district's record answers as a missing one
                raise ValidationFailed("选任纪实不存在或不在您的范围内",
                                       errors=[{"field": "promotion_id", "message": "选任纪实无效"}])
            if promotion["status"] != "in_progress" or promotion["stage"] not in INSPECTION_STAGES:
                raise Conflict("只有处于考察环节（或即将考察）的选任纪实可以生成考察材料")
            cadre_id = promotion["cadre_id"]
        assert cadre_id is not None
        draft_id = await compile_draft(uow, cadre_id, promotion)
        row = await repo.draft(uow.conn, principal, draft_id)
        assert row is not None
        return draft_out(row)

    out, _ = await run_idempotent(pool, principal, key, fingerprint("inspection_draft.create", body),
                                  DraftOut, work)
    return out


def _withheld(st: Statement, penalties: dict[int, date]) -> Statement:
    cited = [penalties[s.id] for s in st.sources if s.kind == "reward" and s.id in penalties]
    if not cited:
        return st
    return Statement(text=f"{cn_date(min(cited))}受到处分{RESTRICTED_TITLE}。", sources=st.sources)


async def as_read(conn: asyncpg.Connection, principal: Principal, drafts: list[DraftOut]) -> list[DraftOut]:
    """Drafts as the reader may see them: a sentence citing a penalty is withheld from a role that
    may not read penalties (its date stays, as in GET /api/cadres/{id}); the rest is unchanged."""
    if sees_sensitive(principal):
        return drafts
    cited = sorted({s.id for d in drafts for sec in d.sections for st in sec.statements for s in st.sources
                    if s.kind == "reward"})
    penalties = await repo.penalty_dates(conn, cited) if cited else {}
    if not penalties:
        return drafts
    return [d.model_copy(update={"sections": [
        sec.model_copy(update={"statements": [_withheld(st, penalties) for st in sec.statements]})
        for sec in d.sections]}) for d in drafts]


async def get(pool: asyncpg.Pool, *, principal: Principal, draft_id: int) -> DraftOut:
    """One draft as the reader may see it; audited."""
    async with pool.acquire() as conn:
        row = await repo.draft(conn, principal, draft_id)
        if row is None:
            raise NotFound("考察材料不存在")
        [out] = await as_read(conn, principal, [draft_out(row)])
    await audit_only(pool, principal, "inspection_draft.read", "cadre", row["cadre_id"],
                     {"draft_id": draft_id})
    return out


async def revisions(pool: asyncpg.Pool, *, principal: Principal, draft_id: int) -> list[RevisionOut]:
    """The revisions of a readable draft (whole earlier texts): an audited read of its own,
    `inspection_draft.revisions.read`, naming the versions returned."""
    async with pool.acquire() as conn:
        if await repo.draft(conn, principal, draft_id) is None:
            raise NotFound("考察材料不存在")
        out = [RevisionOut(**dict(r)) for r in await list_revisions(conn, "inspection_draft", draft_id)]
    await audited_revisions(pool, principal, "inspection_draft", draft_id, out)
    return out


async def listing(pool: asyncpg.Pool, *, principal: Principal, cadre_id: int | None,
                  promotion_id: int | None) -> list[DraftOut]:
    """Drafts of a cadre or a promotion record; audited."""
    async with pool.acquire() as conn:
        rows = await repo.drafts(conn, principal, cadre_id, promotion_id)
        out = await as_read(conn, principal, [draft_out(r) for r in rows])
    await audit_only(pool, principal, "inspection_draft.list", "cadre", cadre_id,
                     {"promotion_id": promotion_id, "draft_ids": [d.id for d in out]})
    return out


async def update(pool: asyncpg.Pool, *, principal: Principal, draft_id: int, body: DraftUpdate,
                 if_match: int | None) -> DraftOut:
    """Save the writer's sections as a new version; the previous one stays in revisions."""
    if principal.role is not Role.officer:
        raise Forbidden()
    base = require_version(body.version, if_match)
    titles = {k: (t, p) for k, t, p in SECTIONS}
    for i, s in enumerate(body.sections):
        if s.key not in titles:
            raise ValidationFailed("未知的章节",
                                   errors=[{"field": f"sections[{i}].key", "message": "未知的章节"}])
    async with unit_of_work(pool, principal) as uow:
        row = await repo.draft(uow.conn, principal, draft_id, lock=True)
        if row is None:
            raise NotFound("考察材料不存在")
        edited = {s.key: s for s in body.sections}
        sections = []
        for old in (DraftSection.model_validate(s) for s in row["sections"]):
            new = edited.get(old.key)
            if new is None:
                sections.append(old)
                continue
            statements = [Statement(text=st.text, sources=st.sources) for st in new.statements]
            sections.append(DraftSection(key=old.key, title=old.title, statements=statements,
                                         prompt=None if statements else titles[old.key][1]))
        dumped = [s.model_dump(mode="json") for s in sections]
        new_version = await repo.update_draft(uow.conn, draft_id, base.version, dumped)
        if new_version is None:
            raise base.stale()
        await uow.record_change("inspection_draft", draft_id, version=new_version, action="edit",
                                snapshot={"sections": dumped}, changes={"sections": sorted(edited)},
                                audit="inspection_draft.update", audit_object=("cadre", row["cadre_id"]),
                                details={"draft_id": draft_id, "version": new_version})
        fresh = await repo.draft(uow.conn, principal, draft_id)
        assert fresh is not None
        return draft_out(fresh)


def written(d: DraftOut, principal: Principal) -> WrittenDoc:
    """The draft as a written document for the reader (PDF and Word): ID numbers masked but for officers."""
    d = mask_free_text(principal, d)
    return WrittenDoc(title=d.title, subtitle="（草稿）", summary=[], sections=[
        Section(s.title, [paragraph(st) for st in s.statements],
                empty=f"【待撰写】{s.prompt}" if s.prompt else None)
        for s in d.sections])
