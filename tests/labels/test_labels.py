"""One Chinese label per enum value, and no raw identifier on any surface: API message, page, PDF.

The first tests read every enumeration of `schemas` and check the tables of schemas/labels.py cover
them; the others render values through the real surfaces (the pages' Jinja filter, the promotion
page and audit page over HTTP, the statistics API, the PDF payloads) and look for codes.
"""

import ast
import importlib
import json
import pkgutil
import re
import typing
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

import schemas
import service
from schemas import clock, labels
from schemas.common import Role
from schemas.export import DossierDoc, RewardPenalty, Watermark
from service.exports import service as export_service
from service.pdf.views import dossier_payload, promotion_payload
from service.principal import Principal
from service.promotions.pdf import load_promotion_doc
from service.web.render import _environment
from tests.factories import Api
from tests.pdf.factories import build_dossier
from tests.positions.helpers import Office, cadre
from tests.promotions.helpers import DECISION, INSPECTION, MOTION, NOTICE, advance, recommendation

# A code-like token: snake_case or dotted lower-case words, a Python bool, or an enum repr.
RAW = re.compile(r"\b[a-z]+(?:[_.][a-z]+)+\b|\bTrue\b|\bFalse\b|<\w+\.\w+: ")


def _enums() -> dict[str, type[StrEnum]]:
    found: dict[str, type[StrEnum]] = {}
    for info in pkgutil.iter_modules(schemas.__path__):
        module = importlib.import_module(f"schemas.{info.name}")
        found.update({v.__name__: v for v in vars(module).values()
                      if isinstance(v, type) and issubclass(v, StrEnum) and v is not StrEnum
                      and v.__module__ == module.__name__})
    return found


def _literal(module: str, name: str, field: str | None = None) -> tuple[str, ...]:
    obj = getattr(importlib.import_module(f"schemas.{module}"), name)
    annotation = obj.model_fields[field].annotation if field else obj
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if args and typing.get_origin(args[0]) is typing.Literal:
        args = list(typing.get_args(args[0]))
    return tuple(str(a) for a in args)


# Enumerations written as Literal types: (module, name, field) → the table that labels them.
LITERALS = {
    ("promotions", "Kind", None): "promotion_kind",
    ("promotions", "StageName", None): "promotion_stage",
    ("promotions", "ProbationIn", "outcome"): "probation_outcome",
    ("positions", "Category", None): "position_category",
    ("export_jobs", "JobStatus", None): "export_job_status",
    ("search", "DocType", None): "doc_type",
    ("records", "InterviewDetails", "interviewee_relation"): "interviewee_relation",
    ("campaigns", "CampaignCreate", "status"): "campaign_status",
    ("export", "RewardPenalty", "kind"): "reward_kind",
    ("export", "EvidenceItem", "judgement"): "judgement",
    ("shortlists", "MarkIn", "action"): "shortlist_mark",
    ("search_api", "SearchParams", "sort"): "search_sort",
    ("search_api", "SearchParams", "mode"): "search_mode",
}


def test_every_enum_of_the_schemas_has_a_table_covering_each_value() -> None:
    enums = _enums()
    assert len(enums) >= 20
    untabled = sorted(set(enums) - set(labels.ENUM_TABLES))
    assert untabled == [], "add a table to schemas/labels.py and name it in ENUM_TABLES"
    missing = [f"{name}.{v.value}" for name, enum in enums.items() for v in enum
               if v.value not in labels.TABLES[labels.ENUM_TABLES[name]]]
    assert missing == []


@pytest.mark.parametrize(("where", "table"), list(LITERALS.items()), ids=lambda x: str(x))
def test_every_literal_enumeration_is_covered_by_its_table(where: tuple[str, str, str | None],
                                                           table: str) -> None:
    values = _literal(*where)
    assert values, where
    assert [v for v in values if v not in labels.TABLES[table]] == []


def test_no_code_has_two_labels_in_the_vocabulary_a_bare_label_reads() -> None:
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for kind in labels._PLAIN:
        for code, text in labels.TABLES[kind].items():
            if code in seen and seen[code][1] != text:
                clashes.append(f"{code}: {seen[code][0]}={seen[code][1]} / {kind}={text}")
            seen.setdefault(code, (kind, text))
    assert clashes == []


def test_every_label_is_chinese_text_not_a_code() -> None:
    bad = [f"{kind}.{code}={text}" for kind, table in labels.TABLES.items()
           for code, text in table.items()
           if text == code or RAW.search(text) or not re.search(r"[\u4e00-\u9fff]", text)]
    assert bad == []


def test_official_terms_are_used_for_promotion_kinds_and_penalties() -> None:
    assert labels.label("post_promotion", "promotion_kind") == "提拔任用"
    assert labels.label("penalty") == "惩戒"


def test_the_page_filter_renders_every_value_of_every_table_as_its_label() -> None:
    env = _environment()
    template = env.from_string("{{ value | label(kind) }}|{{ label(value, kind) }}")
    for kind, table in labels.TABLES.items():
        for code, text in table.items():
            assert template.render(value=code, kind=kind) == f"{text}|{text}", (kind, code)
    plain = env.from_string("{{ value | label }}")
    for code, text in labels.PLAIN.items():
        assert plain.render(value=code) == text
    for name, enum in _enums().items():
        for member in enum:
            assert plain.render(value=member) == labels.TABLES[labels.ENUM_TABLES[name]][member.value]


