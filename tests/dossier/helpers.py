"""A small, realistic dossier built through the API, and poppler helpers to read PDFs back."""

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.factories import Api, campaign_with_team, record_body
from tests.pdf.factories import png_photo

SERIAL_RE = re.compile(r"^DA-\d{4}-\d{6,}$")


def run(*args: str | Path) -> str:
    """Run a poppler tool and return its stdout."""
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


def squash(text: str) -> str:
    """Text without any whitespace (table cells and the watermark wrap lines)."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with whitespace removed (names may break across lines)."""
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True)
    return "".join(out.stdout.decode().split())


def page_count(pdf: Path) -> int:
    """Pages according to pdfinfo."""
    match = re.search(r"^Pages:\s+(\d+)$", run("pdfinfo", pdf), re.MULTILINE)
    assert match, "pdfinfo printed no page count"
    return int(match.group(1))


def page_text(pdf: Path, page: int) -> str:
    """One page's text in content-stream order (keeps the diagonal watermark in one run)."""
    return run("pdftotext", "-raw", "-f", str(page), "-l", str(page), pdf, "-")


def all_text(pdf: Path) -> str:
    """The whole document's text, whitespace removed."""
    return squash(run("pdftotext", "-raw", pdf, "-"))


@dataclass
class DossierWorld:
    """Users, one cadre with evidence, records and attachments, and what should (not) print."""

    officer: dict[str, str]
    officer_name: str
    leader: dict[str, str]
    researcher: dict[str, str]
    outsider: dict[str, str]
    cadre: dict[str, Any]
    evidence_titles: list[str] = field(default_factory=list)
    record_titles: list[str] = field(default_factory=list)
    hidden_titles: list[str] = field(default_factory=list)
    attachment_sha256: list[str] = field(default_factory=list)


async def _upload(api: Api, headers: dict[str, str], data: bytes, name: str) -> dict[str, Any]:
    r = await api.client.post("/api/attachments", headers=headers,
                              files={"file": (name, data, "image/png")})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def display_name(api: Api, headers: dict[str, str]) -> str:
    """The display name of the user behind an auth header."""
    me = await api.client.get("/api/auth/me", headers=headers)
    assert me.status_code == 200, me.text
    name: str = me.json()["display_name"]
    return name


async def dossier_world(api: Api, name: str = "林振华") -> DossierWorld:
    """A cadre in district 1 with photo, penalty, two domains of evidence and field records."""
    _, officer = await api.user("officer", [api.units["d1"]])
    _, officer2 = await api.user("officer", [api.units["d1"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    rid, researcher = await api.user("researcher")
    _, outsider = await api.user("officer", [api.units["d2"]])
    photo = await _upload(api, officer, png_photo(), "证件照.png")
    cadre = await api.cadre(officer, api.units["d1_bureau"], name=name,
                            photo_attachment_id=photo["id"],
                            rewards_penalties=[{"kind": "penalty", "title": "诫勉谈话",
                                                "issuer": "区纪委", "decided_on": "2022-03-01"}])
    world = DossierWorld(officer, await display_name(api, officer), leader, researcher, outsider,
                         cadre, attachment_sha256=[photo["sha256"]])
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    scan = await _upload(api, researcher, png_photo(60, 80), "窗口服务现场照片.png")
    world.attachment_sha256.append(scan["sha256"])
    rec = await api.client.post("/api/records", headers=researcher, json=record_body(
        campaign, [cadre["id"]], title="政务服务中心窗口坐班纪实", attachment_ids=[scan["id"]]))
    assert rec.status_code == 201, rec.text
    world.record_titles.append("政务服务中心窗口坐班纪实")
    draft = await api.client.post("/api/records", headers=researcher, json=record_body(
        campaign, [cadre["id"]], title="尚未提交的谈话草稿", submit=False))
    assert draft.status_code == 201, draft.text
    world.hidden_titles.append("尚未提交的谈话草稿")
    for domain, title in (("urban_renewal", "老旧小区加装电梯攻坚"),
                          ("investment_attraction", "招商专班项目签约落地")):
        ev = await api.client.post("/api/evidence", headers=officer, json={
            "cadre_id": cadre["id"], "domain": domain, "title": title,
            "description": "牵头推进重点工作，协调解决群众急难愁盼问题，经验在全市推广。",
            "period_start": "2024-01-01", "period_end": "2024-12-31",
            "metrics": [{"name": "签约项目", "value": 12, "unit": "个"}],
            "record_ids": [rec.json()["id"]]})
        assert ev.status_code == 201, ev.text
        world.evidence_titles.append(title)
    verified = await api.client.post(f"/api/evidence/{ev.json()['id']}/verification",
                                     headers=officer2, json={"verification": "verified", "version": 1})
    assert verified.status_code == 200, verified.text
    return world
