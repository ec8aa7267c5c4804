"""Shortlist and promotion-record PDFs through the API, and a batch built from a saved shortlist."""

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from tests.dossier.helpers import all_text, page_count, page_text, squash
from tests.exports.test_batch_jobs import wait_for_job
from tests.factories import Api
from tests.positions.helpers import Office, cadre, evidence, office, position
from tests.promotions.helpers import DECISION, INSPECTION, MOTION, NOTICE, advance, recommendation


async def _pdf(api: Api, headers: dict[str, str], url: str, path: Path) -> str:
    r = await api.client.get(url, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    path.write_bytes(r.content)
    serial = r.headers["x-export-serial"]
    total = page_count(path)
    for page in range(1, total + 1):
        text = page_text(path, page)
        assert f"第 {page} 页 共 {total} 页" in text and serial in squash(text)
    digest = await api.pool.fetchval("SELECT sha256 FROM exports WHERE serial = $1", serial)
    assert digest == hashlib.sha256(r.content).hexdigest()
    return all_text(path)


async def _saved_shortlist(api: Api) -> tuple[Office, dict[str, Any], list[dict[str, Any]]]:
    o = await office(api)
    people = [await cadre(o, name="李强"), await cadre(o, name="王敏")]
    for who in people:
        await evidence(o, who["id"])
    pos = await position(o)
    saved = await api.client.post(f"/api/positions/{pos['id']}/shortlist/versions", headers=o.officer,
                                  json={"top_n": 5, "note": "第一次研究"})
    assert saved.status_code == 201, saved.text
    return o, pos, people


async def test_saved_shortlist_prints_candidates_scores_explanations_and_rules(
        api: Api, tmp_path: Path) -> None:
    o, pos, _ = await _saved_shortlist(api)
    url = f"/api/positions/{pos['id']}/shortlist/versions/1/shortlist.pdf"
    text = await _pdf(api, o.officer, url, tmp_path / "s.pdf")
    for expected in ("候选人名单", "区住建局局长", "第1版", "李强", "王敏", "得分构成", "【符合】",
                     "不在处分影响期内", "老旧小区改造攻坚", "资格审查基准日2025.06.30"):
        assert expected in text, expected
    audit = await api.pool.fetchrow("SELECT * FROM audit_log WHERE action = 'export.shortlist' "
                                    "AND object_id = $1", str(pos["id"]))
    assert audit is not None and audit["details"]["version"] == 1
    _, outsider = await api.user("officer", [api.units["d2"]])
    assert (await api.client.get(url, headers=outsider)).status_code == 404
    missing = url.replace("/versions/1/", "/versions/9/")
    assert (await api.client.get(missing, headers=o.officer)).status_code == 404
    _, researcher = await api.user("researcher")
    assert (await api.client.get(url, headers=researcher)).status_code == 403


async def test_batch_from_a_saved_shortlist_exports_its_candidates_in_rank_order(api: Api) -> None:
    o, pos, people = await _saved_shortlist(api)
    r = await api.client.post("/api/exports/batch", headers=o.officer,
                              json={"shortlist_id": pos["id"], "version": 1})
    assert r.status_code == 202, r.text
    job = await wait_for_job(api.client, o.officer, r.json()["status_url"])
    assert (job["status"], job["total"], job["exported"]) == ("done", 2, 2)
    zipped = (await api.client.get(job["download_url"], headers=o.officer)).content
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(zipped)).read("manifest.json"))
    saved = (await api.client.get(f"/api/positions/{pos['id']}/shortlist/versions/1",
                                  headers=o.officer)).json()
    ranked = [c["cadre_id"] for c in sorted(saved["result"]["candidates"], key=lambda c: c["pos"])]
    assert [f["cadre_id"] for f in manifest["files"]] == ranked
    assert sorted(ranked) == sorted(p["id"] for p in people)
    no_such = await api.client.post("/api/exports/batch", headers=o.officer,
                                    json={"shortlist_id": pos["id"], "version": 7})
    assert no_such.status_code == 404


async def test_promotion_record_prints_timeline_votes_and_notice_period(
        api: Api, tmp_path: Path) -> None:
    o = await office(api)
    who = await cadre(o, name="林振华")
    r = await api.client.post("/api/promotions", headers=o.officer, json={
        "cadre_id": who["id"], "kind": "post_promotion", "target_unit_id": api.units["d1_bureau"],
        "target_post": "局长", "target_post_level": "section_main"})
    assert r.status_code == 201, r.text
    rec = await advance(api.client, o.officer, r.json(), MOTION, recommendation(who["id"]), INSPECTION,
                        DECISION, NOTICE)
    url = f"/api/promotions/{rec['id']}/record.pdf"
    text = await _pdf(api, o.officer, url, tmp_path / "p.pdf")
    for expected in ("干部选拔任用纪实", "林振华", "提拔", "鼓楼区住建局局长", "任前公示（进行中）",
                     "动议", "民主推荐", "本人得票：31票（79.5%）", "考察组：王考察、李考察",
                     "同意：7票（77.8%）", "表决结果：同意票超过应到会成员半数",
                     "公示期：2024.09.27—2024.10.09，5个工作日", "2024.08.20"):
        assert expected in text, expected
    _, outsider = await api.user("officer", [api.units["d2"]])
    assert (await api.client.get(url, headers=outsider)).status_code == 404
