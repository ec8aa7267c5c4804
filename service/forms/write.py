"""Writing a form read from a file into the registry: profile, resume, appraisals, family, form row."""

import hashlib
from dataclasses import dataclass
from typing import Any

import asyncpg
from pydantic import ValidationError

from schemas.cadres import CadreFields
from service.attachments import repo as attachments_repo
from service.attachments.store import BlobStore
from service.cadres import repo as cadres_repo
from service.forms import repo
from service.forms.blobs import save_blob
from service.forms.display import display
from service.forms.model import CadreForm
from service.lrmx.mapping import Issue
from service.uow import UnitOfWork

_FIELD_TAGS = {"name": "XingMing", "gender": "XingBie", "birth_date": "ChuShengNianYue",
               "national_id": "ShenFenZheng", "party_join_date": "RuDangShiJian",
               "work_start_date": "CanJiaGongZuoShiJian", "post": "XianRenZhiWu",
               "unit_id": "XianRenZhiWu", "ethnicity": "MinZu"}


@dataclass(frozen=True)
class Placement:
    """Where a cadre's current post is: unit, post, management tier."""

    unit_id: int
    post: str
    tier: str


def resolve_post(text: str, units: list[tuple[int, str]], fallback: tuple[int, str] | None
                 ) -> tuple[int, str] | None:
    """Unit and post of a 现任职务 text: the longest unit name in scope it starts with, else the
    fallback unit (its name stripped from the text when present)."""
    for unit_id, name in units:
        if name and text.startswith(name) and len(text) > len(name):
            return unit_id, text[len(name):].lstrip("、，, ")
    if fallback is None:
        return None
    unit_id, name = fallback
    post = text[len(name):] if name and text.startswith(name) and len(text) > len(name) else text
    return unit_id, post


def _joined(row: dict[str, Any], prefix: str) -> str:
    return (row.get(f"{prefix}_school") or "") + (row.get(f"{prefix}_major") or "")


def profile_fields(form: CadreForm, place: Placement, current: asyncpg.Record | None,
                   ) -> tuple[dict[str, Any], list[Issue]]:
    """The cadres row for the form, checked by the same model the API uses."""
    keep = dict(current) if current is not None else {}
    ft_school, is_school = form.ft_school, form.is_school
    same_ft = bool(keep) and ft_school == _joined(keep, "edu_fulltime")
    same_is = bool(keep) and is_school == _joined(keep, "edu_inservice")
    data: dict[str, Any] = {
        "name": form.name, "gender": form.gender, "birth_date": form.birth_date,
        "ethnicity": form.ethnicity or keep.get("ethnicity") or "汉族",
        "native_place": form.native_place or None, "birthplace": form.birthplace or None,
        "party_join_date": form.party_join_date, "work_start_date": form.work_start_date,
        "health": form.health or None, "professional_title": form.professional_title or None,
        "edu_fulltime_level": form.ft_level,
        "edu_fulltime_school": keep.get("edu_fulltime_school") if same_ft else (ft_school or None),
        "edu_fulltime_major": keep.get("edu_fulltime_major") if same_ft else None,
        "edu_inservice_level": form.is_level,
        "edu_inservice_school": keep.get("edu_inservice_school") if same_is else (is_school or None),
        "edu_inservice_major": keep.get("edu_inservice_major") if same_is else None,
        "unit_id": place.unit_id, "post": place.post[:200], "tier": place.tier,
        "post_level": keep.get("post_level"), "post_level_since": keep.get("post_level_since"),
        "rank": keep.get("rank"), "rank_since": keep.get("rank_since"),
        "status": keep.get("status", "active"), "is_unit_head": keep.get("is_unit_head", False),
        "photo_attachment_id": keep.get("photo_attachment_id"),
        "national_id": form.national_id or keep.get("national_id"),
    }
    issues: list[Issue] = []
    try:
        checked = CadreFields.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else ""
            message = str(err["msg"]).removeprefix("Value error, ")
            issues.append(Issue(_FIELD_TAGS.get(field, field), message, error=True))
        return data, issues
    out = checked.model_dump(include=set(cadres_repo.PROFILE_COLUMNS))
    return {k: (v.value if hasattr(v, "value") else v) for k, v in out.items()}, issues


