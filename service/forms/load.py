"""A cadre's approval form from PostgreSQL, with what the reader's role may not see withheld."""

import logging
from typing import Any

import anyio
import asyncpg

from schemas.cadres import RESTRICTED_TITLE
from schemas.export import JPEG_MAGIC, MAX_PHOTO_BYTES, PNG_MAGIC
from schemas.national_id import mask_national_id
from schemas.posts import unit_post
from service.attachments.store import BlobStore
from service.cadres import repo as cadres_repo
from service.cadres.service import sees_sensitive
from service.family import repo as family_repo
from service.forms import repo
from service.forms.model import CadreForm, FamilyRow, ResumeRow, ResumeSub
from service.lrmx import appraisals as appraisal_text
from service.pdf.formatting import fmt_month
from service.principal import Principal

log = logging.getLogger("cadre.forms")
REWARD_WORDS = {"reward": "奖励", "penalty": "惩戒"}


async def photo_bytes(store: BlobStore, row: asyncpg.Record | None) -> bytes | None:
    """The ID photo's bytes, or None when it cannot be used."""
    if row is None or row["content_type"] not in ("image/jpeg", "image/png") \
            or row["size_bytes"] > MAX_PHOTO_BYTES:
        return None
    try:
        data = await anyio.Path(store.path_for(row["sha256"])).read_bytes()
    except OSError:
        log.warning("photo blob unreadable", extra={"attachment_id": row["id"]})
        return None
    return data if data.startswith((JPEG_MAGIC, PNG_MAGIC)) else None


def resume_rows(rows: list[asyncpg.Record]) -> list[ResumeRow]:
    """Resume lines with their （其间…） entries under them, by start date."""
    mains: dict[int, ResumeRow] = {}
    subs: list[asyncpg.Record] = []
    for r in rows:
        if r["parent_id"] is not None:
            subs.append(r)
            continue
        text = r["form_text"] or unit_post(r["unit_name"], r["post"])
        row = ResumeRow(r["start_date"], r["end_date"], text)
        if r["note"]:
            row.subs.append(ResumeSub(None, None, r["note"]))
        mains[r["id"]] = row
    for s in subs:
        parent = mains.get(s["parent_id"])
        if parent is not None:
            parent.subs.append(ResumeSub(s["start_date"], s["end_date"],
                                         s["form_text"] or unit_post(s["unit_name"], s["post"])))
    return list(mains.values())


def rewards_from_rows(rows: list[asyncpg.Record], sensitive: bool) -> str:
    """奖惩情况 written from the reward/penalty records (penalties withheld when not sensitive)."""
    lines = []
    for r in rows:
        title = r["title"] if sensitive or r["kind"] != "penalty" else RESTRICTED_TITLE
        issuer = f"（{r['issuer']}）" if r["issuer"] and (sensitive or r["kind"] != "penalty") else ""
        lines.append(f"{fmt_month(r['decided_on'])} {REWARD_WORDS.get(r['kind'], '')}：{title}{issuer}")
    return "\n".join(lines)


def _s(value: Any) -> str:
    return "" if value is None else str(value)


async def load_form(conn: asyncpg.Connection, principal: Principal, *, store: BlobStore,
                    cadre_id: int) -> CadreForm | None:
    """The form of a readable cadre (None if out of scope), masked for the reader's role."""
    cadre = await cadres_repo.get_visible(conn, principal, cadre_id)
    if cadre is None:
        return None
    sensitive = sees_sensitive(principal)
    f = await repo.form_row(conn, cadre_id)
    extra: dict[str, Any] = dict(f) if f is not None else {}
    rewards = await cadres_repo.rewards(conn, cadre_id)
    grades = {r["year"]: r["grade"] for r in await cadres_repo.appraisals(conn, cadre_id)}
    current = unit_post(cadre["unit_name"], cadre["post"])
    key = f"{cadre['unit_id']}|{cadre['post']}"
    form = CadreForm(
        name=cadre["name"], gender=cadre["gender"], birth_date=cadre["birth_date"],
        ethnicity=_s(cadre["ethnicity"]), native_place=_s(cadre["native_place"]),
        birthplace=_s(cadre["birthplace"]), party_join_date=cadre["party_join_date"],
        party_text=_s(extra.get("party_text")), work_start_date=cadre["work_start_date"],
        health=_s(cadre["health"]), professional_title=_s(cadre["professional_title"]),
        expertise=_s(extra.get("expertise")),
        ft_level=cadre["edu_fulltime_level"], ft_level_text=_s(extra.get("ft_level_text")),
        ft_degree=_s(extra.get("ft_degree")),
        ft_school=_s(cadre["edu_fulltime_school"]) + _s(cadre["edu_fulltime_major"]),
        ft_degree_school=_s(extra.get("ft_degree_school")),
        is_level=cadre["edu_inservice_level"], is_level_text=_s(extra.get("is_level_text")),
        is_degree=_s(extra.get("is_degree")),
        is_school=_s(cadre["edu_inservice_school"]) + _s(cadre["edu_inservice_major"]),
        is_degree_school=_s(extra.get("is_degree_school")),
        # The form's own wording of the current post while the post is the one it was read for.
        current_post_text=(extra["current_post_text"] if extra.get("current_post_text")
                           and extra.get("current_post_key") == key else current),
        proposed_post=_s(extra.get("proposed_post")), removed_post=_s(extra.get("removed_post")),
        reason=_s(extra.get("reason")),
        resume=resume_rows(await cadres_repo.career(conn, cadre_id)),
        rewards_text=(_s(extra.get("rewards_text")) if sensitive and extra.get("rewards_text")
                      else rewards_from_rows(list(rewards), sensitive)),
        appraisals=grades,
        appraisals_text=(_s(extra.get("appraisals_text"))
                         if extra.get("appraisals_text")
                         and appraisal_text.parse(extra["appraisals_text"]).grades == grades
                         else appraisal_text.format_grades(grades)),
        reporting_unit=_s(extra.get("reporting_unit")), filled_by=_s(extra.get("filled_by")),
        national_id=_s(cadre["national_id"] if sensitive else mask_national_id(cadre["national_id"])),
        photo=await photo_bytes(store, await repo.photo_row(conn, cadre["photo_attachment_id"])),
        retirement_base_age=extra.get("retirement_base_age"),
        lrmx_version=_s(extra.get("lrmx_version")), extras=list(extra.get("extras") or []),
    )
    if sensitive:
        form.family = [FamilyRow(relation=m["relation"], name=m["name"], birth=m["birth_date"],
                                 political_status=_s(m["political_status"]), work=_s(m["work_unit_post"]))
                       for m in await family_repo.of_cadre(conn, cadre_id)]
    return form

