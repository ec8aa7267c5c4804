"""Benchmark of the dossier export's full API path against the raw render of the same data.

    python bench/dossier.py --runs 10

A throwaway database (on CADRE_DATABASE_URL's server, else an embedded, durable
PostgreSQL) gets 2 x runs cadres, each with `--evidence` evidence items and `--records`
field records (rows written with SQL; the export path is what is measured). Then:

  api   GET /api/cadres/{id}/dossier.pdf through the app in-process (ASGI, no TCP):
        token check, scoped queries on one snapshot, masking, serial, Typst in a thread,
        SHA-256, exports row + audit entry in one transaction
  raw   render_dossier() of a dossier already assembled from the same database
  load  read_dossier() alone (the SQL part of the API path)

API and raw runs use different cadres of the same size, so Typst's in-process
memoisation never replays a layout one side has already done for the other.
"""

import argparse
import asyncio
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from schemas import clock  # noqa: E402
from schemas.auth import UserCreate  # noqa: E402
from schemas.common import Role  # noqa: E402
from schemas.export import Watermark  # noqa: E402
from service.auth import service as auth_service  # noqa: E402
from service.config import Settings  # noqa: E402
from service.dossier.service import read_dossier  # noqa: E402
from service.exports.service import font_dirs  # noqa: E402
from service.main import create_app  # noqa: E402
from service.migrate import upgrade_head  # noqa: E402
from service.pdf import render_dossier  # noqa: E402
from service.principal import SYSTEM, Principal  # noqa: E402
from tests.pdf.factories import ACTIONS, METRICS, OUTCOMES, PLACES, png_photo  # noqa: E402

TARGET_S_PER_20_PAGES = 0.5
PASSWORD = "Bench@2024-pass"
DOMAINS = ["urban_renewal", "investment_attraction", "livelihood", "party_building",
           "risk_prevention", "other"]
