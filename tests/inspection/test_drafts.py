"""考察材料 drafts: compiled in the customary structure, every sentence citing a source the reader may
open, unsupported sections empty with a prompt, edits saved as revisions, docx and PDF read back."""

import io
import subprocess
from typing import Any

from docx import Document

from tests.factories import Api
from tests.positions.helpers import Office, cadre, evidence, office
from tests.promotions.helpers import MOTION, advance, recommendation

PATHS = {"evidence": "/api/evidence/{}", "record": "/api/records/{}", "cadre": "/api/cadres/{}",
         "promotion": "/api/promotions/{}", "evaluation": "/api/leadership/evaluations/{}"}


async def _at_inspection(o: Office) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    who = await cadre(o, name="候选人甲")
    good = await evidence(o, who["id"], title="牵头拆除违章建筑", description="拆除违建2.1万平方米。")
    r = await o.api.client.post("/api/promotions", headers=o.officer, json={
        "cadre_id": who["id"], "kind": "post_promotion", "target_unit_id": o.api.units["d1_bureau"],
        "target_post": "局长", "target_post_level": "section_main"})
    assert r.status_code == 201, r.text
    record = await advance(o.api.client, o.officer, r.json(), MOTION, recommendation(who["id"]))
    return who, good, record


async def test_a_draft_from_a_promotion_at_inspection_cites_every_sentence(api: Api) -> None:
    o = await office(api)
    _, good, record = await _at_inspection(o)
    r = await api.client.post("/api/inspection-drafts", headers=o.officer,
                              json={"promotion_id": record["id"]})
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["title"] == "候选人甲同志考察材料" and d["promotion_id"] == record["id"]
    sections = {s["key"]: s for s in d["sections"]}
    assert list(sections) == ["basic", "de", "neng", "qin", "ji", "lian", "shortcomings", "appraisals",
                              "votes"]
    basic = sections["basic"]["statements"][0]["text"]
    assert "候选人甲" in basic and "党龄" in basic and "工龄" in basic and "岁" in basic
    assert any("牵头拆除违章建筑" in s["text"] for s in sections["ji"]["statements"])
    assert "得31票" in sections["votes"]["statements"][0]["text"]
    assert [s["text"] for s in sections["appraisals"]["statements"]] == [
        "2022年度考核称职。", "2023年度考核优秀。", "2024年度考核称职。"]
    for key in ("de", "neng", "qin", "lian", "shortcomings"):  # nothing on file: empty, with a prompt
        assert sections[key]["statements"] == [] and sections[key]["prompt"], key
    for s in (st for sec in d["sections"] for st in sec["statements"]):
        assert s["sources"], s
        for src in s["sources"]:
            if src["kind"] in PATHS:
                got = await api.client.get(PATHS[src["kind"]].format(src["id"]), headers=o.officer)
                assert got.status_code == 200, src
    listed = await api.client.get("/api/inspection-drafts", headers=o.officer,
                                  params={"promotion_id": record["id"]})
    assert [x["id"] for x in listed.json()] == [d["id"]]
    assert good["id"] in [src["id"] for st in sections["ji"]["statements"] for src in st["sources"]]


async def test_a_promotion_past_inspection_or_out_of_scope_gets_no_draft(api: Api) -> None:
    o = await office(api)
    who, _, record = await _at_inspection(o)
    _, other = await api.user("officer", [api.units["d2"]])
    r = await api.client.post("/api/inspection-drafts", headers=other, json={"promotion_id": record["id"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "promotion_id"
    r = await api.client.post("/api/inspection-drafts", headers=o.officer,
                              json={"cadre_id": who["id"], "promotion_id": record["id"]})
    assert r.status_code == 422
    _, leader = await api.user("leader", [api.units["d1"]])
    assert (await api.client.post("/api/inspection-drafts", headers=leader,
                                  json={"cadre_id": who["id"]})).status_code == 403


async def test_edits_are_saved_as_revisions_and_exports_read_back(api: Api) -> None:
    o = await office(api)
    who, _, _ = await _at_inspection(o)
    r = await api.client.post("/api/inspection-drafts", headers=o.officer, json={"cadre_id": who["id"]})
    d = r.json()
    url = f"/api/inspection-drafts/{d['id']}"
    edit = {"sections": [{"key": "de", "statements": [{"text": "该同志政治立场坚定。"}]}]}
    assert (await api.client.put(url, headers=o.officer, json=edit)).status_code == 428
    r = await api.client.put(url, headers=o.officer, json={**edit, "version": 1})
    assert r.status_code == 200, r.text
    de = next(s for s in r.json()["sections"] if s["key"] == "de")
    assert de["statements"][0]["text"] == "该同志政治立场坚定。" and de["prompt"] is None
    assert (await api.client.put(url, headers=o.officer, json={**edit, "version": 1})).status_code == 409
    revs = (await api.client.get(f"{url}/revisions", headers=o.officer)).json()
    assert [x["action"] for x in revs] == ["compile", "edit"]
    pdf = await api.client.get(f"{url}/draft.pdf", headers=o.officer)
    assert pdf.status_code == 200, pdf.text
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf.content, capture_output=True,
                          check=True).stdout.decode()
    flat = "".join(text.split())
    assert "候选人甲同志考察材料" in flat and "该同志政治立场坚定" in flat and "【待撰写】" in flat
    assert pdf.headers["X-Export-Serial"] in flat
    docx = await api.client.get(f"{url}/draft.docx", headers=o.officer)
    body = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "一、基本情况" in body and "二、德的方面" in body and "〔干部信息〕" in body
    assert "#" not in body  # sources are named as a reader knows them, never by database id
    _, leader = await api.user("leader", [api.units["d1"]])
    assert (await api.client.get(url, headers=leader)).status_code == 200
    assert (await api.client.put(url, headers=leader, json={**edit, "version": 2})).status_code == 403
