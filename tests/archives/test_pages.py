"""The Chinese pages of leadership teams, archives and 考察材料 drafts, over HTTP (the browser
journeys are in tests/web); reads are audited like the API's, out of scope is 404."""

from tests.archives.helpers import studied_team
from tests.factories import Api


async def test_team_overview_and_archive_pages_show_the_archive_with_source_links(api: Api) -> None:
    w = await studied_team(api)
    cid, unit = w["campaign"]["id"], w["bureau"]
    html = {}
    for path in ("/leadership?on=2025-06-01", f"/leadership/{unit}?year=2025", f"/archives/{cid}",
                 f"/archives/{cid}/{unit}"):
        r = await api.client.get(path, headers={**w["officer"], "Accept": "text/html"})
        assert r.status_code == 200, (path, r.text[:300])
        html[path] = r.text
    team = html[f"/leadership/{unit}?year=2025"]
    assert "现局长乙" in team and "一把手" in team and "称职以上率" in team
    assert "调研中" in html[f"/archives/{cid}"] and "副局长戊" in html[f"/archives/{cid}"]
    page = html[f"/archives/{cid}/{unit}"]
    assert f'href="/records/{w["talk"]["id"]}"' in page and f'href="/evidence/{w["good"]["id"]}"' in page
    assert 'data-api="PUT /api/archives/' in page and "导出 PDF" in page
    r = await api.client.get(f"/archives/{cid}/{unit}", headers={**w["researcher"], "Accept": "text/html"})
    assert r.status_code == 200 and "导出 PDF" not in r.text and "保存结论" in r.text
    _, other = await api.user("officer", [api.units["d2"]])
    r = await api.client.get(f"/archives/{cid}/{unit}", headers={**other, "Accept": "text/html"})
    assert r.status_code == 404


async def test_draft_pages_compile_and_edit_forms(api: Api) -> None:
    w = await studied_team(api)
    r = await api.client.post("/api/inspection-drafts", headers=w["officer"],
                              json={"cadre_id": w["head"]["id"]})
    assert r.status_code == 201, r.text
    d = r.json()
    html = {"Accept": "text/html"}
    page = await api.client.get(f"/inspection-drafts/{d['id']}", headers={**w["officer"], **html})
    assert page.status_code == 200
    assert "现局长乙同志考察材料" in page.text and "【待撰写】" in page.text and "保存本节" in page.text
    listing = await api.client.get(f"/inspection-drafts?cadre_id={w['head']['id']}",
                                   headers={**w["officer"], "Accept": "text/html"})
    assert listing.status_code == 200 and f"/inspection-drafts/{d['id']}" in listing.text
    r = await api.client.get(f"/inspection-drafts/{d['id']}", headers={**w["researcher"], **html})
    assert r.status_code == 403
