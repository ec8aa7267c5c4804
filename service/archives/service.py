"""Rules of research archives: who may read and write them, assembly, conclusions, campaign overview."""

from typing import Any

import asyncpg

from schemas import clock
from schemas.archives import (
    ArchiveOut,
    ArchiveOverview,
    CampaignOverview,
    Conclusion,
    ConclusionIn,
    MemberSection,
    Statement,
    TeamStatus,
)
from schemas.common import Role, label
from service.archives import assemble, repo
from service.dossier.masking import mask_free_text
from service.errors import NotFound, ValidationFailed
from service.leadership import evaluations, evaluations_repo
from service.leadership.service import load_team
from service.principal import Principal
from service.uow import audit_only, unit_of_work
from service.versioning import require_version


def _conclusion(r: asyncpg.Record | None) -> Conclusion | None:
    return None if r is None else Conclusion(**{k: r[k] for k in Conclusion.model_fields})


async def build(conn: asyncpg.Connection, principal: Principal, *, campaign_id: int,
                unit_id: int) -> ArchiveOut:
    """Assemble the archive of a team in a campaign from what the principal may read (404 otherwise)."""
    ca = await repo.campaign(conn, principal, campaign_id)
    if ca is None or not await repo.studies(conn, campaign_id, unit_id):
        raise NotFound("调研档案不存在")
    # A researcher reads the archive of a team their own open team of this campaign studies: not
    # another team's work in it, nor a closed campaign's (an assignment elsewhere opens the unit's
    # leadership team, not this campaign's conclusions). Otherwise as if there were none.
    if principal.role is Role.researcher and not await repo.researcher_covers(
            conn, principal.user_id, campaign_id, unit_id):
        raise NotFound("调研档案不存在")
    team = await load_team(conn, principal, unit_id=unit_id, date_from=ca["starts_on"],
                           date_to=ca["ends_on"])
    by_cadre: dict[int, Any] = {}
    for m in team.members:  # a member with two lines in the period: the latest one names the post
        by_cadre[m.cadre_id] = m
    ids = sorted(by_cadre)
    ev_rows = await repo.evidence(conn, principal, ids)
    rec_rows = await repo.records(conn, principal, campaign_id, ids)
    talks = await evaluations.talk_stats(conn, principal, campaign_id=campaign_id, cadre_ids=ids)
    rounds = [evaluations.round_out(r) for r in await evaluations_repo.rounds(conn, principal, unit_id, None)
              if r["campaign_id"] == campaign_id
              or (r["campaign_id"] is None and ca["starts_on"] <= r["held_on"] <= ca["ends_on"])]
    concl = {r["cadre_id"]: r for r in await repo.conclusions(conn, campaign_id, unit_id)}
    members = []
    for cid in ids:
        m = by_cadre[cid]
        ev = [r for r in ev_rows if r["cadre_id"] == cid]
        recs = [assemble.record_statement(r) for r in rec_rows if cid in r["cadre_ids"]]
        evals = [assemble.subject_statement(rd, s) for rd in rounds for s in rd.subjects if s.cadre_id == cid]
        talk = assemble.talk_statement(talks[cid])
        members.append(MemberSection(
            cadre_id=cid, name=m.name, post=m.post, role=label(m.role, "team_role"),
            member_from=m.member_from, member_to=m.member_to, evidence=assemble.evidence_groups(ev),
            records=recs, talks=talks[cid], evaluations=evals + ([talk] if talk else []),
            strengths=assemble.strengths(ev), shortcomings=assemble.shortcomings(ev),
            conclusion=_conclusion(concl.get(cid))))
    findings: list[Statement] = [assemble.subject_statement(rd, s) for rd in rounds for s in rd.subjects
                                 if s.cadre_id is None]
    findings += [assemble.record_statement(r) for r in rec_rows if len(r["cadre_ids"]) > 1]
    kinds = [r["kind"] for r in rec_rows]
    overview = ArchiveOverview(
        members=len(ids), heads=[by_cadre[c].name for c in team.head_ids if c in by_cadre],
        talks=kinds.count("interview"), people_interviewed=sum(t.people for t in talks.values()),
        site_visits=kinds.count("site_visit"), records=len(rec_rows), evidence=len(ev_rows),
        evaluation_rounds=len(rounds),
        members_without_records=[s.name for s in members if not s.records])
    out = ArchiveOut(campaign_id=campaign_id, campaign_name=ca["name"], starts_on=ca["starts_on"],
                     ends_on=ca["ends_on"], unit_id=unit_id, unit_name=team.unit_name, overview=overview,
                     members=members, findings=findings, team_conclusion=_conclusion(concl.get(None)),
                     generated_at=clock.now())
    # ID numbers typed into free text are shown whole to officers only.
    return mask_free_text(principal, out)


