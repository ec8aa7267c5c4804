"""Turn export models into the JSON payload the Typst templates read.

Every value leaves here as a display string (dates as 2024.05, times in Beijing
time), a list of strings, or a list of byte values (the photo). The templates only
ever show these as text, so nothing a user typed can act as Typst markup.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from schemas.export import (
    DossierDoc,
    EvidenceItem,
    Number,
    PromotionDoc,
    ShortlistCandidate,
    ShortlistDoc,
    Watermark,
)
from schemas.labels import JUDGEMENT, REWARD_KIND
from schemas.posts import unit_post
from service.pdf.form_cells import form_payload
from service.pdf.formatting import (
    DASH,
    chunks,
    fmt_date,
    fmt_month,
    fmt_number,
    fmt_score,
    fmt_size,
    fmt_span,
    fmt_time,
    to_beijing,
    wrap_tree,
)

Payload = dict[str, Any]



def watermark_line(wm: Watermark) -> str:
    """The text tiled across every page: who, when (Beijing time), serial."""
    local = to_beijing(wm.exported_at)
    return f"{wm.user_name}　{local:%Y-%m-%d %H:%M} 北京时间　{wm.serial}"


def _document(title: str, wm: Watermark, fonts: Payload, body: Payload) -> Payload:
    return {
        "meta": {"title": title, "author": wm.user_name, "keywords": [wm.serial]},
        "watermark": watermark_line(wm),
        "fonts": fonts,
    } | {key: wrap_tree(value) for key, value in body.items()}


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _text(value: str | None) -> str:
    return "" if value is None else value


def _school_major(school: str | None, major: str | None) -> str:
    return "".join(part for part in (school, major) if part)


def _metrics(item: EvidenceItem) -> list[str]:
    out = []
    for m in item.metrics:
        value = m.value if isinstance(m.value, str) else fmt_number(m.value)
        out.append(f"{m.name} {value}{' ' + m.unit if m.unit else ''}")
    return out


def _evidence(item: EvidenceItem) -> Payload:
    verification = [item.verification_state]
    verification += [x for x in (item.verifier, fmt_time(item.verified_at)) if x]
    return {
        "id": str(item.id),
        "title": item.title,
        "description": item.description,
        "period": fmt_span(item.period_start, item.period_end, fmt_month) or DASH,
        "metrics": _metrics(item),
        "judgement": JUDGEMENT[item.judgement],
        "positive": item.judgement == "positive",
        "verification": verification,
    }


def _profile(doc: DossierDoc) -> Payload:
    p = doc.profile
    on = to_beijing(doc.cover.generated_at).date()
    birth = [] if p.birth_date is None else [fmt_month(p.birth_date), f"（{_age(p.birth_date, on)}岁）"]
    ft, ins = p.full_time_education, p.in_service_education
    return {
        "name": p.name,
        "gender": _text(p.gender),
        "birth": birth,
        "ethnicity": _text(p.ethnicity),
        "native_place": _text(p.native_place),
        "birthplace": _text(p.birthplace),
        "party_join": fmt_month(p.party_join_date),
        "work_start": fmt_month(p.work_start_date),
        "health": _text(p.health),
        "professional_title": _text(p.professional_title),
        "tier": _text(p.tier),
        "full_time": {"degree": _text(ft.degree), "school_major": _school_major(ft.school, ft.major)},
        "in_service": {
            "degree": _text(ins.degree),
            "school_major": _school_major(ins.school, ins.major),
        },
        "current": unit_post(p.current_unit, p.current_post),
        "proposed": _text(p.proposed_post),
        "post_level": _text(p.post_level),
        "rank": _text(p.rank),
        "national_id": _text(p.national_id),
        # Typst builds the image from `bytes(array)`: JSON has no byte strings.
        "photo": None if p.photo is None else list(p.photo),
    }


def dossier_payload(doc: DossierDoc, wm: Watermark, fonts: Payload) -> Payload:
    """The JSON payload of `dossier.typ`."""
    cover = doc.cover
    generated = to_beijing(cover.generated_at)
    return _document(
        f"{cover.title}（{cover.cadre_name}）",
        wm,
        fonts,
        {
            "cover": {
                "title": cover.title,
                "name": cover.cadre_name,
                "unit": cover.unit,
                "post": cover.post,
                "serial": wm.serial,
                "generated": f"{generated.year}年{generated.month}月{generated.day}日 {generated:%H:%M}",
            },
            "profile": _profile(doc),
            "form": None if doc.form is None else form_payload(doc.form),
            "resume": [
                {"period": fmt_span(r.start, r.end, fmt_month), "text": unit_post(r.unit, r.post)}
                for r in doc.resume
            ],
            "rewards": [
                f"{fmt_month(r.date)}　{REWARD_KIND[r.kind]}：{r.title}"
                + (f"（{r.issuer}）" if r.issuer else "")
                for r in doc.rewards_penalties
            ],
            "appraisals": "；".join(
                f"{a.year}年度{a.grade}" for a in sorted(doc.appraisals, key=lambda a: a.year)
            ),
            "evidence": [
                {"domain": g.domain, "items": [_evidence(i) for i in g.items]} for g in doc.evidence
            ],
            "field_records": [
                {
                    "id": str(r.id),
                    "kind": r.kind,
                    "date": fmt_date(r.date),
                    "author": r.author,
                    "title": r.title,
                    "summary": r.summary,
                }
                for r in doc.field_records
            ],
            "unit_assessments": [
                {
                    "period": a.period,
                    "unit": a.unit,
                    "total": fmt_number(a.total),
                    "rank": DASH if a.rank is None else str(a.rank),
                    "stars": "★" * a.stars if 0 < a.stars <= 10 else (str(a.stars) if a.stars else DASH),
                }
                for a in doc.unit_assessments
            ],
            "promotions": [
                {
                    "kind": r.kind,
                    "post": r.post,
                    "stage": r.stage,
                    "period": fmt_span(r.start_date, r.end_date) or DASH,
                }
                for r in doc.promotions
            ],
            "attachments": [
                {
                    "name": a.name,
                    "content_type": a.content_type,
                    "size": fmt_size(a.size),
                    "sha256": chunks(a.sha256, 32),
                }
                for a in doc.attachments
            ],
        },
    )


def _candidate(c: ShortlistCandidate) -> Payload:
    status = [label for flag, label in ((c.pinned, "置顶"), (c.excluded, "排除")) if flag]
    rules = [
        f"【{'符合' if r.passed else '不符合'}】{r.label}" + (f"：{r.detail}" if r.detail else "")
        for r in c.rule_outcomes
    ]
    evidence = [
        f"{e.evidence_id!s}{' ' + e.title if e.title else ''}　{_signed(e.contribution)}" for e in c.evidence
    ]
    return {
        "rank": DASH if c.rank is None else str(c.rank),
        "name": c.name,
        "unit_post": unit_post(c.unit, c.post),
        "score": DASH if c.score is None else fmt_score(c.score),
        "status": "、".join(status),
        "reason": _text(c.reason),
        "rules": rules,
        "evidence": evidence,
        "excluded": c.excluded,
    }


def _signed(value: Number) -> str:
    text = fmt_score(value)
    return text if text.startswith("-") else f"+{text}"


def _pairs(items: Iterable[tuple[str, str]]) -> list[Payload]:
    return [{"label": label, "value": value} for label, value in items]


def shortlist_payload(doc: ShortlistDoc, wm: Watermark, fonts: Payload) -> Payload:
    """The JSON payload of `shortlist.typ`."""
    pos = doc.position
    return _document(
        f"{doc.title}（{unit_post(pos.unit, pos.post)}）",
        wm,
        fonts,
        {
            "title": doc.title,
            "subtitle": f"{unit_post(pos.unit, pos.post)}　第 {doc.version} 版",
            "position": _pairs(
                [
                    ("单位", pos.unit),
                    ("职务", pos.post),
                    ("职务层次", _text(pos.post_level) or DASH),
                    ("名单版本", f"第 {doc.version} 版"),
                ]
            ),
            "inputs_hash": chunks(doc.inputs_hash, 32),
            "rules": _pairs((r.label, r.value) for r in doc.rules),
            "weights": _pairs((w.label, fmt_number(w.weight)) for w in doc.weights),
            "candidates": [_candidate(c) for c in doc.candidates],
        },
    )


def promotion_payload(doc: PromotionDoc, wm: Watermark, fonts: Payload) -> Payload:
    """The JSON payload of `promotion.typ`."""
    return _document(
        f"{doc.title}（{doc.cadre_name}）",
        wm,
        fonts,
        {
            "title": doc.title,
            "subtitle": f"{doc.cadre_name}　{doc.kind}",
            "summary": _pairs(
                [
                    ("干部姓名", doc.cadre_name),
                    ("类型", doc.kind),
                    ("拟任职务", doc.target_post),
                    ("当前状态", doc.status),
                ]
            ),
            "stages": [
                {
                    "label": s.label,
                    "period": fmt_span(s.start_date, s.end_date)
                    if s.end_date not in (None, s.start_date)
                    else fmt_date(s.start_date) or DASH,
                    "details": [f"{d.label}：{d.value}" for d in s.details],
                }
                for s in doc.stages
            ],
        },
    )
