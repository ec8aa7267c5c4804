"""Database rows to the dossier's render models, with the Chinese labels printed on paper."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import asyncpg

from schemas.common import Domain, label
from schemas.export import (
    AnnualAppraisal,
    AttachmentInfo,
    CadreProfile,
    DossierCover,
    Education,
    EvidenceGroup,
    EvidenceItem,
    FieldRecordSummary,
    Metric,
    ResumeLine,
    RewardPenalty,
)
from service.attachments.service import ALLOWED_TYPES

SUMMARY_CHARS = 240
DOMAIN_ORDER = {d.value: n for n, d in enumerate(Domain)}


def evidence_ref(evidence_id: int) -> str:
    """How an evidence item is numbered in print, e.g. EV-000042."""
    return f"EV-{evidence_id:06d}"


def record_ref(record_id: int) -> str:
    """How a field record is numbered in print, e.g. FR-000007."""
    return f"FR-{record_id:06d}"


def cover(cadre: asyncpg.Record, generated_at: datetime) -> DossierCover:
    """The cover page: name, unit and post."""
    return DossierCover(cadre_name=cadre["name"], unit=cadre["unit_name"], post=cadre["post"],
                        generated_at=generated_at)


def profile(cadre: asyncpg.Record, photo: bytes | None, proposed_post: str | None) -> CadreProfile:
    """The appointment approval form fields, unmasked (masking is applied afterwards)."""
    return CadreProfile(
        name=cadre["name"], gender=label(cadre["gender"]), birth_date=cadre["birth_date"],
        ethnicity=cadre["ethnicity"], native_place=cadre["native_place"],
        birthplace=cadre["birthplace"], party_join_date=cadre["party_join_date"],
        work_start_date=cadre["work_start_date"], health=cadre["health"],
        professional_title=cadre["professional_title"],
        full_time_education=Education(degree=label(cadre["edu_fulltime_level"]) or None,
                                      school=cadre["edu_fulltime_school"],
                                      major=cadre["edu_fulltime_major"]),
        in_service_education=Education(degree=label(cadre["edu_inservice_level"]) or None,
                                       school=cadre["edu_inservice_school"],
                                       major=cadre["edu_inservice_major"]),
        current_unit=cadre["unit_name"], current_post=cadre["post"], proposed_post=proposed_post,
        post_level=label(cadre["post_level"]) or None, rank=label(cadre["rank"]) or None,
        tier=label(cadre["tier"]), national_id=cadre["national_id"], photo=photo,
    )


def resume(rows: Iterable[asyncpg.Record]) -> list[ResumeLine]:
    """Resume lines (简历) in date order."""
    return [ResumeLine(start=r["start_date"], end=r["end_date"], unit=r["unit_name"], post=r["post"])
            for r in rows]


def rewards(rows: Iterable[asyncpg.Record]) -> list[RewardPenalty]:
    """Rewards and penalties by decision date."""
    return [RewardPenalty(date=r["decided_on"], kind=r["kind"], title=r["title"], issuer=r["issuer"])
            for r in rows]


def appraisals(rows: Iterable[asyncpg.Record]) -> list[AnnualAppraisal]:
    """Annual appraisal grades as printed (优秀, 称职 …)."""
    return [AnnualAppraisal(year=r["year"], grade=label(r["grade"])) for r in rows]


def _metric(raw: dict[str, Any]) -> Metric:
    return Metric(name=str(raw.get("name", "")), value=raw.get("value", ""),
                  unit=raw.get("unit") or None)


def evidence_groups(rows: Iterable[asyncpg.Record]) -> list[EvidenceGroup]:
    """Evidence grouped by work domain (in the vocabulary's order), items by period."""
    groups: dict[str, list[EvidenceItem]] = {}
    for r in rows:
        groups.setdefault(r["domain"], []).append(EvidenceItem(
            id=evidence_ref(r["id"]), title=r["title"], description=r["description"],
            period_start=r["period_start"], period_end=r["period_end"],
            metrics=[_metric(m) for m in r["metrics"] if isinstance(m, dict)],
            judgement=r["judgement"], verification_state=label(r["verification"]),
            verifier=r["verifier_name"], verified_at=r["verified_at"],
        ))
    ordered = sorted(groups.items(), key=lambda kv: DOMAIN_ORDER.get(kv[0], len(DOMAIN_ORDER)))
    return [EvidenceGroup(domain=label(domain), items=items) for domain, items in ordered]


def _summary(place: str, body: str) -> str:
    text = " ".join(body.split())
    if len(text) > SUMMARY_CHARS:
        text = text[:SUMMARY_CHARS].rstrip() + "……"
    return f"【{place}】{text}" if place else text


def field_records(rows: Iterable[asyncpg.Record]) -> list[FieldRecordSummary]:
    """Summaries of field records: kind, date, author, title, the opening of the text."""
    return [FieldRecordSummary(id=record_ref(r["id"]), kind=label(r["kind"]), date=r["occurred_on"],
                               author=r["author_name"], title=r["title"],
                               summary=_summary(r["place"], r["body"]))
            for r in rows]


def attachments(rows: Iterable[asyncpg.Record]) -> list[AttachmentInfo]:
    """The attachment list with SHA-256 digests (files are listed, not embedded)."""
    return [AttachmentInfo(name=r["original_name"], size=r["size_bytes"], sha256=r["sha256"],
                           content_type=ALLOWED_TYPES.get(r["content_type"], (r["content_type"],))[0])
            for r in rows]