AUDIT_CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
# Actions the service builds at run time (f"{entity}.revisions.read", f"export.{kind}",
# f"shortlist.{action}"), spelled out: the literal ones are read from the source below.
BUILT_ACTIONS = [*(f"{e}.revisions.read" for e in (
    "record", "promotion", "service_log", "assessment_period", "position", "contest_presentation")),
    *(f"export.{k}" for k in typing.get_args(export_service.Kind)),
    "export.roster", "export.lrmx", "export.approval_form_docx", "shortlist.pin", "shortlist.exclude",
    # uow.record_change writes "<entity>.<action>": the verdict of a verification, what was added.
    "evidence.verified", "evidence.disputed", "evidence.amend", "record.amend", "record.edit",
    *(f"cadre.add_{what}" for what in ("career", "appraisals", "rewards_penalties"))]


def _audited_actions() -> set[str]:
    """Every action code written as a literal argument of a call whose name says audit, in service/."""
    found: set[str] = set()
    for path in Path(service.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (func.id if isinstance(func, ast.Name)
                    else func.attr if isinstance(func, ast.Attribute) else "")
            if "audit" not in name:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg == "action")]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and (
                        AUDIT_CODE.match(arg.value) or arg.value == "search"):
                    found.add(arg.value)
    return found


def test_audit_actions_of_the_service_all_have_chinese_wording() -> None:
    literal = _audited_actions()
    assert len(literal) >= 60 and {"search", "cadre.read", "auth.login.success"} <= literal
    worded = {a: labels.audit_action(a) for a in sorted(literal | set(BUILT_ACTIONS))}
    assert [a for a, text in worded.items() if text == a or RAW.search(text)] == []
    assert "阶段" not in worded["record.amend"] + worded["evidence.amend"]  # a 补正, not a stage


def _visible_text(html: str) -> str:
    """Text a reader sees: no tags, attributes, scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


async def test_promotion_kinds_and_statuses_read_the_same_on_the_page_the_api_and_the_pdf(
        api: Api) -> None:
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    o = Office(api, officer, officer)
    principal = Principal(officer_id, "officer", "officer", Role.officer)
    ids = {}
    for kind, extra in (("post_promotion", {"target_post_level": "section_main"}),
                        ("rank_promotion", {"target_rank": "principal_clerk_1"}),
                        ("lateral_transfer", {})):
        who = await cadre(o)
        r = await api.client.post("/api/promotions", headers=o.officer, json={
            "cadre_id": who["id"], "kind": kind, "target_unit_id": api.units["d1_bureau"],
            "target_post": "局长", **extra})
        assert r.status_code == 201, r.text
        record = r.json()
        if kind == "post_promotion":
            record = await advance(api.client, o.officer, record, MOTION, recommendation(who["id"]),
                                   INSPECTION, DECISION, NOTICE)
        ids[kind] = record["id"]
    skip = await api.client.post(f"/api/promotions/{ids['lateral_transfer']}/stages", headers=o.officer,
                                 json={"version": 1, "payload": {**DECISION}})
    assert skip.status_code == 409 and "「动议」" in skip.json()["detail"]
    assert not RAW.search(skip.json()["detail"])

    for kind, promotion_id in ids.items():
        page = await api.client.get(f"/promotions/{promotion_id}", headers=o.officer)
        assert page.status_code == 200, page.text
        text = _visible_text(page.text)
        assert labels.PROMOTION_KIND[kind] in text
        assert RAW.findall(text) == [], kind
        async with api.pool.acquire() as conn:
            doc = await load_promotion_doc(conn, principal, promotion_id)
        assert doc is not None and doc.kind == labels.PROMOTION_KIND[kind]
        payload = promotion_payload(doc, Watermark(user_name="甲", exported_at=clock.now(),
                                                   serial="X-1"), {})
        dumped = json.dumps(payload, ensure_ascii=False, default=str)
        assert labels.PROMOTION_KIND[kind] in dumped
        assert not re.search(r"post_promotion|rank_promotion|lateral_transfer|in_progress", dumped)
    board = _visible_text((await api.client.get("/promotions", headers=o.officer)).text)
    assert labels.PROMOTION_STATUS["on_probation"] in board and RAW.findall(board) == []

    _, auditor = await api.user("auditor")
    audit = await api.client.get("/audit", headers=auditor, params={"action": "promotion"})
    assert audit.status_code == 200
    rows = re.findall(r"<tr>(.*?)</tr>", re.findall(r"<tbody>(.*?)</tbody>", audit.text, flags=re.S)[0],
                      flags=re.S)
    # The action and object columns (the details column is the recorded JSON, kept verbatim).
    shown = [" ".join(_visible_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[3:5])
             for row in rows]
    assert len(shown) >= 4 and any("选任纪实 · 记录阶段" in text for text in shown)
    assert [t for t in shown if RAW.search(t)] == []


def test_dossier_pdf_payload_labels_penalties_and_judgements_from_the_one_table() -> None:
    doc: DossierDoc = build_dossier(evidence=12, field_records=2)
    doc = doc.model_copy(update={"rewards_penalties": [
        RewardPenalty(date=date(2021, 3, 1), kind="penalty", title="诫勉谈话"),
        RewardPenalty(date=date(2022, 4, 1), kind="reward", title="记三等功")]})
    payload: dict[str, Any] = dossier_payload(
        doc, Watermark(user_name="甲", exported_at=clock.now(), serial="X-1"), {})
    assert any("惩戒：诫勉谈话" in line for line in payload["rewards"])
    judgements = {e["judgement"] for g in payload["evidence"] for e in g["items"]}
    assert judgements <= {labels.JUDGEMENT["positive"], labels.JUDGEMENT["negative"]}