KINDS = ["interview", "site_visit", "window_service", "arena_contest", "document_review"]
T = TypeVar("T")
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def p95(values: list[float]) -> float:
    """95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


@contextmanager
def database() -> Iterator[str]:
    """A fresh, migrated database; dropped (or its embedded server removed) afterwards."""
    configured = os.environ.get("CADRE_DATABASE_URL")
    if configured:
        base = configured.rpartition("/")[0]
        name = f"cadre_bench_dossier_{secrets.token_hex(4)}"
        asyncio.run(_admin(f"{base}/postgres", f'CREATE DATABASE "{name}"'))
        try:
            upgrade_head(f"{base}/{name}")
            yield f"{base}/{name}"
        finally:
            asyncio.run(_admin(f"{base}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return
    from service.runtime.postgres import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="cadre-bench-dossier-") as tmp, \
            embedded_postgres(Path(tmp) / "pg", durable=True) as url:
        upgrade_head(url)
        yield url


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


class World:
    """Units, an officer and a researcher, and the cadres filled for the benchmark."""

    def __init__(self, client: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
        self.client, self.pool = client, pool
        self.headers: dict[str, str] = {}
        self.officer: Principal | None = None

    async def login(self, username: str) -> dict[str, str]:
        r = await self.client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    async def post(self, headers: dict[str, str], url: str, body: dict[str, Any]) -> dict[str, Any]:
        r = await self.client.post(url, headers=headers, json=body)
        if r.status_code != 201:
            raise RuntimeError(f"{url}: {r.status_code} {r.text}")
        out: dict[str, Any] = r.json()
        return out

    async def setup(self) -> None:
        for username, role in (("bench_admin", Role.admin), ("bench_researcher", Role.researcher)):
            await auth_service.create_user(self.pool, SYSTEM, body=UserCreate(
                username=username, display_name=username, password=PASSWORD, role=role), key=None)
        admin = await self.login("bench_admin")
        city = await self.post(admin, "/api/units", {"code": "city", "name": "江州市", "kind": "city"})
        self.district = await self.post(admin, "/api/units", {
            "code": "d1", "name": "滨江区", "kind": "district", "parent_id": city["id"]})
        self.bureau = await self.post(admin, "/api/units", {
            "code": "d1b", "name": "滨江区城市更新局", "kind": "department",
            "parent_id": self.district["id"]})
        officer = await self.post(admin, "/api/users", {
            "username": "bench_officer", "display_name": "周干部", "password": PASSWORD,
            "role": "officer", "scopes": [{"unit_id": self.district["id"]}]})
        self.headers = await self.login("bench_officer")
        self.officer = Principal(officer["id"], "bench_officer", "周干部", Role.officer, "bench")
        researcher = await self.pool.fetchval("SELECT id FROM users WHERE username = 'bench_researcher'")
        self.campaign = await self.post(self.headers, "/api/campaigns", {
            "name": "城市更新实绩纪实调研", "starts_on": "2021-01-01", "ends_on": "2026-12-31",
            "status": "open", "teams": [{"name": "第一调研组", "member_ids": [researcher],
                                         "unit_ids": [self.district["id"]]}]})
        self.researcher_id = researcher

    async def cadre(self, n: int, evidence: int, records: int) -> int:
        """One cadre with a photo, resume, and the given amount of evidence and records."""
        r = await self.client.post("/api/attachments", headers=self.headers,
                                   files={"file": (f"照片{n}.png", png_photo(50 + n % 7), "image/png")})
        r.raise_for_status()
        cadre = await self.post(self.headers, "/api/cadres", {
            "name": f"林振{'华明强军'[n % 4]}", "gender": "male", "birth_date": "1978-05-12",
            "native_place": "浙江宁波", "birthplace": "浙江宁波", "party_join_date": "2001-06-01",
            "work_start_date": "2000-07-01", "edu_fulltime_level": "bachelor",
            "edu_fulltime_school": "浙江大学", "edu_fulltime_major": "城市规划",
            "unit_id": self.bureau["id"], "post": "局长", "post_level": "division_main",
            "rank": "researcher_2", "tier": "city_managed", "photo_attachment_id": r.json()["id"],
            "career": [{"start_date": f"{2000 + k * 3}-07-01", "end_date": f"{2003 + k * 3}-06-30",
                        "unit_name": f"{PLACES[k % len(PLACES)]}办事处", "post": "副主任"}
                       for k in range(6)],
            "appraisals": [{"year": y, "grade": "excellent" if y % 2 else "competent"}
                           for y in range(2019, 2025)]})
        async with self.pool.acquire() as conn, conn.transaction():  # one commit, one fsync
            await self._fill(conn, cadre["id"], random.Random(n), evidence, records)
        return int(cadre["id"])

    async def _fill(self, conn: asyncpg.Connection, cadre_id: int, rng: random.Random, evidence: int,
                    records: int) -> None:
        assert self.officer is not None
        team = self.campaign["teams"][0]["id"]
        record_ids = []
        for k in range(records):
            kind = KINDS[k % len(KINDS)]
            body = "".join(rng.choice(ACTIONS).format(p=rng.choice(PLACES)) + "，" + rng.choice(OUTCOMES)
                           for _ in range(rng.randint(2, 5)))
            record_ids.append(await conn.fetchval(
                """INSERT INTO field_records (campaign_id, team_id, author_id, kind, occurred_on, place,
                     title, body, details, state, submitted_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted', now()) RETURNING id""",
                self.campaign["id"], team, self.researcher_id, kind,
                date(2022, 1, 1) + timedelta(days=rng.randrange(900)), rng.choice(PLACES),
                f"{rng.choice(PLACES)}调研纪实（第{k + 1}篇）", body, {"kind": kind}))
        await conn.executemany("INSERT INTO field_record_cadres VALUES ($1, $2)",
                                    [(r, cadre_id) for r in record_ids])
        for k in range(evidence):
            start = date(2021, 1, 1) + timedelta(days=rng.randrange(900))
            verified = rng.random() < 0.8
            description = "".join(rng.choice(ACTIONS).format(p=rng.choice(PLACES)) + "，"
                                  + rng.choice(OUTCOMES) for _ in range(rng.randint(1, 3)))
            metrics = [{"name": name, "value": rng.randint(3, 600), "unit": unit}
                       for name, unit in rng.sample(METRICS, rng.randint(0, 3))]
            ev = await conn.fetchval(
                """INSERT INTO evidence (cadre_id, domain, title, description, period_start, period_end,
                     metrics, judgement, verification, verified_by, verified_at, created_by)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id""",
                cadre_id, DOMAINS[k % len(DOMAINS)], f"{rng.choice(PLACES)}工作实绩（第{k + 1}项）",
                description, start, start + timedelta(days=rng.randint(30, 400)), metrics,
                "positive" if rng.random() < 0.9 else "negative",
                "verified" if verified else "claimed", self.officer.user_id if verified else None,
                clock.now() if verified else None, self.officer.user_id)
            await conn.execute("INSERT INTO evidence_records VALUES ($1, $2)", ev,
                                    record_ids[k % len(record_ids)])


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
    """The app with its lifespan, and an in-process HTTP client."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            yield client, app.state.pool


async def timed(fn: Callable[[], Awaitable[T]]) -> tuple[float, T]:
    """Wall time of one awaited call and its result."""
    start = time.perf_counter()
    out = await fn()
    return time.perf_counter() - start, out


async def bench(settings: Settings, runs: int, evidence: int, records: int) -> None:
    """Fill the database, then time API exports, raw renders and the loading alone."""
    async with running_app(settings) as (client, pool):
        world = World(client, pool)
        await world.setup()
        fill_start = time.perf_counter()
        cadres = [await world.cadre(n, evidence, records) for n in range(2 * runs + 1)]
        fill = time.perf_counter() - fill_start
        officer = world.officer
        assert officer is not None
        fonts = font_dirs(settings)
        warm = await client.get(f"/api/cadres/{cadres[-1]}/dossier.pdf", headers=world.headers)
        warm.raise_for_status()
        api_s, raw_s, load_s, sizes, pages = [], [], [], [], 0
        for i in range(runs):  # interleaved so both sides see the same machine state
            seconds, r = await timed(lambda: client.get(f"/api/cadres/{cadres[i]}/dossier.pdf",  # noqa: B023
                                                        headers=world.headers))
            r.raise_for_status()
            api_s.append(seconds)
            sizes.append(len(r.content))
            pages = len(_PAGE.findall(r.content))
            now = clock.now()
            seconds, doc = await timed(lambda: read_dossier(pool, officer, settings=settings,
                                                            cadre_id=cadres[runs + i], generated_at=now))  # noqa: B023
            load_s.append(seconds)
            assert doc is not None
            mark = Watermark(user_name="周干部（bench_officer）", exported_at=now, serial=f"DA-2026-9{i:05d}")
            start = time.perf_counter()
            await asyncio.to_thread(render_dossier, doc, mark, fonts)
            raw_s.append(time.perf_counter() - start)
    api_p50, raw_p50 = statistics.median(api_s), statistics.median(raw_s)
    print(f"dossier: {evidence} evidence items, {records} field records from PostgreSQL, "
          f"{pages} pages, {statistics.median(sizes) / 1024:.0f} KB, {runs} runs "
          f"(data for {2 * runs + 1} cadres written in {fill:.1f} s)")
    print(f"{'':34}{'p50':>8}{'p95':>8}{'pages/s':>9}")
    for label, values in (("API GET /dossier.pdf (in-process)", api_s),
                          ("raw render_dossier (same size)", raw_s),
                          ("load from PostgreSQL only", load_s)):
        p50 = statistics.median(values)
        rate = f"{pages / p50:9.1f}" if values is not load_s else f"{'':>9}"
        print(f"{label:34}{p50:8.3f}{p95(values):8.3f}{rate}")
    print(f"ratio API / raw render (p50): {api_p50 / raw_p50:.2f}")
    per_20 = api_p50 * 20 / max(pages, 1)
    verdict = "OK" if per_20 < TARGET_S_PER_20_PAGES else "SLOWER THAN TARGET"
    print(f"API per 20 pages: {per_20:.3f} s (target < {TARGET_S_PER_20_PAGES} s): {verdict}")


def main() -> None:
    """Parse arguments, make the database, run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--evidence", type=int, default=200)
    parser.add_argument("--records", type=int, default=50)
    args = parser.parse_args()
    with database() as url, tempfile.TemporaryDirectory(prefix="cadre-bench-data-") as data:
        settings = Settings(env="test", database_url=url, data_dir=Path(data))
        asyncio.run(bench(settings, args.runs, args.evidence, args.records))


if __name__ == "__main__":
    main()
