"""The research archive of a leadership team: every statement cites a source its reader may open,
nothing outside the reader's scope or the campaign appears, conclusions are versioned, exports read back."""

import io
import subprocess
from typing import Any

from docx import Document

from tests.archives.helpers import studied_team
from tests.factories import Api

SOURCE_PATHS = {"evidence": "/api/evidence/{}", "record": "/api/records/{}",
                "evaluation": "/api/leadership/evaluations/{}"}


def _statements(a: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(a["findings"])
    for m in a["members"]:
        out += [s for g in m["evidence"] for s in g["statements"]]
        for key in ("records", "evaluations", "strengths", "shortcomings"):
            out += m[key]
    return out


async def _archive(api: Api, w: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    r = await api.client.get(f"/api/archives/{w['campaign']['id']}/teams/{w['bureau']}", headers=headers)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


async def test_every_statement_cites_sources_the_reader_may_open(api: Api) -> None:
    w = await studied_team(api)
    for headers in (w["officer"], w["researcher"]):
        a = await _archive(api, w, headers)
        statements = _statements(a)
        assert statements and all(s["sources"] for s in statements)
        for s in statements:
            for src in s["sources"]:
                r = await api.client.get(SOURCE_PATHS[src["kind"]].format(src["id"]), headers=headers)
                assert r.status_code == 200, (src, r.text)


async def test_the_archive_holds_the_team_of_the_campaign_period_and_nothing_else(api: Api) -> None:
    w = await studied_team(api)
    a = await _archive(api, w, w["officer"])
    assert {m["name"] for m in a["members"]} == {"现局长乙", "副局长丙", "副局长戊"}  # not the 2023 head
    cited = {(s["kind"], s["id"]) for st in _statements(a) for s in st["sources"]}
    assert ("record", w["talk"]["id"]) in cited and ("record", w["visit"]["id"]) in cited
    assert ("record", w["elsewhere"]["id"]) not in cited  # another campaign's record
    assert ("evidence", w["clerk_ev"]["id"]) not in cited  # not a team member
    head = next(m for m in a["members"] if m["name"] == "现局长乙")
    assert head["role"] == "一把手" and head["talks"]["people"] == 3
    assert [s["sources"] for s in head["strengths"]] == [[{"kind": "evidence", "id": w["good"]["id"]}]]
    deputy = next(m for m in a["members"] if m["name"] == "副局长丙")
    assert deputy["shortcomings"][0]["text"].startswith("招商项目落地偏慢（待核实）")
    assert any("称职以上率100.00%" in s["text"] for s in a["findings"])
    o = a["overview"]
    assert (o["talks"], o["site_visits"], o["records"]) == (1, 1, 2)
    assert o["members_without_records"] == ["副局长戊"]
    _, other = await api.user("officer", [api.units["d2"]])
    r = await api.client.get(f"/api/archives/{w['campaign']['id']}/teams/{w['bureau']}", headers=other)
    assert r.status_code == 404
    r = await api.client.get(f"/api/archives/{w['campaign']['id']}/teams/{api.units['d2_bureau']}",
                             headers=w["officer"])
    assert r.status_code == 404  # a team the campaign did not study
    assert await api.pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'archive.read' "
                                   "AND object_id = $1", str(w["campaign"]["id"])) >= 1


async def test_conclusions_are_versioned_and_the_overview_shows_status(api: Api) -> None:
    w = await studied_team(api)
    url = f"/api/archives/{w['campaign']['id']}/teams/{w['bureau']}/conclusions"
    r = await api.client.put(url, headers=w["researcher"], json={"cadre_id": w["head"]["id"],
                                                                 "body": "该同志担当作为突出。"})
    assert r.status_code == 200, r.text
    again = await api.client.put(url, headers=w["officer"], json={"cadre_id": w["head"]["id"], "body": "改"})
    assert again.status_code == 428
    stale = await api.client.put(url, headers=w["officer"], json={"cadre_id": w["head"]["id"], "body": "改",
                                                                  "version": 5})
    assert stale.status_code == 409
    ok = await api.client.put(url, headers=w["officer"], json={"cadre_id": w["head"]["id"], "version": 1,
                                                               "body": "该同志担当作为突出，建议重点培养。"})
    assert ok.status_code == 200
    head = next(m for m in ok.json()["members"] if m["cadre_id"] == w["head"]["id"])
    assert head["conclusion"]["version"] == 2
    assert await api.pool.fetchval("SELECT count(*) FROM revisions WHERE entity_type = 'archive_conclusion' "
                                   "AND entity_id = $1", head["conclusion"]["id"]) == 2
    bad = await api.client.put(url, headers=w["officer"], json={"cadre_id": w["clerk"]["id"], "body": "x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cadre_id"
    r = await api.client.get(f"/api/archives/{w['campaign']['id']}", headers=w["officer"])
    assert r.status_code == 200, r.text
    team = r.json()["teams"][0]
    assert team["unit_id"] == w["bureau"] and team["status"] == "in_progress"
    assert team["members_without_records"] == ["副局长戊"] and team["concluded_members"] == 1


async def test_pdf_and_docx_read_back_with_their_serial(api: Api) -> None:
    w = await studied_team(api)
    base = f"/api/archives/{w['campaign']['id']}/teams/{w['bureau']}"
    r = await api.client.get(f"{base}/archive.pdf", headers=w["officer"])
    assert r.status_code == 200, r.text
    serial = r.headers["X-Export-Serial"]
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=r.content, capture_output=True,
                          check=True).stdout
    flat = "".join(text.decode().split())
    assert "领导班子专题调研纪实档案" in flat and "现局长乙" in flat and serial in flat
    assert f"实绩EV-{w['good']['id']:06d}" in flat and "#" not in flat
    r = await api.client.get(f"{base}/archive.docx", headers=w["officer"])
    assert r.status_code == 200, r.text
    doc = Document(io.BytesIO(r.content))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "牵头完成老旧小区改造" in body and f"记录 FR-{w['talk']['id']:06d}" in body
    assert "#" not in body
    assert r.headers["X-Export-Serial"] in doc.sections[0].header.paragraphs[0].text
    assert (await api.client.get(f"{base}/archive.pdf", headers=w["researcher"])).status_code == 403
    # Each export is registered under its serial, for this campaign (other tests' exports name
    # other objects whose ids may equal the campaign's).
    kinds = await api.pool.fetch("SELECT kind, object_ids[1] AS first FROM exports WHERE serial = ANY($1)",
                                 [serial, r.headers["X-Export-Serial"]])
    assert sorted((k["kind"], k["first"]) for k in kinds) == [
        ("archive", w["campaign"]["id"]), ("archive_docx", w["campaign"]["id"])]