async def get_archive(pool: asyncpg.Pool, *, principal: Principal, campaign_id: int,
                      unit_id: int) -> ArchiveOut:
    """The archive as the reader may see it; the read is audited with the cadres it shows."""
    async with pool.acquire() as conn:
        out = await build(conn, principal, campaign_id=campaign_id, unit_id=unit_id)
    await audit_only(pool, principal, "archive.read", "campaign", campaign_id,
                     {"unit_id": unit_id, "cadre_ids": [m.cadre_id for m in out.members]})
    return out


async def save_conclusion(pool: asyncpg.Pool, *, principal: Principal, campaign_id: int, unit_id: int,
                          body: ConclusionIn, if_match: int | None) -> ArchiveOut:
    """Write a member's or the team's conclusion; a revision keeps every version."""
    async with unit_of_work(pool, principal) as uow:
        archive = await build(uow.conn, principal, campaign_id=campaign_id, unit_id=unit_id)
        if body.cadre_id is not None and body.cadre_id not in {m.cadre_id for m in archive.members}:
            raise ValidationFailed("该干部不是本次调研期间的班子成员",
                                   errors=[{"field": "cadre_id", "message": "不是本次调研期间的班子成员"}])
        row = await repo.lock_conclusion(uow.conn, campaign_id, unit_id, body.cadre_id)
        if row is None:
            new_id = await repo.insert_conclusion(uow.conn, campaign_id, unit_id, body.cadre_id, body.body,
                                                  principal.user_id)
            if new_id is None:
                raise require_version(None, if_match).stale()
            conclusion_id, version, action = new_id, 1, "create"
        else:
            base = require_version(body.version, if_match)
            new_version = await repo.update_conclusion(uow.conn, row["id"], base.version, body.body,
                                                       principal.user_id)
            if new_version is None:
                raise base.stale()
            conclusion_id, version, action = row["id"], new_version, "update"
        snapshot = {"campaign_id": campaign_id, "unit_id": unit_id, "cadre_id": body.cadre_id,
                    "body": body.body}
        await uow.record_change("archive_conclusion", conclusion_id, version=version, action=action,
                                snapshot=snapshot, audit=f"archive.conclusion_{action}",
                                audit_object=("campaign", campaign_id),
                                details={"unit_id": unit_id, "cadre_id": body.cadre_id,
                                         "conclusion_id": conclusion_id, "version": version})
        return await build(uow.conn, principal, campaign_id=campaign_id, unit_id=unit_id)


async def overview(pool: asyncpg.Pool, *, principal: Principal, campaign_id: int) -> CampaignOverview:
    """Teams the campaign studied with talks, site visits, coverage gaps and status; audited."""
    async with pool.acquire() as conn:
        ca = await repo.campaign(conn, principal, campaign_id)
        if ca is None:
            raise NotFound("调研活动不存在")
        teams, named = [], []
        for unit in await repo.studied_units(conn, campaign_id):
            try:
                a = await build(conn, principal, campaign_id=campaign_id, unit_id=unit["id"])
            except NotFound:
                continue  # a team outside the reader's scope is left out, as if not studied
            o = a.overview
            named += [m.cadre_id for m in a.members if not m.records]  # shown by name
            concluded = sum(1 for m in a.members if m.conclusion is not None)
            done = a.team_conclusion is not None and concluded == len(a.members)
            started = o.records > 0 or o.evaluation_rounds > 0
            teams.append(TeamStatus(
                unit_id=a.unit_id, unit_name=a.unit_name, members=o.members, records=o.records, talks=o.talks,
                site_visits=o.site_visits, evaluation_rounds=o.evaluation_rounds,
                members_without_records=o.members_without_records, concluded_members=concluded,
                team_concluded=a.team_conclusion is not None,
                status="concluded" if done else "in_progress" if started else "not_started"))
    await audit_only(pool, principal, "archive.overview", "campaign", campaign_id,
                     {"unit_ids": [t.unit_id for t in teams], "cadre_ids": sorted(set(named))})
    return CampaignOverview(campaign_id=campaign_id, campaign_name=ca["name"], status=ca["status"],
                            starts_on=ca["starts_on"], ends_on=ca["ends_on"],
                            talks=sum(t.talks for t in teams), site_visits=sum(t.site_visits for t in teams),
                            records=sum(t.records for t in teams), teams=teams)
