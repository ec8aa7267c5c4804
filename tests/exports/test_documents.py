"""Shortlist and promotion PDFs issued through the same serial, register and audit as dossiers."""

import hashlib
from datetime import date
from pathlib import Path

import asyncpg

from schemas.common import Role
from service.config import Settings
from service.principal import Principal
from service.promotions.pdf import export_promotion, notice_period, votes
from service.shortlists.pdf import export_shortlist
from tests.dossier.helpers import SERIAL_RE, all_text, page_count, page_text, run, squash
from tests.factories import Api
from tests.pdf.factories import build_promotion, build_shortlist, watermark_stamps


async def _officer(api: Api) -> Principal:
    _, headers = await api.user("officer", [api.units["d1"]])
    me = (await api.client.get("/api/auth/me", headers=headers)).json()
    return Principal(me["id"], me["username"], me["display_name"], Role.officer, "10.0.0.1")


async def _check(pool: asyncpg.Pool, pdf: bytes, serial: str, kind: str, object_id: int,
                 user: Principal, path: Path) -> None:
    path.write_bytes(pdf)
    assert SERIAL_RE.match(serial)
    total = page_count(path)
    for page in range(1, total + 1):
        text = page_text(path, page)
        assert f"第 {page} 页 共 {total} 页" in text and serial in squash(text)
        # The exporter's name is in the watermark picture on every page, not in the copyable text.
        assert watermark_stamps(path, page) >= 10 and "北京时间" not in squash(text)
    assert user.display_name in run("pdfinfo", path)
    row = await pool.fetchrow("SELECT * FROM exports WHERE serial = $1", serial)
    assert row["kind"] == kind and list(row["object_ids"]) == [object_id]
    assert row["sha256"] == hashlib.sha256(pdf).hexdigest() and row["user_id"] == user.user_id
    audit = await pool.fetchrow("SELECT * FROM audit_log WHERE action = $1 AND details->>'serial' = $2",
                                f"export.{kind}", serial)
    assert audit["details"]["sha256"] == row["sha256"] and audit["object_id"] == str(object_id)


async def test_shortlist_pdf_is_issued_with_serial_and_audit(
        api: Api, settings: Settings, tmp_path: Path) -> None:
    user = await _officer(api)
    doc = build_shortlist()
    issued = await export_shortlist(api.pool, user, settings=settings, shortlist_id=41, doc=doc)
    assert issued.filename.endswith(f"_第{doc.version}版_{issued.serial}.pdf")
    await _check(api.pool, issued.pdf, issued.serial, "shortlist", 41, user, tmp_path / "s.pdf")
    assert doc.candidates[0].name in all_text(tmp_path / "s.pdf")


async def test_promotion_pdf_prints_timeline_votes_and_notice_period(
        api: Api, settings: Settings, tmp_path: Path) -> None:
    user = await _officer(api)
    base = build_promotion()
    stage = base.stages[0].model_copy(update={"details": [
        votes("推荐得票", 71, 86), notice_period(date(2025, 2, 17), date(2025, 2, 21), 5)]})
    doc = base.model_copy(update={"stages": [stage, *base.stages[1:]]})
    issued = await export_promotion(api.pool, user, settings=settings, promotion_id=7, doc=doc)
    await _check(api.pool, issued.pdf, issued.serial, "promotion", 7, user, tmp_path / "p.pdf")
    text = all_text(tmp_path / "p.pdf")
    assert "推荐得票：71票（82.6%）" in text and "公示期：2025.02.17—2025.02.21，5个工作日" in text
