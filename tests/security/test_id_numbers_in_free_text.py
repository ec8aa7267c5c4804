"""ID numbers typed into free text are masked for every role but officers, in search documents,
in the audit trail and in logs (issue 12.3). The detector itself: test_national_id_detector.py."""

import asyncio
import logging
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from indexer.client import live_index, make_client
from indexer.worker import Worker
from schemas.national_id import check_char, contains_national_id
from service.config import Settings
from service.logging_setup import JsonFormatter
from tests.factories import Api, campaign_with_team, record_body
from tests.security.world import evidence_body

PLAIN = "11010519491231002" + check_char("11010519491231002")
X_LAST = next(f"35020319900101{n:03d}" + check_char(f"35020319900101{n:03d}") for n in range(1000)
              if check_char(f"35020319900101{n:03d}") == "X")
FULL_WIDTH = PLAIN.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
SPACED = f"{PLAIN[:6]} {PLAIN[6:14]} {PLAIN[14:]}"
HYPHENED = f"{X_LAST[:6]}-{X_LAST[6:14]}-{X_LAST[14:].lower()}"
TEXT = (f"当事人身份证号{PLAIN}，其配偶{X_LAST.lower()}；全角{FULL_WIDTH}；"
        f"口述时写作{SPACED}或{HYPHENED}。")


def _content(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document without its checksum: a SHA-256 hex digest (of the already masked
    document) holds runs of 15 digits by chance and cannot carry anything typed by a person."""
    return {k: v for k, v in doc.items() if k != "checksum"}


async def _scene(api: Api) -> dict[str, Any]:
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    researcher_id, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [researcher_id], [api.units["d1"]])
    record = await api.client.post("/api/records", headers=researcher, json=record_body(
        campaign, [cadre["id"]], title="群众来访登记核查", body=TEXT, place="窗口"))
    assert record.status_code == 201, record.text
    ev = await api.client.post("/api/evidence", headers=officer, json=evidence_body(
        cadre["id"], title="信访化解实绩", description=TEXT))
    assert ev.status_code == 201, ev.text
    return {"officer": officer, "officer_id": officer_id, "leader": leader, "researcher": researcher,
            "cadre": cadre, "record": record.json()["id"], "evidence": ev.json()["id"]}


async def test_officers_read_the_original_and_every_other_role_the_masked_form(api: Api) -> None:
    s = await _scene(api)
    officer = await api.client.get(f"/api/evidence/{s['evidence']}", headers=s["officer"])
    assert officer.json()["description"] == TEXT
    for role in ("leader", "researcher"):
        for path in (f"/api/evidence/{s['evidence']}", f"/api/records/{s['record']}",
                     f"/api/records?cadre_id={s['cadre']['id']}", f"/api/evidence/{s['evidence']}/revisions",
                     f"/api/records/{s['record']}/revisions"):
            r = await api.client.get(path, headers=s[role])
            assert r.status_code == 200, (role, path, r.text[:200])
            assert not contains_national_id(r.text), (role, path)
            assert "110105********" in r.text or path.endswith("revisions"), (role, path)
    # Pages (server-rendered) for a leader.
    page = await api.client.get(f"/evidence/{s['evidence']}", headers={**s["leader"],
                                                                       "Accept": "text/html"})
    assert page.status_code == 200 and "信访化解实绩" in page.text
    assert not contains_national_id(page.text)


async def test_search_documents_and_snippets_hold_only_the_masked_form(
        api: Api, indexer: Worker, settings: Settings) -> None:
    s = await _scene(api)
    await indexer.drain()
    for role in ("leader", "officer", "researcher"):
        r = await api.client.get("/api/search", headers=s[role], params={"q": "信访化解实绩"})
        assert r.status_code == 200 and r.json()["hits"], (role, r.text[:300])
        assert not contains_national_id(r.text), role
    client = make_client(settings)
    for doc_id in (f"record-{s['record']}", f"evidence-{s['evidence']}"):
        doc = dict(await asyncio.to_thread(live_index(client, settings).get_document, doc_id))
        assert "110105********" in doc["text"]
        assert not contains_national_id(repr(_content(doc))), doc_id


async def test_the_dossier_pdf_for_a_leader_holds_no_whole_id_number(api: Api) -> None:
    s = await _scene(api)
    texts = {}
    for role in ("leader", "officer"):
        r = await api.client.get(f"/api/cadres/{s['cadre']['id']}/dossier.pdf", headers=s[role])
        if r.status_code == 503:
            pytest.skip("no CJK font for PDF export on this machine")
        assert r.status_code == 200, r.text[:300]
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "d.pdf"
            pdf.write_bytes(r.content)
            texts[role] = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True,
                                         capture_output=True, text=True).stdout
    assert "信访化解实绩" in texts["leader"]
    assert not contains_national_id(texts["leader"])
    assert contains_national_id(texts["officer"])  # the officer's copy keeps what they may read


async def test_no_whole_id_number_in_any_search_document_audit_entry_or_log_line(
        api: Api, indexer: Worker, settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    """The scan: after writes, searches, a shortlist seed and sign-ins carrying ID numbers, every
    stored search document, every audit entry of the session and every log line of this test."""
    caplog.set_level(logging.INFO)
    s = await _scene(api)
    await api.client.get("/api/search", headers=s["officer"], params={"q": f"{PLAIN} 谈话"})
    await api.client.get("/api/search", headers=s["leader"], params={"q": SPACED})
    await api.client.get(f"/api/cadres/{PLAIN[:17]}1", headers=s["leader"])  # a refused read
    await api.client.post("/api/auth/login", json={"username": PLAIN, "password": "Wrong@pass-123"})
    position = await api.client.post("/api/positions", headers=s["officer"], json={
        "unit_id": api.units["d1_bureau"], "title": "区住建局局长", "post_level": "section_main",
        "tier": "district_managed", "category": "urban_construction", "reference_date": "2025-06-30"})
    assert position.status_code == 201, position.text
    seed = await api.client.post(f"/api/positions/{position.json()['id']}/shortlist/seed",
                                 headers=s["officer"], json={"q": f"{X_LAST} 信访"})
    assert seed.status_code in (200, 201), seed.text
    await indexer.drain()
    client = make_client(settings)
    index = live_index(client, settings)
    offset, scanned = 0, 0
    while True:
        page = await asyncio.to_thread(index.get_documents, {"offset": offset, "limit": 1000})
        for doc in page.results:
            assert not contains_national_id(repr(_content(dict(doc)))), dict(doc).get("id")
        scanned += len(page.results)
        offset += 1000
        if offset >= page.total:
            break
    assert scanned >= 2
    rows = await api.pool.fetch("SELECT id, action, actor_name, details::text AS d FROM audit_log")
    leaking = [(r["id"], r["action"]) for r in rows
               if contains_national_id(r["d"]) or contains_national_id(r["actor_name"] or "")]
    assert not leaking
    seeds = [r for r in rows if r["action"].startswith("shortlist.seed") or "seed" in r["action"]]
    assert seeds and any("********" in r["d"] for r in seeds)
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert lines
    assert not [line for line in lines if contains_national_id(line)]
