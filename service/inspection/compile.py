"""Compiling a 考察材料 draft in the customary structure from verified evidence, records and
evaluations (no database access). Every sentence quotes or counts what it cites; a section the
material does not support stays empty with a prompt for the writer — nothing is invented.
"""

from datetime import date
from typing import Any

import asyncpg

from schemas.archives import DraftSection, Source, Statement
from schemas.common import label
from schemas.leadership import RoundOut
from schemas.posts import unit_post
from service.archives.assemble import cn_date, evidence_statement, record_statement, subject_statement

# Sections in the customary order: key, title, prompt when the material says nothing.
SECTIONS = (
    ("basic", "基本情况", "请补充基本情况"),
    ("de", "德的方面", "档案材料中没有可引用的政治品质和道德品行方面的记载，请考察组根据谈话和调查情况撰写"),
    ("neng", "能的方面", "档案材料中没有可引用的工作能力方面的记载，请根据谈话、擂台比武等情况撰写"),
    ("qin", "勤的方面", "档案材料中没有可引用的工作作风方面的记载，请根据窗口服务、实地察看等情况撰写"),
    ("ji", "绩的方面", "没有已核实的工作实绩，请核实后补充"),
    ("lian", "廉的方面", "档案材料中没有廉洁自律方面的记载，请根据纪检监察机关意见等撰写"),
    ("shortcomings", "主要不足", "材料中未见记载的不足，请根据谈话和测评情况如实撰写"),
    ("appraisals", "年度考核情况", "没有年度考核记录"),
    ("votes", "民主推荐和测评情况", "没有民主推荐或民主测评结果"),
)
DE_DOMAINS = {"party_building"}
NENG_KINDS = {"interview", "arena_contest", "document_review"}
QIN_KINDS = {"window_service", "site_visit", "secondment_log"}


def _years(since: date | None, on: date) -> int | None:
    if since is None:
        return None
    return on.year - since.year - ((on.month, on.day) < (since.month, since.day))


def _month(d: date) -> str:
    return f"{d.year}年{d.month}月"


def basic(c: asyncpg.Record, career: list[asyncpg.Record], on: date) -> list[Statement]:
    """Identity and the three ages (age, years of work, Party years), education, work history."""
    me = [Source(kind="cadre", id=c["id"])]
    parts = [f"{c['name']}，{label(c['gender'])}，{c['ethnicity']}，{_month(c['birth_date'])}生"
             f"（{_years(c['birth_date'], on)}岁）"]
    if c["native_place"]:
        parts.append(f"{c['native_place']}人")
    if c["party_join_date"]:
        party = c["party_join_date"]
        parts.append(f"{_month(party)}加入中国共产党（党龄{_years(party, on)}年）")
    if c["work_start_date"]:
        parts.append(f"{_month(c['work_start_date'])}参加工作（工龄{_years(c['work_start_date'], on)}年）")
    edu = [f"全日制{label(c['edu_fulltime_level'])}" + (f"（{c['edu_fulltime_school'] or ''}"
                                                        f"{c['edu_fulltime_major'] or ''}）"
                                                        if c["edu_fulltime_school"] else "")
           ] if c["edu_fulltime_level"] else []
    if c["edu_inservice_level"]:
        edu.append(f"在职{label(c['edu_inservice_level'])}（{c['edu_inservice_school'] or ''}"
                   f"{c['edu_inservice_major'] or ''}）")
    if edu:
        parts.append("学历为" + "、".join(edu))
    out = [Statement(text="，".join(parts) + "。", sources=me),
           Statement(text=f"现任{unit_post(c['unit_name'], c['post'])}。", sources=me)]
    for r in career:
        end = f"{r['end_date'].year}.{r['end_date'].month:02d}" if r["end_date"] else "今"
        out.append(Statement(text=f"{r['start_date'].year}.{r['start_date'].month:02d}—{end}　"
                                  f"{unit_post(r['unit_name'], r['post'])}",
                             sources=[Source(kind="career", id=r["id"])]))
    return out


def _positive(ev: list[asyncpg.Record], domains: set[str] | None, exclude: set[str]) -> list[Statement]:
    return [evidence_statement(r) for r in ev
            if r["judgement"] == "positive" and r["verification"] == "verified"
            and (domains is None or r["domain"] in domains) and r["domain"] not in exclude]


def votes(promotion: asyncpg.Record | None, cadre_id: int, rounds: list[RoundOut]) -> list[Statement]:
    """The recommendation stage's result for the cadre and evaluation rounds about them."""
    out: list[Statement] = []
    rec: dict[str, Any] | None = promotion["recommendation"] if promotion is not None else None
    if promotion is not None and rec:
        got = next((v["votes"] for v in rec.get("votes", []) if v.get("cadre_id") == cadre_id), None)
        if got is not None:
            out.append(Statement(
                text=f"{cn_date(date.fromisoformat(str(rec['date'])))}民主推荐：参加推荐{rec['participants']}人，"
                     f"发出推荐票{rec['ballots_issued']}张，收回{rec['ballots_returned']}张，"
                     f"该同志得{got}票。", sources=[Source(kind="promotion", id=promotion["id"])]))
    out += [subject_statement(r, s) for r in rounds for s in r.subjects if s.cadre_id == cadre_id]
    return out


def compile_sections(c: asyncpg.Record, facts: dict[str, list[asyncpg.Record]],
                     *, promotion: asyncpg.Record | None, rounds: list[RoundOut],
                     on: date) -> list[DraftSection]:
    """The draft's sections, each sentence citing its source, empty sections with a prompt."""
    ev, recs = facts["evidence"], facts["records"]
    penalties = [r for r in facts["rewards"] if r["kind"] == "penalty"]
    rewards = [r for r in facts["rewards"] if r["kind"] == "reward"]
    content: dict[str, list[Statement]] = {
        "basic": basic(c, facts["career"], on),
        "de": _positive(ev, DE_DOMAINS, set()),
        "neng": [record_statement(r) for r in recs if r["kind"] in NENG_KINDS],
        "qin": [record_statement(r) for r in recs if r["kind"] in QIN_KINDS],
        "ji": _positive(ev, None, DE_DOMAINS)
        + [Statement(text=f"{cn_date(r['decided_on'])}获{r['issuer'] or ''}{r['title']}。",
                     sources=[Source(kind="reward", id=r["id"])]) for r in rewards],
        "lian": [Statement(text=f"{cn_date(r['decided_on'])}受到{r['title']}"
                                + (f"（{r['issuer']}）" if r["issuer"] else "") + "。",
                           sources=[Source(kind="reward", id=r["id"])]) for r in penalties],
        "shortcomings": [evidence_statement(r) for r in ev if r["judgement"] == "negative"],
        "appraisals": [Statement(text=f"{r['year']}年度考核{label(r['grade'])}。",
                                 sources=[Source(kind="appraisal", id=r["id"])])
                       for r in facts["appraisals"]],
        "votes": votes(promotion, c["id"], rounds),
    }
    return [DraftSection(key=k, title=t, statements=content[k], prompt=None if content[k] else p)
            for k, t, p in SECTIONS]
