"""Builders of realistic test data through the real API (no mocks)."""

import contextlib
import itertools
import secrets
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx

from schemas import clock
from schemas.auth import UserCreate
from schemas.cadres import national_id_check_char
from schemas.common import Role
from service.auth import service as auth_service
from service.principal import SYSTEM

PASSWORD = "Test@2024-pass"
_UNIQUE = itertools.count(1)

# The search timeout of the services under test. The product's bound (2 s, CADRE_MEILI_TIMEOUT_S)
# is tested on its own against stand-in engines (tests/search/test_client_bounds.py); here a
# Meilisearch answer may take seconds when the machine is busy (three workers, a browser, the
# engine's own indexing), and a refused search would fail a test about something else.
MEILI_TIMEOUT_S = 15.0


def national_id(birth: date, seq: int, gender: str = "male") -> str:
    """A valid 18-character national ID number."""
    # The 17th character's parity encodes the gender (odd: male), as on a real card.
    first17 = f"110105{birth:%Y%m%d}{(seq % 500) * 2 + (gender == 'male'):03d}"
    return first17 + national_id_check_char(first17)


class Api:
    """A per-test world: a unit tree, an admin, and helpers to add users and data."""

    def __init__(self, client: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
        self.client = client
        self.pool = pool
        self.tag = secrets.token_hex(3)
        self.units: dict[str, int] = {}
        self.admin: dict[str, str] = {}
        self._seq = 0

    def next(self) -> int:
        """A number unique within this test."""
        self._seq += 1
        return self._seq

    async def setup(self) -> None:
        """Create an admin and a small unit tree: a city, two districts, a bureau in each."""
        await auth_service.create_user(self.pool, SYSTEM, body=UserCreate(
            username=f"admin_{self.tag}", display_name="管理员", password=PASSWORD, role=Role.admin),
            key=None)
        self.admin = await self.login(f"admin_{self.tag}")
        city = await self.unit("city", "江州市", None)
        for key, name in (("d1", "鼓楼区"), ("d2", "临江区")):
            self.units[key] = await self.unit("district", name, city)
            self.units[f"{key}_bureau"] = await self.unit("department", f"{name}住建局",
                                                          self.units[key])
        self.units["city"] = city

    async def unit(self, kind: str, name: str, parent: int | None) -> int:
        """Create a unit as admin."""
        r = await self.client.post("/api/units", headers=self.admin, json={
            "code": f"{kind[:3]}{self.tag}{self.next()}", "name": name, "kind": kind,
            "parent_id": parent})
        assert r.status_code == 201, r.text
        unit_id: int = r.json()["id"]
        return unit_id

    async def login(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        """Log in and return the Authorization header."""
        r = await self.client.post("/api/auth/login", json={"username": username,
                                                            "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    async def user(self, role: str, scopes: list[int] | None = None,
                   tier: str | None = None) -> tuple[int, dict[str, str]]:
        """Create a user with scopes and return (id, auth header)."""
        username = f"{role[:4]}_{self.tag}_{self.next()}"
        r = await self.client.post("/api/users", headers=self.admin, json={
            "username": username, "display_name": f"{role}{self.next()}", "password": PASSWORD,
            "role": role, "scopes": [{"unit_id": u, "tier": tier} for u in scopes or []]})
        assert r.status_code == 201, r.text
        return r.json()["id"], await self.login(username)

    def cadre_body(self, unit_id: int, **overrides: Any) -> dict[str, Any]:
        """A valid cadre creation body."""
        # A process-wide counter keeps birth date + sequence (hence the ID number) unique.
        n = next(_UNIQUE)
        birth = date(1970, 1, 1) + timedelta(days=n % 9000)
        body: dict[str, Any] = {
            "name": "张志东", "gender": "male", "birth_date": birth.isoformat(),
            "native_place": "福建福州", "birthplace": "福建福州", "party_join_date": "2002-06-01",
            "work_start_date": "2003-07-01", "health": "健康",
            "edu_fulltime_level": "bachelor", "edu_fulltime_school": "福州大学",
            "edu_fulltime_major": "土木工程", "unit_id": unit_id, "post": "局长",
            "post_level": "section_main", "rank": "principal_clerk_1", "tier": "district_managed",
            "national_id": national_id(birth, n // 9000),
            "career": [{"start_date": "2003-07-01", "end_date": "2015-12-31", "unit_name": "某街道",
                        "post": "科员", "is_grassroots": True},
                       {"start_date": "2016-01-01", "unit_name": "住建局", "post": "局长"}],
            "appraisals": [{"year": 2023, "grade": "excellent"}, {"year": 2024, "grade": "competent"}],
        }
        body.update(overrides)
        if "national_id" not in overrides and ("birth_date" in overrides or "gender" in overrides):
            # Keep the ID number consistent with an overridden birth date or gender (a test of bad
            # input may override them with values that are no date or gender at all).
            with contextlib.suppress(ValueError, TypeError):
                body["national_id"] = national_id(date.fromisoformat(str(body["birth_date"])), n,
                                                  str(body["gender"]))
        return body

    async def cadre(self, officer: dict[str, str], unit_id: int, **overrides: Any) -> dict[str, Any]:
        """Create a cadre as the given officer."""
        r = await self.client.post("/api/cadres", headers=officer,
                                   json=self.cadre_body(unit_id, **overrides))
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()
        return out


async def campaign_with_team(api: Api, officer: dict[str, str], member_ids: list[int],
                             unit_ids: list[int], status: str = "open") -> dict[str, Any]:
    """Create a campaign with one team assigned to the given units."""
    r = await api.client.post("/api/campaigns", headers=officer, json={
        "name": f"纪实调研{api.tag}{api.next()}", "starts_on": "2024-01-01",
        "ends_on": (clock.today() + timedelta(days=400)).isoformat(),
        "status": status, "teams": [{"name": "第一调研组", "member_ids": member_ids,
                                     "unit_ids": unit_ids}]})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def record_body(campaign: dict[str, Any], cadre_ids: list[int], **overrides: Any) -> dict[str, Any]:
    """A valid window-service record body."""
    body: dict[str, Any] = {
        "campaign_id": campaign["id"], "team_id": campaign["teams"][0]["id"],
        "kind": "window_service", "occurred_on": "2024-05-10", "place": "区政务服务中心",
        "title": "局长窗口服务纪实", "body": "现场办理不动产登记事项，发现待处理积压件，提出整改建议。",
        "details": {"kind": "window_service", "items_handled": 12, "problems_solved": 3,
                    "rectification_proposals": ["压缩办理时限"], "processes_improved": []},
        "cadre_ids": cadre_ids, "submit": True,
    }
    body.update(overrides)
    return body
