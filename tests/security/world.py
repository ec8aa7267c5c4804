"""A two-district world for authorization tests: one viewpoint in district 1, mirror objects in 2.

Every role's token looks from district 1: officer and leader are scoped to district 1, the
researcher is on an open campaign's team assigned to district 1. Each kind of object exists
once in district 1 (in scope) and once in district 2 (out of scope for those roles); an export
job exists as the district-1 officer's own and as a district-2 officer's. The objects of
scoreboards, contests, secondments and service logs come from tests/performance/matrix_examples.py.
"""

import asyncio
import secrets
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from indexer.worker import Worker
from tests.factories import Api, campaign_with_team, record_body
from tests.leadership import matrix_examples as leadership_examples
from tests.lrmx import matrix_examples as format_examples
from tests.performance import matrix_examples

ROLES = ("admin", "officer", "researcher", "auditor", "leader")


def png() -> bytes:
    """A valid 1x1 PNG with random text, so each upload has its own bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"tEXt", b"Comment\x00" + secrets.token_hex(8).encode())
            + chunk(b"IDAT", zlib.compress(b"\x00\xc8\x10\x10")) + chunk(b"IEND", b""))


def evidence_body(cadre_id: int, **overrides: Any) -> dict[str, Any]:
    """A valid evidence body."""
    body: dict[str, Any] = {
        "cadre_id": cadre_id, "domain": "urban_renewal", "title": "老旧小区改造",
        "description": "完成老旧小区改造12个。", "period_start": "2024-01-01",
        "period_end": "2024-12-31", "metrics": [{"name": "小区", "value": 12, "unit": "个"}]}
    body.update(overrides)
    return body


@dataclass
class World:
    """Tokens per role, and (in scope, out of scope) ids per kind of object."""

    api: Api
    headers: dict[str, dict[str, str]]
    user_ids: dict[str, int]
    objects: dict[str, tuple[int, int]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    def inside(self, kind: str) -> int:
        """The district-1 object of a kind."""
        return self.objects[kind][0]

    def outside(self, kind: str) -> int:
        """The district-2 object of a kind."""
        return self.objects[kind][1]

    async def fresh_token(self, role: str) -> dict[str, str]:
        """Another token of the role's user (for calls that end the session)."""
        row = await self.api.pool.fetchrow("SELECT username FROM users WHERE id = $1",
                                           self.user_ids[role])
        return await self.api.login(row["username"])


async def _upload(api: Api, headers: dict[str, str]) -> int:
    r = await api.client.post("/api/attachments", headers=headers,
                              files={"file": ("现场照片.png", png(), "image/png")})
    assert r.status_code == 201, r.text
    out: int = r.json()["id"]
    return out


