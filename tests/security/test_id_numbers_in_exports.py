"""ID numbers typed into free text are masked in the Word and PDF exports a leader may download (the
approval form and the 考察材料 draft), as in the dossier PDF and every JSON answer; officers keep them."""

import io

from docx import Document

from schemas.national_id import check_char, contains_national_id
from tests.factories import Api

PLAIN = "11010519491231002" + check_char("11010519491231002")
SPACED = f"{PLAIN[:6]} {PLAIN[6:14]} {PLAIN[14:]}"


def _docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a .docx."""
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


async def test_the_approval_form_docx_for_a_leader_holds_no_whole_id_number(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"], career=[
        {"start_date": "2003-07-01", "end_date": "2015-12-31", "unit_name": "某街道",
         "post": f"科员（登记号{PLAIN}）"},
        {"start_date": "2016-01-01", "unit_name": "住建局", "post": f"局长（旧证{SPACED}）"}])
    texts = {}
    for role, headers in (("officer", officer), ("leader", leader)):
        r = await api.client.get(f"/api/cadres/{cadre['id']}/approval-form.docx", headers=headers)
        assert r.status_code == 200, r.text[:300]
        texts[role] = _docx_text(r.content)
    assert "科员（登记号110105" in texts["leader"] and "********" in texts["leader"]
    assert not contains_national_id(texts["leader"])
    assert contains_national_id(texts["officer"])  # the officer's copy keeps what they may read


async def test_the_inspection_draft_docx_for_a_leader_holds_no_whole_id_number(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"], name="候选人乙")
    r = await api.client.post("/api/inspection-drafts", headers=officer, json={"cadre_id": cadre["id"]})
    assert r.status_code == 201, r.text
    url = f"/api/inspection-drafts/{r.json()['id']}"
    edit = {"version": 1, "sections": [{"key": "de", "statements": [
        {"text": f"该同志曾协助核实身份证号{PLAIN}的来访群众诉求。"}]}]}
    assert (await api.client.put(url, headers=officer, json=edit)).status_code == 200
    texts = {}
    for role, headers in (("officer", officer), ("leader", leader)):
        r = await api.client.get(f"{url}/draft.docx", headers=headers)
        assert r.status_code == 200, r.text[:300]
        texts[role] = _docx_text(r.content)
    assert "该同志曾协助核实身份证号110105" in texts["leader"]
    assert not contains_national_id(texts["leader"])
    assert contains_national_id(texts["officer"])
