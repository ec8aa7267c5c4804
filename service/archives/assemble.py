"""Sentences of an archive, each with the ids of the records it rests on (no database access).

Nothing is paraphrased or invented: a statement quotes the title, text, metrics and state of
the evidence or record it cites, or states counts computed from the cited rows.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

import asyncpg

from schemas.archives import DomainGroup, Source, Statement
from schemas.common import label
from schemas.leadership import RoundOut, SubjectResult, TalkStats

DOMAIN_ORDER = ("urban_renewal", "investment_attraction", "livelihood", "party_building",
                "risk_prevention", "other")
SUMMARY_CHARS = 160


def cn_date(d: date) -> str:
    """2026年5月10日."""
    return f"{d.year}年{d.month}月{d.day}日"


def _month(d: date) -> str:
    return f"{d.year}.{d.month:02d}"


def _metrics(raw: Any) -> str:
    parts = []
    for m in raw if isinstance(raw, list) else []:
        if isinstance(m, dict) and m.get("name"):
            value = m.get("value", "")
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            parts.append(f"{m['name']}{value}{m.get('unit') or ''}")
    return "，".join(parts)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS].rstrip() + "……"


def evidence_statement(r: asyncpg.Record) -> Statement:
    """【已核实】title（2024.01—2024.12）：metrics。description."""
    state = label(r["verification"])
    if r["verification"] == "verified" and r["verifier_name"]:
        state += f"，核实人{r['verifier_name']}"
    text = f"【{state}】{r['title']}（{_month(r['period_start'])}—{_month(r['period_end'])}）"
    metrics = _metrics(r["metrics"])
    if metrics:
        text += f"：{metrics}"
    if r["description"]:
        text += f"。{_clip(r['description'])}"
    return Statement(text=text, sources=[Source(kind="evidence", id=r["id"])])


def evidence_groups(rows: Iterable[asyncpg.Record]) -> list[DomainGroup]:
    """Evidence statements grouped by work domain."""
    groups: dict[str, list[Statement]] = {}
    for r in rows:
        groups.setdefault(r["domain"], []).append(evidence_statement(r))
    return [DomainGroup(domain=d, label=label(d), statements=groups[d]) for d in DOMAIN_ORDER if d in groups]


def strengths(rows: Iterable[asyncpg.Record]) -> list[Statement]:
    """Verified positive evidence, as the evidence states it."""
    return [Statement(text=r["title"] + (f"：{m}" if (m := _metrics(r["metrics"])) else ""),
                      sources=[Source(kind="evidence", id=r["id"])])
            for r in rows if r["judgement"] == "positive" and r["verification"] == "verified"]


def shortcomings(rows: Iterable[asyncpg.Record]) -> list[Statement]:
    """Negative evidence (短板) with its verification state, as the evidence states it."""
    return [Statement(text=f"{r['title']}（{label(r['verification'])}）"
                      + (f"：{_clip(r['description'])}" if r["description"] else ""),
                      sources=[Source(kind="evidence", id=r["id"])])
            for r in rows if r["judgement"] == "negative"]


def record_statement(r: asyncpg.Record) -> Statement:
    """2026年5月10日 个别谈话《title》（place）：opening of the text."""
    place = f"（{r['place']}）" if r["place"] else ""
    return Statement(text=f"{cn_date(r['occurred_on'])} {label(r['kind'])}《{r['title']}》{place}："
                          f"{_clip(r['body'])}", sources=[Source(kind="record", id=r["id"])])


def talk_statement(t: TalkStats) -> Statement | None:
    """Interview records and people interviewed, by relation to the cadre."""
    if t.records == 0:
        return None
    by = "、".join(f"{k}{v}人" for k, v in t.by_relation.items())
    return Statement(text=f"个别谈话记录{t.records}份，谈话{t.people}人次（{by}）",
                     sources=[Source(kind="record", id=i) for i in t.record_ids])


def subject_statement(round_: RoundOut, s: SubjectResult) -> Statement:
    """A round's result for one subject: total votes, rate of each grade, favourable rate."""
    o = s.overall
    rates = "，".join(f"{label(r.grade, 'evaluation_grade')}{r.votes}票（{r.rate}%）"
                     for r in o.rates if r.rate is not None)
    favourable = "称职以上率" if o.scale == "grade" else "认同率"
    text = (f"{cn_date(round_.held_on)}{round_.name}：有效票{o.total}张，{rates}"
            + (f"；{favourable}{o.favourable_rate}%" if o.favourable_rate is not None else ""))
    return Statement(text=text, sources=[Source(kind="evaluation", id=round_.id)])