async def _post(api: Api, path: str, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    r = await api.client.post(path, headers=headers, json=body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


MOTION = {"stage": "motion", "date": "2024-08-20", "proposed_by": "区委组织部", "reason": "住建局局长空缺"}


async def _selection(api: Api, officer: dict[str, str], bureau: int, cadre_id: int) -> dict[str, Any]:
    """A district's selection work: a position with a mark and saved version 1, a promotion record
    past its motion stage, and an export job of the cadre's dossier."""
    position = await _post(api, "/api/positions", officer, {
        "unit_id": bureau, "title": "区住建局局长", "post_level": "section_main",
        "tier": "district_managed", "category": "urban_construction", "reference_date": "2025-06-30"})
    mark = await _post(api, f"/api/positions/{position['id']}/shortlist/marks", officer, {
        "cadre_id": cadre_id, "action": "exclude", "reason": "近期拟交流任职"})
    saved = await _post(api, f"/api/positions/{position['id']}/shortlist/versions", officer,
                        {"top_n": 20, "note": "初步名单"})
    assert saved["version"] == 1, saved
    promotion = await _post(api, "/api/promotions", officer, {
        "cadre_id": cadre_id, "kind": "post_promotion", "target_unit_id": bureau,
        "target_post": "局长", "target_post_level": "division_deputy"})
    r = await api.client.post(f"/api/promotions/{promotion['id']}/stages", headers=officer,
                              json={"version": promotion["version"], "payload": MOTION})
    assert r.status_code == 200, r.text
    promotion = r.json()
    r = await api.client.post("/api/exports/batch", headers=officer, json={"cadre_ids": [cadre_id]})
    assert r.status_code == 202, r.text
    return {"position": position, "mark": mark, "promotion": promotion, "job": r.json()}


async def _finished(api: Api, headers: dict[str, str], job: dict[str, Any]) -> None:
    """Wait for the export worker (running in the app) to finish a job, so its download is ready."""
    for _ in range(300):
        r = await api.client.get(job["status_url"], headers=headers)
        assert r.status_code == 200, r.text
        if r.json()["status"] in ("done", "failed"):
            assert r.json()["status"] == "done", r.text
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"export job {job['id']} not finished")


async def finished_job(api: Api, headers: dict[str, str], cadre_ids: list[int]) -> dict[str, Any]:
    """Queue a batch export of these cadres and wait until it is done; returns the job's status."""
    r = await api.client.post("/api/exports/batch", headers=headers, json={"cadre_ids": cadre_ids})
    assert r.status_code == 202, r.text
    url = r.json()["status_url"]
    for _ in range(450):
        job = await api.client.get(url, headers=headers)
        assert job.status_code == 200, job.text
        if job.json()["status"] in ("done", "failed"):
            out: dict[str, Any] = job.json()
            assert out["status"] == "done", out
            return out
        await asyncio.sleep(0.2)
    raise AssertionError(f"export job not finished: {url}")


async def change_account(api: Api, user_id: int, **fields: Any) -> str:
    """Change an account (role, scopes) as the administrator; returns its username."""
    current = await api.client.get(f"/api/users/{user_id}", headers=api.admin)
    assert current.status_code == 200, current.text
    r = await api.client.patch(f"/api/users/{user_id}", headers=api.admin,
                               json={"version": current.json()["version"], **fields})
    assert r.status_code == 200, r.text
    username: str = current.json()["username"]
    return username


async def shared_record(api: Api, indexer: Worker, city: dict[str, str], title: str,
                        cadres: list[dict[str, Any]]) -> int:
    """A record about these cadres, filed by a city-wide team's researcher, and indexed."""
    researcher_id, researcher = await api.user("researcher")
    campaign = await campaign_with_team(api, city, [researcher_id], [api.units["city"]])
    r = await api.client.post("/api/records", headers=researcher, json=record_body(
        campaign, [c["id"] for c in cadres], title=title))
    assert r.status_code == 201, r.text
    await indexer.drain()
    record: int = r.json()["id"]
    return record


async def build_world(api: Api) -> World:
    """Users of every role seen from district 1, and one object of each kind per district."""
    u = api.units
    officer_id, officer = await api.user("officer", [u["d1"]])
    _, officer2 = await api.user("officer", [u["d2"]])
    leader_id, leader = await api.user("leader", [u["d1"]])
    researcher_id, researcher = await api.user("researcher")
    researcher2_id, researcher2 = await api.user("researcher")
    auditor_id, auditor = await api.user("auditor")
    admin_id = await api.pool.fetchval("SELECT id FROM users WHERE username = $1", f"admin_{api.tag}")
    world = World(api, {"admin": api.admin, "officer": officer, "researcher": researcher,
                        "auditor": auditor, "leader": leader},
                  {"admin": admin_id, "officer": officer_id, "researcher": researcher_id,
                   "auditor": auditor_id, "leader": leader_id})

    cadres, campaigns, records, evidence, attachments = [], [], [], [], []
    for unit, bureau, off, res, res_id in ((u["d1"], u["d1_bureau"], officer, researcher, researcher_id),
                                           (u["d2"], u["d2_bureau"], officer2, researcher2,
                                            researcher2_id)):
        cadre = await api.cadre(off, bureau)
        campaign = await campaign_with_team(api, off, [res_id], [unit])
        attachment = await _upload(api, res)
        record = await _post(api, "/api/records", res,
                             record_body(campaign, [cadre["id"]], attachment_ids=[attachment]))
        ev = await _post(api, "/api/evidence", off, evidence_body(cadre["id"]))
        cadres.append(cadre)
        campaigns.append(campaign)
        records.append(record)
        evidence.append(ev)
        attachments.append(attachment)
        await _post(api, f"/api/cadres/{cadre['id']}/family-members", off,
                    {"relation": "配偶", "name": "李秀英", "birth_date": "1972-03-04",
                     "political_status": "中共党员", "work_unit_post": "市第一中学教师"})

    selection = [await _selection(api, off, bureau, cadre["id"]) for off, bureau, cadre in (
        (officer, u["d1_bureau"], cadres[0]), (officer2, u["d2_bureau"], cadres[1]))]
    await _finished(api, officer, selection[0]["job"])

    world.objects = {
        "cadre": (cadres[0]["id"], cadres[1]["id"]),
        "campaign": (campaigns[0]["id"], campaigns[1]["id"]),
        "team": (campaigns[0]["teams"][0]["id"], campaigns[1]["teams"][0]["id"]),
        "record": (records[0]["id"], records[1]["id"]),
        "evidence": (evidence[0]["id"], evidence[1]["id"]),
        "attachment": (attachments[0], attachments[1]),
        "user": (officer_id, researcher2_id),
        "unit": (u["d1"], u["d2"]),
        **{kind: (selection[0][key]["id"], selection[1][key]["id"]) for kind, key in (
            ("position", "position"), ("shortlist_mark", "mark"), ("promotion", "promotion"),
            ("export_job", "job"))},
    }
    # A second district-1 cadre, for example writes that must leave the world's objects alone.
    spare = await api.cadre(officer, u["d1_bureau"])
    world.data = {"cadre": cadres[0], "campaign": campaigns[0], "record": records[0],
                  "evidence": evidence[0], "position": selection[0]["position"],
                  "promotion": selection[0]["promotion"], "spare_cadre": spare}
    await matrix_examples.add_objects(world)
    await format_examples.add_objects(world)
    await leadership_examples.add_objects(world)
    return world
