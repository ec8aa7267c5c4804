"""Probe: a 考察材料 draft shows a leader no more of a cadre's penalties than the cadre's own answer.

Penalties are withheld from every role but the officer: GET /api/cadres/{id} shows a leader that a
penalty exists and when (title "（受限）", no issuer, no note). A draft compiled by an officer
writes each penalty into its 廉 section — "2022年3月1日受到党内警告处分（区纪委）。" — and a
leader in scope read that sentence in the draft's JSON (one and the list), its page, and its PDF
and Word exports. Now a sentence citing a penalty reads, for such a reader, "2022年3月1日受到处分
（受限）。"; the officer's draft is unchanged, and rewards stay as written.
"""

import io
import subprocess

from docx import Document

from tests.factories import Api

SECRETS = ("党内警告", "区纪委", "违反工作纪律")


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True).stdout
    return "".join(out.decode().split())


async def test_a_drafts_penalties_are_withheld_from_a_leader_in_every_output(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"], rewards_penalties=[
        {"kind": "penalty", "title": "党内警告处分", "issuer": "区纪委", "decided_on": "2022-03-01",
         "note": "违反工作纪律"},
        {"kind": "reward", "title": "记三等功", "issuer": "区委", "decided_on": "2023-06-01"}])
    r = await api.client.post("/api/inspection-drafts", headers=officer, json={"cadre_id": cadre["id"]})
    assert r.status_code == 201, r.text
    draft = r.json()
    lian = next(s for s in draft["sections"] if s["key"] == "lian")
    assert [st["text"] for st in lian["statements"]] == ["2022年3月1日受到党内警告处分（区纪委）。"]
    url = f"/api/inspection-drafts/{draft['id']}"

    # The officer keeps what they may read.
    r = await api.client.get(url, headers=officer)
    assert "党内警告处分（区纪委）" in r.text
    # The leader sees that there was a penalty, and when — as in the cadre's own answer.
    shown = await api.client.get(f"/api/cadres/{cadre['id']}", headers=leader)
    assert all(s not in shown.text for s in SECRETS)
    r = await api.client.get(url, headers=leader)
    assert r.status_code == 200, r.text
    lian = next(s for s in r.json()["sections"] if s["key"] == "lian")
    assert [st["text"] for st in lian["statements"]] == ["2022年3月1日受到处分（受限）。"]
    assert "记三等功" in r.text  # rewards are not withheld
    listed = await api.client.get("/api/inspection-drafts", headers=leader, params={"cadre_id": cadre["id"]})
    assert listed.status_code == 200 and [d["id"] for d in listed.json()] == [draft["id"]]
    page = await api.client.get(f"/inspection-drafts/{draft['id']}", headers=leader)
    assert page.status_code == 200, page.text[:300]
    pdf = await api.client.get(f"{url}/draft.pdf", headers=leader)
    docx = await api.client.get(f"{url}/draft.docx", headers=leader)
    assert pdf.status_code == docx.status_code == 200
    for text in (r.text, listed.text, page.text, _pdf_text(pdf.content), _docx_text(docx.content)):
        assert all(s not in text for s in SECRETS), text[:2000]
    assert "受到处分（受限）" in _docx_text(docx.content)