def form_row(form: CadreForm, place: Placement) -> dict[str, Any]:
    """The cadre_forms row of the form."""
    return {
        "expertise": form.expertise or None, "ft_level_text": form.ft_level_text or None,
        "ft_degree": form.ft_degree or None, "ft_degree_school": form.ft_degree_school or None,
        "is_level_text": form.is_level_text or None, "is_degree": form.is_degree or None,
        "is_degree_school": form.is_degree_school or None, "party_text": form.party_text or None,
        "current_post_text": form.current_post_text or None,
        "current_post_key": f"{place.unit_id}|{place.post[:200]}",
        "rewards_text": form.rewards_text or None, "appraisals_text": form.appraisals_text or None,
        "proposed_post": form.proposed_post or None, "removed_post": form.removed_post or None,
        "reason": form.reason or None, "reporting_unit": form.reporting_unit or None,
        "filled_by": form.filled_by or None, "retirement_base_age": form.retirement_base_age,
        "lrmx_version": form.lrmx_version or None, "extras": form.extras,
    }


def split_unit_post(text: str) -> tuple[str, str]:
    """A best-effort unit / post split of a resume text (the full text is kept separately)."""
    for word in ("党组书记", "党委书记", "党工委书记", "副书记", "书记", "副局长", "局长", "副主任", "主任",
                 "副区长", "区长", "副县长", "县长", "副镇长", "镇长", "副部长", "部长", "副处长", "处长",
                 "副科长", "科长", "调研员", "主任科员", "科员", "干事", "教师", "学习", "工作"):
        at = text.find(word)
        if at > 0:
            return text[:at], text[at:]
    return text, ""


async def store_photo(uow: UnitOfWork, store: BlobStore, *, photo: bytes, name: str) -> int:
    """The photo as a stored attachment; returns its id."""
    sha = await save_blob(store, photo)
    row = await attachments_repo.insert(uow.conn, sha, len(photo), "image/jpeg", f"{name}照片.jpg",
                                        uow.principal.user_id)
    attachment_id: int = row["id"]
    return attachment_id


async def write_details(uow: UnitOfWork, cadre_id: int, *, before: CadreForm | None,
                        after: CadreForm) -> None:
    """Resume, appraisals and family where they differ from what is stored."""
    old = display(before) if before is not None else {}
    new = display(after)
    if new["简历"] != old.get("简历", ""):
        rows = []
        for r in after.resume:
            unit, post = split_unit_post(r.text)
            dated = [s for s in r.subs if s.start is not None]
            undated = "；".join(s.text for s in r.subs if s.start is None)
            main = {"start_date": r.start, "end_date": r.end, "unit_name": unit[:200], "post": post[:200],
                    "form_text": r.text[:1000], "note": undated[:1000] or None}
            subs = []
            for s in dated:
                s_unit, s_post = split_unit_post(s.text)
                subs.append({"start_date": s.start, "end_date": s.end if s.end is None or
                             (s.start is not None and s.end >= s.start) else None,
                             "unit_name": s_unit[:200], "post": s_post[:200], "form_text": s.text[:1000]})
            rows.append((main, subs))
        await repo.replace_career(uow.conn, cadre_id, rows)
    if after.appraisals and after.appraisals != (before.appraisals if before else {}):
        await cadres_repo.upsert_appraisals(uow.conn, cadre_id, [
            {"year": y, "grade": g} for y, g in sorted(after.appraisals.items()) if 1950 <= y <= 2100])
    if new["家庭成员"] != old.get("家庭成员", ""):
        await repo.replace_family(uow.conn, cadre_id, [
            {"relation": m.relation, "name": m.name, "birth_date": m.birth,
             "political_status": m.political_status or None, "work_unit_post": m.work or None}
            for m in after.family], uow.principal.user_id)


def photo_changed(before: CadreForm | None, after: CadreForm) -> bool:
    """Whether the file brings a different photo."""
    if after.photo is None:
        return False
    return before is None or before.photo is None or \
        hashlib.sha256(before.photo).digest() != hashlib.sha256(after.photo).digest()
