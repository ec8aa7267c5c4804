"""Attachments: streamed upload, type by content, de-duplicated store, size limit, scoped download."""

import hashlib
import io
import secrets
import struct
import zipfile
import zlib
from pathlib import Path
from urllib.parse import quote

import httpx
from openpyxl import Workbook

from service.attachments.service import decode_name, sanitize_name
from service.config import Settings
from tests.factories import Api, campaign_with_team, record_body

PROBLEM = "application/problem+json"


def png(tag: str = "") -> bytes:
    """A valid 1x1 PNG; the tag goes into a tEXt chunk so each test has its own bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"tEXt", b"Comment\x00" + (tag or secrets.token_hex(8)).encode())
            + chunk(b"IDAT", zlib.compress(b"\x00\xc8\x10\x10")) + chunk(b"IEND", b""))


def pdf() -> bytes:
    """A minimal valid one-page PDF with a correct cross-reference table."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out = b"%PDF-1.4\n%" + secrets.token_hex(8).encode() + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def docx() -> bytes:
    """A small Word package: content types, relationships and the main document part."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"/>')
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("docProps/app.xml", "<Properties/>")
        z.writestr("customXml/item1.xml", "<x/>")
        z.writestr("word/document.xml", f"<w:document>{secrets.token_hex(8)}</w:document>")
    return buf.getvalue()


def xlsx() -> bytes:
    """A real workbook written by openpyxl."""
    book = Workbook()
    book.active.append(["姓名", "得分", secrets.token_hex(4)])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


async def upload(api: Api, headers: dict[str, str], data: bytes, name: str = "材料.png",
                 declared: str = "image/png", **extra: str) -> httpx.Response:
    """POST one file the way a browser form would."""
    return await api.client.post("/api/attachments", headers={**headers, **extra},
                                 files={"file": (name, data, declared)})


def raw_multipart(disposition: bytes, data: bytes, close: bool = True) -> tuple[bytes, dict[str, str]]:
    """A hand-built multipart body, for what ordinary clients would escape or refuse to send."""
    body = (b"--bnd\r\nContent-Disposition: " + disposition + b"\r\nContent-Type: image/png\r\n\r\n"
            + data + (b"\r\n--bnd--\r\n" if close else b""))
    return body, {"Content-Type": "multipart/form-data; boundary=bnd"}


def blob_path(settings: Settings, sha: str) -> Path:
    """Where the store keeps a digest."""
    return settings.attachments_dir / sha[:2] / sha[2:4] / sha


def tmp_files(settings: Settings) -> list[Path]:
    """Whatever is left in the staging directory."""
    tmp = settings.attachments_dir / "tmp"
    return list(tmp.iterdir()) if tmp.exists() else []


async def test_png_upload_is_stored_by_content_with_metadata_and_audit(api: Api, settings: Settings) -> None:
    uid, officer = await api.user("officer", [api.units["d1"]])
    data = png()
    r = await upload(api, officer, data, name="干部近照（2024）.png")
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["sha256"] == hashlib.sha256(data).hexdigest() and out["size_bytes"] == len(data)
    assert out["content_type"] == "image/png" and out["original_name"] == "干部近照（2024）.png"
    assert out["uploaded_by"] == uid
    assert blob_path(settings, out["sha256"]).read_bytes() == data
    assert tmp_files(settings) == []
    details = await api.pool.fetchval("SELECT details FROM audit_log WHERE action = 'attachment.upload' "
                                      "AND object_id = $1", str(out["id"]))
    assert details == {"sha256": out["sha256"], "size": len(data)}
    meta = await api.client.get(f"/api/attachments/{out['id']}", headers=officer)
    assert meta.status_code == 200 and meta.json() == out


async def test_type_comes_from_content_not_from_client_claims(api: Api) -> None:
    _, researcher = await api.user("researcher")
    cases = [(pdf(), "application/pdf"),
             (docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
             (xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    for data, expected in cases:
        r = await upload(api, researcher, data, name="扫描件.bin", declared="application/octet-stream")
        assert r.status_code == 201, r.text
        assert r.json()["content_type"] == expected
        assert r.json()["sha256"] == hashlib.sha256(data).hexdigest()


async def test_disguised_and_unlisted_files_are_refused_with_415(api: Api, settings: Settings) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("a.txt", "不是文档")
    fakes = [b"\x7fELF\x02\x01\x01" + b"\x00" * 200, b"#!/bin/sh\nrm -rf /\n",
             b"<html><script>alert(1)</script></html>", plain_zip.getvalue()]
    for data in fakes:
        r = await upload(api, officer, data, name="photo.png", declared="image/png")
        assert r.status_code == 415, r.text
        assert r.headers["content-type"].startswith(PROBLEM)
        assert "PNG" in r.json()["detail"] and "PDF" in r.json()["detail"]
        sha = hashlib.sha256(data).hexdigest()
        assert not blob_path(settings, sha).exists()
        assert await api.pool.fetchval("SELECT count(*) FROM attachments WHERE sha256 = $1", sha) == 0
    assert tmp_files(settings) == []


async def test_same_bytes_twice_make_two_rows_and_one_blob(api: Api, settings: Settings) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    data = png()
    first = await upload(api, officer, data, name="一.png")
    second = await upload(api, officer, data, name="二.png")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    sha = first.json()["sha256"]
    assert second.json()["sha256"] == sha
    assert await api.pool.fetchval("SELECT count(*) FROM attachments WHERE sha256 = $1", sha) == 2
    assert [p.name for p in settings.attachments_dir.rglob(sha)] == [sha]
    assert tmp_files(settings) == []


async def test_upload_over_the_limit_is_413_and_writes_nothing(api: Api, settings: Settings) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    limit = settings.upload_max_bytes
    at_limit = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(limit - 8)
    assert (await upload(api, officer, at_limit)).status_code == 201
    over = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(limit - 7)
    r = await upload(api, officer, over)
    assert r.status_code == 413, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert "1 MB" in r.json()["detail"]
    sha = hashlib.sha256(over).hexdigest()
    assert await api.pool.fetchval("SELECT count(*) FROM attachments WHERE sha256 = $1", sha) == 0
    assert not blob_path(settings, sha).exists()
    assert tmp_files(settings) == []


async def test_uploader_downloads_bytes_with_chinese_name(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    data = pdf()
    name = "鼓楼区 住建局“窗口服务”纪实.pdf"
    att = (await upload(api, officer, data, name=name)).json()
    r = await api.client.get(f"/api/attachments/{att['id']}/content", headers=officer)
    assert r.status_code == 200
    assert r.content == data
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-type-options"] == "nosniff"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    audited = await api.pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'attachment.download' "
                                      "AND object_id = $1", str(att["id"]))
    assert audited == 1


async def test_other_scope_gets_404_and_anonymous_gets_401(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, other = await api.user("officer", [api.units["d2"]])
    _, leader = await api.user("leader", [api.units["city"]])
    att = (await upload(api, officer, png())).json()
    for path in (f"/api/attachments/{att['id']}", f"/api/attachments/{att['id']}/content"):
        assert (await api.client.get(path, headers=other)).status_code == 404
        assert (await api.client.get(path, headers=leader)).status_code == 404
        assert (await api.client.get(path)).status_code == 401
    assert (await api.client.get("/api/attachments/999999999", headers=officer)).status_code == 404
    assert (await upload(api, {}, png())).status_code == 401
    assert (await upload(api, leader, png())).status_code == 403


async def test_linked_record_evidence_and_photo_make_it_readable(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, other = await api.user("officer", [api.units["d2"]])
    _, leader = await api.user("leader", [api.units["city"]])
    rid, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])

    scan = (await upload(api, researcher, pdf(), name="谈话记录.pdf")).json()
    url = f"/api/attachments/{scan['id']}/content"
    assert (await api.client.get(url, headers=officer)).status_code == 404
    rec = await api.client.post("/api/records", headers=researcher,
                                json=record_body(campaign, [cadre["id"]], attachment_ids=[scan["id"]]))
    assert rec.status_code == 201, rec.text
    assert (await api.client.get(url, headers=officer)).status_code == 200
    assert (await api.client.get(url, headers=other)).status_code == 404

    proof = (await upload(api, officer, xlsx(), name="项目台账.xlsx")).json()
    assert (await api.client.get(f"/api/attachments/{proof['id']}", headers=leader)).status_code == 404
    ev = await api.client.post("/api/evidence", headers=officer, json={
        "cadre_id": cadre["id"], "domain": "investment_attraction", "title": "招商专班项目落地",
        "period_start": "2024-01-01", "period_end": "2024-12-31", "attachment_ids": [proof["id"]]})
    assert ev.status_code == 201, ev.text
    assert (await api.client.get(f"/api/attachments/{proof['id']}", headers=leader)).status_code == 200
    assert (await api.client.get(f"/api/attachments/{proof['id']}", headers=other)).status_code == 404

    photo = (await upload(api, officer, png(), name="证件照.png")).json()
    assert (await api.client.get(f"/api/attachments/{photo['id']}", headers=leader)).status_code == 404
    await api.cadre(officer, api.units["d1_bureau"], photo_attachment_id=photo["id"])
    assert (await api.client.get(f"/api/attachments/{photo['id']}", headers=leader)).status_code == 200
    assert (await api.client.get(f"/api/attachments/{photo['id']}", headers=other)).status_code == 404


async def test_idempotent_retry_returns_the_same_attachment(api: Api, settings: Settings) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    data = png()
    key = {"Idempotency-Key": f"att-{secrets.token_hex(6)}"}
    first = await upload(api, officer, data, name="重试.png", **key)
    again = await upload(api, officer, data, name="重试.png", **key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    sha = first.json()["sha256"]
    assert await api.pool.fetchval("SELECT count(*) FROM attachments WHERE sha256 = $1", sha) == 1
    different = png()
    other = await upload(api, officer, different, name="重试.png", **key)
    assert other.status_code == 422
    assert not blob_path(settings, hashlib.sha256(different).hexdigest()).exists()
    assert tmp_files(settings) == []


async def test_malformed_uploads_are_422_problems(api: Api, settings: Settings) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    not_form = await api.client.post("/api/attachments", headers=officer, json={"file": "x"})
    missing = await api.client.post("/api/attachments", headers=officer, data={"note": "无文件"},
                                    files={"other": ("a.png", png(), "image/png")})
    empty = await upload(api, officer, b"", name="空.png")
    body, ctype = raw_multipart(b'form-data; name="file"; filename="a.png"', png(), close=False)
    truncated = await api.client.post("/api/attachments", headers={**officer, **ctype}, content=body)
    twice = (b'--bnd\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n' + png()
             + b'\r\n--bnd\r\nContent-Disposition: form-data; name="file"; filename="b.png"\r\n\r\n'
             + png() + b"\r\n--bnd--\r\n")
    double = await api.client.post("/api/attachments", headers={**officer, **ctype}, content=twice)
    for r in (not_form, missing, empty, truncated, double):
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith(PROBLEM)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"])
    assert tmp_files(settings) == []


async def test_file_name_loses_paths_and_control_characters_but_keeps_chinese(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    disposition = 'form-data; name="file"; filename="../../etc/年度\x01考核\u202e报告.png"'.encode()
    body, ctype = raw_multipart(disposition, png())
    r = await api.client.post("/api/attachments", headers={**officer, **ctype}, content=body)
    assert r.status_code == 201, r.text
    assert r.json()["original_name"] == "年度考核报告.png"
    quoted = await upload(api, officer, png(), name='《"实绩"清单》.png')
    assert quoted.json()["original_name"] == '《"实绩"清单》.png'
    long_name = "很长的文件名" * 60 + ".pdf"
    assert sanitize_name(long_name, "application/pdf").endswith(".pdf")
    assert len(sanitize_name(long_name, "application/pdf")) == 255
    assert sanitize_name("C:\\Users\\张三\\照片.jpg", "image/jpeg") == "照片.jpg"
    assert sanitize_name("..", "image/png") == "未命名附件.png"
    assert decode_name("述职报告.pdf".encode("gbk")) == "述职报告.pdf"
    assert decode_name('“擂台比武”%22评分%22.xlsx'.encode()) == '“擂台比武”"评分".xlsx'


async def test_bad_ids_are_422_not_server_errors(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    for bad in ("0", "abc", str(2**63)):
        r = await api.client.get(f"/api/attachments/{bad}", headers=officer)
        assert r.status_code == 422, r.text
