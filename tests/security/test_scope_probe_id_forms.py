"""Probe: an ID number typed with invisible characters, dots or slashes inside, or split by control
characters that JSON writes as escapes, still reaches no non-officer whole — in the JSON answer, the
page and the search snippet (the detector: schemas/national_id.py; the answer masking:
service/id_masking.py).

What a reader sees is judged without the detector under test: the number's characters in a row once
every invisible character, separator and masking star is dropped.
"""

import unicodedata
from typing import Any

from indexer.worker import Worker
from service.id_masking import mask_body
from tests.factories import Api, campaign_with_team, record_body
from tests.security.test_id_numbers_in_free_text import PLAIN

FORMS = {
    "zero-width space": f"{PLAIN[:6]}\u200b{PLAIN[6:]}",
    "word joiner": f"{PLAIN[:6]}\u2060{PLAIN[6:14]}\u2060{PLAIN[14:]}",
    "soft hyphen": f"{PLAIN[:6]}\u00ad{PLAIN[6:]}",
    "byte-order mark": f"{PLAIN[:6]}\ufeff{PLAIN[6:]}",
    "dots": f"{PLAIN[:6]}.{PLAIN[6:14]}.{PLAIN[14:]}",
    "slashes": f"{PLAIN[:6]}/{PLAIN[6:14]}/{PLAIN[14:]}",
    "underscore": f"{PLAIN[:6]}_{PLAIN[6:]}",
    # A page shows a run of spaces as one.
    "run of spaces": f"{PLAIN[:6]}      {PLAIN[6:]}",
    # JSON writes these as \f, \u000b and \u001c: the answer masking must read through the escapes.
    "form feed": f"{PLAIN[:6]}\f{PLAIN[6:14]}\f{PLAIN[14:]}",
    "vertical tab": f"{PLAIN[:6]}\v{PLAIN[6:]}",
    "file separator": f"{PLAIN[:6]}\x1c{PLAIN[6:]}",
}


def seen(text: str) -> str:
    """The letters and digits a reader sees, in a row (full-width folded)."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isalnum())


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def whole_in(value: Any) -> bool:
    """Whether any string of a JSON value shows the whole number."""
    return any(PLAIN in seen(s) for s in _strings(value))


async def test_numbers_typed_in_other_forms_reach_no_other_role_whole(api: Api, indexer: Worker) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    researcher_id, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [researcher_id], [api.units["d1"]])
    records = {}
    for name, typed in FORMS.items():
        r = await api.client.post("/api/records", headers=researcher, json=record_body(
            campaign, [cadre["id"]], title=f"来访核查{api.tag}", body=f"来访人证件号{typed}，已登记。"))
        assert r.status_code == 201, (name, r.text)
        records[name] = r.json()["id"]
    await indexer.drain()
    for who, headers in (("leader", leader), ("researcher", researcher)):
        for name, record_id in records.items():
            r = await api.client.get(f"/api/records/{record_id}", headers=headers)
            assert r.status_code == 200, (who, name, r.text)
            assert "来访人证件号" in r.json()["body"]
            assert not whole_in(r.json()), (who, name, r.json()["body"])
            page = await api.client.get(f"/records/{record_id}", headers={**headers, "Accept": "text/html"})
            assert page.status_code == 200, (who, name)
            assert PLAIN not in seen(page.text), (who, name)
        found = await api.client.get("/api/search", headers=headers,
                                     params={"q": f"来访核查{api.tag}", "per_page": 50})
        assert found.status_code == 200, found.text
        assert len(found.json()["hits"]) == len(FORMS), (who, found.text[:300])
        assert not whole_in(found.json()), who
    # The officer still reads what was typed.
    r = await api.client.get(f"/api/records/{records['dots']}", headers=officer)
    assert PLAIN in seen(r.json()["body"])


def test_the_answer_masking_reads_json_escapes() -> None:
    # Any escape a JSON writer may choose, also \\uXXXX for every character (ensure_ascii).
    for text in (f'{{"t":"{PLAIN[:6]}\\f{PLAIN[6:]}"}}', f'{{"t":"{PLAIN[:6]}\\u000b{PLAIN[6:]}"}}',
                 '{"t":"' + "".join(f"\\u{ord(c) + 0xfee0:04x}" for c in PLAIN) + '"}',
                 f'{{"t":"{PLAIN[:6]}\\u3000{PLAIN[6:]}"}}'):
        masked = mask_body(text.encode(), b"application/json")
        assert PLAIN not in seen(masked.decode()), text
        assert "********" in masked.decode(), text


def test_the_page_masking_reads_json_escapes_and_character_references() -> None:
    # A form's script carries the record as JSON in the page (Jinja's tojson writes \uXXXX for
    # every non-ASCII character); a page may also write a character reference.
    forms = [
        '<script>const d = {"t": "' + PLAIN[:6] + "\\u200b" + PLAIN[6:] + '"};</script>',
        "<div data-x='{\"t\": \"" + PLAIN[:6] + "\\f" + PLAIN[6:14] + "\\u00a0" + PLAIN[14:] + "\"}'>",
        "<p>" + PLAIN[:6] + "&#8203;" + PLAIN[6:14] + "&#x200B;" + PLAIN[14:] + "</p>",
        "<p>" + PLAIN[:6] + "&nbsp;" + "".join(f"&#{0xff10 + int(c)};" for c in PLAIN[6:17]) + "X</p>",
        '<script>const d = {"t": "' + "".join(f"\\u{ord(c):04x}" for c in PLAIN) + '"};</script>',
    ]
    for page in forms:
        masked = mask_body(page.encode(), b"text/html; charset=utf-8").decode()
        assert PLAIN[6:14] not in seen(masked) and "*" in masked, page
    # A page without a hidden number keeps its bytes, escapes and all.
    plain_page = '<script>const d = {"t": "\\u57ce\\u4e2d\\u6751 2024\\u5e74"};</script>&nbsp;'
    assert mask_body(plain_page.encode(), b"text/html").decode() == plain_page
