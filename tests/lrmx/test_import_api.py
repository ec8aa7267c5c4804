"""LRMX import through the API: preview with a field diff, then all-or-nothing apply with a report."""

from datetime import date
from typing import Any

from service.lrmx.archive import build_zip
from tests.factories import Api, national_id
from tests.lrmx.samples import jpeg, lrmx


def nid(birth: date, seq: int, gender: str = "male") -> str:
    return national_id(birth, seq, gender)


async def upload(api: Api, officer: dict[str, str], name: str, data: bytes,
                 **params: Any) -> Any:
    return await api.client.post("/api/lrmx/imports", headers=officer, params=params,
                                 files={"file": (name, data, "application/octet-stream")})


async def test_a_new_cadre_is_previewed_then_imported_with_resume_family_appraisals_and_photo(
        api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    id_number = nid(date(1980, 5, 17), 901)
    data = lrmx(id_number=id_number, photo=jpeg()).encode()
    r = await upload(api, officer, "张三.lrmx", data, unit_id=api.units["d1_bureau"],
                     tier="district_managed")
    assert r.status_code == 201, r.text
    preview = r.json()
    [f] = preview["files"]
    assert f["status"] == "create" and preview["summary"]["create"] == 1
    changed = {c["field"]: c["after"] for c in f["changes"]}
    assert changed["姓名"] == "张三" and changed["出生年月"] == "1980.05"
    assert changed["年度考核结果"] == "2021、2022年度考核均为称职，2023年度考核为优秀"
    assert "（其间：2009.09--2012.07在中共福建省委党校" in changed["简历"]
    async with api.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM cadres WHERE national_id = $1", id_number) == 0

    r = await api.client.post(preview["apply_url"], headers=officer)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["status"] == "applied" and report["files"][0]["cadre_id"]
    cadre_id = report["files"][0]["cadre_id"]
    r = await api.client.get(f"/api/cadres/{cadre_id}", headers=officer)
    cadre = r.json()
    assert (cadre["name"], cadre["birth_date"], cadre["gender"]) == ("张三", "1980-05-17", "male")
    assert cadre["unit_id"] == api.units["d1_bureau"] and cadre["post"].startswith("福州市鼓楼区")
    assert cadre["edu_fulltime_level"] == "bachelor" and cadre["edu_inservice_level"] == "master"
    assert cadre["photo_attachment_id"] is not None
    assert {a["year"]: a["grade"] for a in cadre["appraisals"]} == {
        2021: "competent", 2022: "competent", 2023: "excellent"}
    mains = [c for c in cadre["career"] if c["parent_id"] is None]
    subs = [c for c in cadre["career"] if c["parent_id"] is not None]
    assert len(mains) == 4 and mains[-1]["end_date"] is None
    assert [s["start_date"] for s in subs] == ["2009-09-01", "2019-03-01"]
    r = await api.client.get(f"/api/cadres/{cadre_id}/family-members", headers=officer)
    assert [m["name"] for m in r.json()] == ["李四", "张大"]
    async with api.pool.acquire() as conn:
        source = await conn.fetchrow(
            "SELECT s.sha256, a.content_type FROM cadre_sources s"
            " JOIN attachments a ON a.id = s.attachment_id WHERE s.cadre_id = $1", cadre_id)
        actions = {r["action"] for r in await conn.fetch(
            "SELECT action FROM audit_log WHERE object_id = $1 OR object_id = $2",
            str(cadre_id), str(preview["id"]))}
    assert source["content_type"] == "application/xml"
    assert source["sha256"] == f["sha256"]
    assert {"cadre.import", "lrmx.import.preview", "lrmx.import.apply"} <= actions

    [source_file] = (await api.client.get(f"/api/cadres/{cadre_id}/sources", headers=officer)).json()
    assert source_file["sha256"] == f["sha256"]
    original = await api.client.get(source_file["content_url"], headers=officer)
    assert original.status_code == 200 and original.content == data

    again = await api.client.post(preview["apply_url"], headers=officer)
    assert again.status_code == 200 and again.json()["files"][0]["cadre_id"] == cadre_id


async def test_export_then_import_changes_nothing_and_an_edit_shows_exactly_its_fields(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    r = await api.client.get(f"/api/cadres/{cadre['id']}/form.lrmx", headers=officer)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml") and r.headers["x-export-serial"]
    exported = r.content
    r = await upload(api, officer, "back.lrmx", exported)
    [f] = r.json()["files"]
    assert (f["status"], f["changes"], f["errors"]) == ("unchanged", [], [])

    edited = exported.decode().replace("<XingMing>张志东</XingMing>", "<XingMing>张 志 栋</XingMing>")
    edited = edited.replace("<JiangChengQingKuang></JiangChengQingKuang>",
                            "<JiangChengQingKuang>2024年获评优秀共产党员</JiangChengQingKuang>")
    r = await upload(api, officer, "edited.lrmx", edited.encode())
    [f] = r.json()["files"]
    assert f["status"] == "update"
    assert {c["field"]: (c["before"], c["after"]) for c in f["changes"]} == {
        "姓名": ("张志东", "张志栋"), "奖惩情况": ("", "2024年获评优秀共产党员")}
    r = await api.client.post(r.json()["apply_url"], headers=officer)
    assert r.status_code == 200, r.text
    r = await api.client.get(f"/api/cadres/{cadre['id']}", headers=officer)
    assert r.json()["name"] == "张志栋" and r.json()["version"] == cadre["version"] + 1


async def test_a_file_with_errors_blocks_the_whole_zip_and_nothing_is_written(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    good = lrmx(name="王一", birth="198103", id_number=nid(date(1981, 3, 2), 902)).encode()
    wrong_gender = lrmx(name="王二", birth="198103", id_number=nid(date(1981, 3, 3), 903, "female")).encode()
    xxe = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Person/>'
    data = build_zip([("王一.lrmx", good), ("王二.lrmx", wrong_gender), ("坏.lrmx", xxe)])
    r = await upload(api, officer, "批量.zip", data, unit_id=api.units["d1_bureau"],
                     tier="district_managed")
    assert r.status_code == 201, r.text
    files = {f["name"]: f for f in r.json()["files"]}
    assert files["王一.lrmx"]["status"] == "create"
    assert files["王二.lrmx"]["status"] == "error"
    assert any("性别" in e["message"] and e["field"] == "身份证号" for e in files["王二.lrmx"]["errors"])
    assert "DTD" in files["坏.lrmx"]["errors"][0]["message"]
    r = await api.client.post(r.json()["apply_url"], headers=officer)
    assert r.status_code == 422 and "未导入任何数据" in r.json()["detail"]
    async with api.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM cadres WHERE name IN ('王一', '王二')") == 0


async def test_a_preview_the_data_has_moved_past_is_refused(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    exported = (await api.client.get(f"/api/cadres/{cadre['id']}/form.lrmx", headers=officer)).content
    edited = exported.decode().replace("<JianKangZhuangKuang>健康</JianKangZhuangKuang>",
                                       "<JianKangZhuangKuang>一般</JianKangZhuangKuang>")
    preview = (await upload(api, officer, "x.lrmx", edited.encode())).json()
    body = api.cadre_body(api.units["d1_bureau"], national_id=cadre["national_id"],
                          birth_date=cadre["birth_date"], version=cadre["version"], health="较差")
    for key in ("career", "appraisals", "rewards_penalties"):
        body.pop(key, None)
    r = await api.client.put(f"/api/cadres/{cadre['id']}", headers=officer, json=body)
    assert r.status_code == 200, r.text
    r = await api.client.post(preview["apply_url"], headers=officer)
    assert r.status_code == 409


async def test_only_officers_import_and_ids_outside_scope_are_refused(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, other = await api.user("officer", [api.units["d2"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    exported = (await api.client.get(f"/api/cadres/{cadre['id']}/form.lrmx", headers=officer)).content
    assert (await upload(api, leader, "x.lrmx", exported)).status_code == 403
    assert (await api.client.get(f"/api/cadres/{cadre['id']}/form.lrmx", headers=leader)).status_code == 403
    assert (await api.client.get(f"/api/cadres/{cadre['id']}/form.lrmx", headers=other)).status_code == 404
    r = await upload(api, other, "x.lrmx", exported, unit_id=api.units["d2_bureau"], tier="district_managed")
    [f] = r.json()["files"]
    assert f["status"] == "error" and "管理范围以外" in f["errors"][0]["message"]


async def test_five_hundred_files_in_one_zip_are_imported_in_one_transaction(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d2"]])
    files = [(f"干部{n:03d}.lrmx",
              lrmx(name=f"赵{n:03d}", birth=f"1975{(n % 12) + 1:02d}",
                   id_number=nid(date(1975, (n % 12) + 1, 1 + n % 28), 1000 + n)).encode())
             for n in range(500)]
    r = await upload(api, officer, "五百人.zip", build_zip(files), unit_id=api.units["d2_bureau"],
                     tier="district_managed")
    assert r.status_code == 201, r.text
    assert r.json()["summary"] == {"files": 500, "create": 500, "update": 0, "unchanged": 0, "error": 0}
    r = await api.client.post(r.json()["apply_url"], headers=officer)
    assert r.status_code == 200, r.text
    report = r.json()
    assert len({f["cadre_id"] for f in report["files"]}) == 500
    async with api.pool.acquire() as conn:
        xids = await conn.fetch(
            "SELECT DISTINCT xmin::text AS x FROM cadres WHERE id = ANY($1::bigint[])",
            [f["cadre_id"] for f in report["files"]])
        career = await conn.fetchval(
            "SELECT count(*) FROM career_entries WHERE cadre_id = ANY($1::bigint[])",
            [f["cadre_id"] for f in report["files"]])
    assert len(xids) == 1  # one transaction wrote every row
    assert career == 500 * 6


async def test_control_characters_in_the_uploaded_file_name_are_dropped_not_a_storage_error(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    boundary = "fuzzboundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="张\x00三\x07.lrmx"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + lrmx().encode() \
        + f"\r\n--{boundary}--\r\n".encode()
    r = await api.client.post("/api/lrmx/imports", headers={
        **officer, "Content-Type": f"multipart/form-data; boundary={boundary}"}, content=body)
    assert r.status_code == 201, r.text
    assert r.json()["file_name"] == "张三.lrmx"
