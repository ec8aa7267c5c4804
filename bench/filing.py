"""Benchmark of filing field records with evidence over HTTP against the same SQL run by raw asyncpg.

    python -m bench.filing                 # 2000 filings per path, 16 concurrent clients
    python -m bench.filing --quick         # 200 filings per path (smoke test)

One filing = POST /api/records (submitted window-service record about two cadres) followed by
POST /api/evidence citing that record, each with its own Idempotency-Key, by one researcher.
The API runs in a uvicorn subprocess exactly as `cadre serve` starts it (JSON access logs,
normal middleware); C clients, each a researcher with its own bearer token and
lean kept-alive connection (bench.loadgen: prepared bytes, minimal parsing), file
concurrently. The raw baseline runs the statements the service runs
for the same two transactions through an asyncpg pool of C connections in this process.
The framework floor (bench.floor_app, skip with --no-floor) is a bare FastAPI app under the same
uvicorn that validates with the product's models, resolves the token and runs the raw statements:
floor/raw is the most this stack reaches here, API/floor what the product's own request work costs.
Rounds alternate the order (API, floor, raw, raw, floor, API, ...) so drift in the database hits all.
"""

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from bench.common import (  # noqa: E402
    BenchDatabase,
    CpuMeter,
    RunningServer,
    api_server,
    bench_database,
    cpu_count,
    percentile,
    postmaster_pid,
    print_table,
)
from bench.loadgen import Connection, Target  # noqa: E402
from schemas import clock  # noqa: E402
from schemas.common import Role  # noqa: E402
from service.access import repo as access  # noqa: E402
from service.audit.repo import NewEntry, insert_entries  # noqa: E402
from service.campaigns import repo as campaigns_repo  # noqa: E402
from service.db import create_pool  # noqa: E402
from service.evidence import repo as evidence_repo  # noqa: E402
from service.idempotency import fingerprint  # noqa: E402
from service.migrate import upgrade_head  # noqa: E402
from service.principal import Principal  # noqa: E402
from service.records import repo as records_repo  # noqa: E402
from service.service_logs import repo as service_logs_repo  # noqa: E402
from tests.factories import Api, campaign_with_team, record_body  # noqa: E402

TARGET_RATIO = 0.8
SOURCE_IP = "127.0.0.1"

# ---------------------------------------------------------------------------------------------
# The raw baseline: the statements the service runs, in the same order, one transaction each.
#
# POST /api/records (service.records.service.create_record via idempotency.run_idempotent):
#   BEGIN (pool.acquire + transaction, as unit_of_work)
#   1  INSERT idempotency_keys ... ON CONFLICT DO NOTHING RETURNING true
#   2  campaigns.repo.team_for_filing                 (member of an open campaign's team)
#   3  campaigns.repo.cadres_outside_assignment       (cadres within the team's assignment)
#   4  campaigns.repo.cadres_outside_scope            (cadres the author may read)
#      (records.repo.own_attachments is skipped by the service too: no attachments)
#   5  INSERT field_records ... RETURNING id
#   6  links.replace_links field_record_cadres        (delete-missing + insert)
#   7  links.replace_links record_attachments         (run with an empty list, as the service does)
#   8  records.repo.get_visible                       (reload with the researcher's access clause)
#   9  records.repo.evidence_ids_of                   (outbox fan-out to citing evidence)
#   10 INSERT revisions                               (UnitOfWork.revision, full snapshot)
#   11 service_logs.repo.linked_to_record             (a window-service record keeps one service
#   12 per cadre: service_logs.repo.insert_for_record  log per named cadre in the same transaction,
#      + service_logs.repo.get_by_id + INSERT revisions service/service_logs/from_records.py)
#   13 UPDATE idempotency_keys SET response           (stored response)
#   14 INSERT outbox                                  (record + each cadre; UnitOfWork.flush)
#   15 INSERT audit_log + audit_unsealed              (record + each log; insert_entries; no lock)
#   COMMIT, release (no reset round trip: service.db.keep_session)
# POST /api/evidence (service.evidence.service.create_evidence):
#   BEGIN
#   1  INSERT idempotency_keys
#   2  cadres.repo.get_visible                        (cadre readable by the researcher)
#   3  campaigns.repo.team_for_filing                 (researchers file within their team)
#   4  evidence.repo.visible_record_count             (cited records readable)
#   5  INSERT evidence ... RETURNING id
#   6  links.replace_links evidence_records
#   7  links.replace_links evidence_attachments       (empty list)
#   8  evidence.repo.get_visible                      (reload)
#   9  INSERT revisions
#   10 UPDATE idempotency_keys SET response
#   11 executemany INSERT outbox                      (evidence + cadre)
#   12 INSERT audit_log + audit_unsealed
#   COMMIT
# Not in the baseline (API-only work): the bearer-token lookup (auth.repo.resolve_token, its own
# pool.acquire) per request, HTTP parsing, pydantic validation and serialisation, middleware.
# The access clauses come from the service's own SQL builders, the reloads, the request hash and
# the audit insert are the service's own public repo functions, so the baseline runs the same
# statements (the audit chain itself is linked by the API server's sealer for both paths).
# ---------------------------------------------------------------------------------------------

_RESEARCHER = Principal(user_id=0, username="bench", display_name="bench", role=Role.researcher)

SQL_IDEM_INSERT = """INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
               ON CONFLICT DO NOTHING RETURNING true"""
SQL_IDEM_UPDATE = """UPDATE idempotency_keys SET status_code = 201, response = $3
               WHERE user_id = $1 AND key = $2"""
SQL_TEAM_FOR_FILING = """SELECT t.id, c.starts_on, c.ends_on FROM teams t
           JOIN team_members tm ON tm.team_id = t.id AND tm.user_id = $1
           JOIN campaigns c ON c.id = t.campaign_id AND c.status = 'open'
           WHERE t.id = $3 AND t.campaign_id = $2"""
SQL_OUTSIDE_ASSIGNMENT = """SELECT x.id FROM unnest($2::bigint[]) AS x(id)
           WHERE NOT EXISTS (
             SELECT 1 FROM cadres c JOIN units u ON u.id = c.unit_id
             JOIN team_assignments ta ON ta.team_id = $1
               AND (ta.cadre_id = c.id OR ta.unit_id = ANY(u.ancestor_ids))
             WHERE c.id = x.id)"""
SQL_RECORD_INSERT = """INSERT INTO field_records (campaign_id, team_id, author_id, kind, occurred_on, place,
                                      title, body, details, state, submitted_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                   CASE WHEN $10 = 'submitted' THEN now() END) RETURNING id"""
SQL_LINKS = {
    table: f"""WITH gone AS (DELETE FROM {table} WHERE {owner} = $1 AND {target} <> ALL($2::bigint[]))
            INSERT INTO {table} ({owner}, {target}) SELECT $1, unnest($2::bigint[])
            ON CONFLICT DO NOTHING"""
    for table, (owner, target) in {
        "field_record_cadres": ("record_id", "cadre_id"),
        "record_attachments": ("record_id", "attachment_id"),
        "evidence_records": ("evidence_id", "record_id"),
        "evidence_attachments": ("evidence_id", "attachment_id"),
    }.items()
}
SQL_REVISION = """INSERT INTO revisions (entity_type, entity_id, version, action, actor_id, changes,
                                      snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7)"""
SQL_EVIDENCE_IDS_OF = "SELECT evidence_id FROM evidence_records WHERE record_id = $1"
SQL_OUTBOX = """WITH o AS (INSERT INTO outbox (entity_type, entity_id)
                          SELECT * FROM unnest($1::text[], $2::bigint[]))
               SELECT pg_notify('cadre_outbox', '')"""
SQL_CADRE_VISIBLE = (f"""SELECT c.*, u.name AS unit_name FROM cadres c JOIN units u ON u.id = c.unit_id
            WHERE c.id = $1 AND {access.cadre_visible(_RESEARCHER, "c", "u", 2)}""")
SQL_VISIBLE_RECORD_COUNT = f"""SELECT count(*) FROM field_records r WHERE r.id = ANY($2::bigint[])
            AND {access.record_visible(_RESEARCHER, "r", 1)}"""
SQL_EVIDENCE_INSERT = """INSERT INTO evidence (cadre_id, domain, title, description, period_start, period_end,
                                 metrics, judgement, campaign_id, team_id, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"""


@dataclass(frozen=True)
class Researcher:
    """A filing client's account."""

    user_id: int
    username: str
    headers: dict[str, str]


@dataclass(frozen=True)
class World:
    """What the benchmark files into: one open campaign team, its researchers and cadres."""

    campaign: dict[str, Any]
    cadre_ids: list[int]
    researchers: list[Researcher]

    @property
    def campaign_id(self) -> int:
        """The campaign's id."""
        cid: int = self.campaign["id"]
        return cid

    @property
    def team_id(self) -> int:
        """The team's id."""
        tid: int = self.campaign["teams"][0]["id"]
        return tid

    def cadres_for(self, client: int, n: int) -> list[int]:
        """The two cadres the client's n-th record is about (spread over the district)."""
        k = len(self.cadre_ids)
        i = (n * len(self.researchers) + client) % k
        return sorted({self.cadre_ids[i], self.cadre_ids[(i + 7) % k]})


@dataclass
class Phase:
    """One measured run of one path."""

    path: str
    round: int
    filings: int = 0
    wall_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)


def record_payload(world: World, client: int, n: int) -> dict[str, Any]:
    """A window-service record body, as tests/factories.py builds it."""
    return record_body(world.campaign, world.cadres_for(client, n),
                       title=f"窗口服务纪实 第{client}-{n}次")


def evidence_payload(world: World, cadre_id: int, record_id: int, title: str) -> dict[str, Any]:
    """An evidence body citing the record just filed."""
    return {"cadre_id": cadre_id, "campaign_id": world.campaign_id, "team_id": world.team_id,
            "domain": "livelihood", "title": title,
            "description": "窗口服务中现场解决群众反映的不动产登记积压问题，推动压缩办理时限。",
            "period_start": "2024-01-01", "period_end": "2024-06-30",
            "metrics": [{"name": "办件量", "value": 12, "unit": "件"},
                        {"name": "解决问题", "value": 3, "unit": "个"}],
            "judgement": "positive", "record_ids": [record_id]}


def _who(who: Researcher) -> Principal:
    return Principal(who.user_id, who.username, who.username, Role.researcher, SOURCE_IP)


def _entry(who: Researcher, action: str, object_type: str, object_id: int,
           details: dict[str, Any]) -> NewEntry:
    return NewEntry(clock.now(), who.user_id, who.username, action, object_type, str(object_id),
                    SOURCE_IP, details)


async def raw_audit(conn: asyncpg.Connection, who: Researcher, action: str, object_type: str,
                    object_id: int, details: dict[str, Any]) -> None:
    """Write the audit entry with the service's own insert (queued for the sealer)."""
    await insert_entries(conn, [_entry(who, action, object_type, object_id, details)])


async def outbox(conn: asyncpg.Connection, rows: set[tuple[str, int]]) -> None:
    """Queue index updates and notify the indexer, in one statement as the service does."""
    ordered = sorted(rows)
    await conn.execute(SQL_OUTBOX, [t for t, _ in ordered], [i for _, i in ordered])


async def raw_record(pool: asyncpg.Pool, world: World, who: Researcher,
                     body: dict[str, Any]) -> asyncpg.Record:
    """File one record with the service's statements (see the list above); the reloaded row."""
    key = f"bench-{uuid.uuid4().hex}"
    occurred_on = date.fromisoformat(body["occurred_on"])
    cadre_ids: list[int] = body["cadre_ids"]
    async with pool.acquire() as conn, conn.transaction():
        assert await conn.fetchval(SQL_IDEM_INSERT, who.user_id, key, fingerprint("record.create", body))
        team = await conn.fetchrow(SQL_TEAM_FOR_FILING, who.user_id, world.campaign_id, world.team_id)
        assert team is not None and team["starts_on"] <= occurred_on <= team["ends_on"]
        assert not await conn.fetch(SQL_OUTSIDE_ASSIGNMENT, world.team_id, cadre_ids)
        assert not await campaigns_repo.cadres_outside_scope(conn, _who(who), cadre_ids)
        record_id: int = await conn.fetchval(
            SQL_RECORD_INSERT, world.campaign_id, world.team_id, who.user_id, body["kind"],
            occurred_on, body["place"], body["title"], body["body"], body["details"], "submitted")
        await conn.execute(SQL_LINKS["field_record_cadres"], record_id, sorted(set(cadre_ids)))
        await conn.execute(SQL_LINKS["record_attachments"], record_id, [])
        row = await records_repo.get_visible(conn, _who(who), record_id)
        assert row is not None
        snapshot = dict(row)  # the jsonb codec serialises dates with str(), like model_dump(mode="json")
        await conn.fetch(SQL_EVIDENCE_IDS_OF, record_id)
        await conn.execute(SQL_REVISION, "record", record_id, row["version"], "create", who.user_id,
                           {}, snapshot)
        logs = await raw_service_logs(conn, who, row, body)
        await conn.execute(SQL_IDEM_UPDATE, who.user_id, key, snapshot)
        await outbox(conn, {("record", record_id), *(("cadre", c) for c in row["cadre_ids"])})
        await insert_entries(conn, [
            _entry(who, "record.create", "record", record_id, {"version": row["version"]}),
            *(_entry(who, "service_log.create", "service_log", log["id"],
                     {"version": log["version"], "cadre_id": log["cadre_id"], "record_id": record_id})
              for log in logs)])
    return row


async def raw_service_logs(conn: asyncpg.Connection, who: Researcher, record: asyncpg.Record,
                           body: dict[str, Any]) -> list[asyncpg.Record]:
    """The service log the service keeps per cadre of a window-service record, with its revision."""
    assert not await service_logs_repo.linked_to_record(conn, record["id"])
    details = body["details"]
    data = {"served_on": record["occurred_on"], "place": record["place"][:200],
            "items_handled": details["items_handled"], "problems_solved": details["problems_solved"],
            "rectification_proposals": details["rectification_proposals"],
            "processes_improved": details["processes_improved"],
            "notes": f"调研记录 FR-{record['id']:06d}：{record['title']}", "record_id": record["id"]}
    logs = []
    for cadre_id in sorted(set(record["cadre_ids"])):
        log_id = await service_logs_repo.insert_for_record(conn, data, cadre_id, who.user_id)
        assert log_id is not None
        log = await service_logs_repo.get_by_id(conn, log_id)
        assert log is not None
        await conn.execute(SQL_REVISION, "service_log", log_id, log["version"], "create", who.user_id,
                           {"record_id": record["id"]}, dict(log))
        logs.append(log)
    return logs


async def raw_evidence(pool: asyncpg.Pool, world: World, who: Researcher,
                       body: dict[str, Any]) -> asyncpg.Record:
    """File one evidence item with the service's statements (see the list above); the reloaded row."""
    key = f"bench-{uuid.uuid4().hex}"
    cadre_id: int = body["cadre_id"]
    record_ids: list[int] = body["record_ids"]
    async with pool.acquire() as conn, conn.transaction():
        assert await conn.fetchval(SQL_IDEM_INSERT, who.user_id, key,
                                   fingerprint("evidence.create", body))
        assert await conn.fetchrow(SQL_CADRE_VISIBLE, cadre_id, who.user_id) is not None
        assert await conn.fetchrow(SQL_TEAM_FOR_FILING, who.user_id, world.campaign_id,
                                   world.team_id) is not None
        assert await conn.fetchval(SQL_VISIBLE_RECORD_COUNT, who.user_id,
                                   list(set(record_ids))) == len(set(record_ids))
        evidence_id: int = await conn.fetchval(
            SQL_EVIDENCE_INSERT, cadre_id, body["domain"], body["title"], body["description"],
            date.fromisoformat(body["period_start"]), date.fromisoformat(body["period_end"]),
            body["metrics"], body["judgement"], world.campaign_id, world.team_id, who.user_id)
        await conn.execute(SQL_LINKS["evidence_records"], evidence_id, sorted(set(record_ids)))
        await conn.execute(SQL_LINKS["evidence_attachments"], evidence_id, [])
        row = await evidence_repo.get_visible(conn, _who(who), evidence_id)
        assert row is not None
        snapshot = dict(row)
        await conn.execute(SQL_REVISION, "evidence", evidence_id, row["version"], "create",
                           who.user_id, {}, snapshot)
        await conn.execute(SQL_IDEM_UPDATE, who.user_id, key, snapshot)
        await outbox(conn, {("evidence", evidence_id), ("cadre", cadre_id)})
        await raw_audit(conn, who, "evidence.create", "evidence", evidence_id,
                        {"version": row["version"], "cadre_id": cadre_id})
    return row


async def raw_client(pool: asyncpg.Pool, world: World, client: int, start: int, count: int,
                     latencies: list[float]) -> None:
    """One raw client: record then evidence, count times, timing each filing."""
    who = world.researchers[client]
    for n in range(start, start + count):
        t0 = time.perf_counter()
        body = record_payload(world, client, n)
        record_id: int = (await raw_record(pool, world, who, body))["id"]
        await raw_evidence(pool, world, who, evidence_payload(world, body["cadre_ids"][0], record_id,
                                                              body["title"]))
        latencies.append((time.perf_counter() - t0) * 1000)


async def api_client(conn: Connection, world: World, client: int, start: int, count: int,
                     latencies: list[float]) -> None:
    """One HTTP client (lean: prepared bytes, kept-alive): POST a record then its evidence."""
    target, headers = conn.target, world.researchers[client].headers
    for n in range(start, start + count):
        t0 = time.perf_counter()
        body = record_payload(world, client, n)
        status, answer = await conn.send(target.post_json(
            "/api/records", body, {**headers, "Idempotency-Key": f"bench-{uuid.uuid4().hex}"}))
        if status != 201:
            raise RuntimeError(f"POST /api/records -> {status}: {answer[:300]!r}")
        record_id: int = json.loads(answer)["id"]
        status, answer = await conn.send(target.post_json(
            "/api/evidence", evidence_payload(world, body["cadre_ids"][0], record_id, body["title"]),
            {**headers, "Idempotency-Key": f"bench-{uuid.uuid4().hex}"}))
        if status != 201:
            raise RuntimeError(f"POST /api/evidence -> {status}: {answer[:300]!r}")
        latencies.append((time.perf_counter() - t0) * 1000)


ClientFn = Callable[[int, int, int, list[float]], Awaitable[None]]


def split(total: int, clients: int) -> list[int]:
    """Filings per client so that they add up to total."""
    return [total // clients + (1 if c < total % clients else 0) for c in range(clients)]


async def run_phase(path: str, rnd: int, filings: int, clients: int, start: int,
                    one: ClientFn, meter: CpuMeter | None) -> Phase:
    """Run clients concurrently, filing `filings` in all; measure wall time and CPU."""
    phase = Phase(path, rnd)
    per: list[list[float]] = [[] for _ in range(clients)]
    before = meter.sample() if meter else None
    t0 = time.perf_counter()
    await asyncio.gather(*(one(c, start, n, per[c]) for c, n in enumerate(split(filings, clients))))
    phase.wall_s = time.perf_counter() - t0
    if meter and before:
        phase.cpu = CpuMeter.delta(before, meter.sample())
    phase.latencies_ms = [x for lat in per for x in lat]
    phase.filings = len(phase.latencies_ms)
    return phase


async def build_world(base_url: str, pool: asyncpg.Pool, researchers: int, cadres: int) -> World:
    """Admin, unit tree, an officer, researchers in one open campaign team, cadres — via the API."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        api = Api(http, pool)
        await api.setup()
        district, bureau = api.units["d1"], api.units["d1_bureau"]
        _, officer = await api.user("officer", scopes=[district])
        accounts = [await api.user("researcher") for _ in range(researchers)]
        cadre_ids = [(await api.cadre(officer, bureau if i % 3 else district))["id"]
                     for i in range(cadres)]
        campaign = await campaign_with_team(api, officer, [uid for uid, _ in accounts], [district])
    async with pool.acquire() as conn:
        names = dict(await conn.fetch("SELECT id, username FROM users WHERE id = ANY($1::bigint[])",
                                      [uid for uid, _ in accounts]))
    return World(campaign, cadre_ids, [Researcher(uid, names[uid], h) for uid, h in accounts])


def summarize(phases: list[Phase]) -> tuple[int, float, float, float, dict[str, float]]:
    """Filings, filings/s, p50 ms, p95 ms, CPU ms per filing and machine % over phases of one path."""
    filings = sum(p.filings for p in phases)
    wall = sum(p.wall_s for p in phases)
    lat = [x for p in phases for x in p.latencies_ms]
    cpu: dict[str, float] = {}
    for p in phases:
        for k, v in p.cpu.items():
            if k.startswith("machine"):  # fractions of the machine: weight by wall time
                cpu[f"{k} %"] = cpu.get(f"{k} %", 0.0) + 100 * v * p.wall_s / wall
            else:
                cpu[k] = cpu.get(k, 0.0) + v * 1000 / filings
    return filings, filings / wall, percentile(lat, 50), percentile(lat, 95), cpu


SERVER_CPU = {"API": "API server CPU ms/filing", "floor": "floor server CPU ms/filing"}
CPU_KEYS = ["bench process CPU ms/filing", *SERVER_CPU.values(), "PostgreSQL CPU ms/filing"]


def round_order(rnd: int, floor: bool) -> tuple[str, ...]:
    """Odd rounds API first, even rounds raw first; the floor between them."""
    names = ("API", "floor", "raw") if floor else ("API", "raw")
    return names if rnd % 2 else names[::-1]


async def bench(db: BenchDatabase, server: RunningServer, floor: RunningServer | None,
                args: argparse.Namespace) -> None:
    """Build the world, warm the paths up, run the rounds and print the results."""
    clients: int = args.concurrency
    rounds: int = args.rounds
    per_phase = max(clients, args.records // rounds)
    setup_pool = await create_pool(db.url, 1, 4)
    raw_pool = await create_pool(db.url, clients, clients)
    try:
        t0 = time.perf_counter()
        world = await build_world(server.base_url, setup_pool, clients, args.cadres)
        setup_s = time.perf_counter() - t0
        async with setup_pool.acquire() as conn:
            pg_pid = await postmaster_pid(conn)
        meter = CpuMeter({CPU_KEYS[0]: os.getpid(), SERVER_CPU["API"]: server.pid,
                          SERVER_CPU["floor"]: floor.pid if floor else None, CPU_KEYS[-1]: pg_pid})
        https = {name: [Connection(Target.of(s.base_url)) for _ in world.researchers]
                 for name, s in (("API", server), ("floor", floor)) if s is not None}
        try:
            def http_path(name: str) -> ClientFn:
                def one(c: int, start: int, count: int, lat: list[float]) -> Awaitable[None]:
                    return api_client(https[name][c], world, c, start, count, lat)
                return one

            def raw_one(c: int, start: int, count: int, lat: list[float]) -> Awaitable[None]:
                return raw_client(raw_pool, world, c, start, count, lat)

            paths: dict[str, ClientFn] = {name: http_path(name) for name in https}
            paths["raw"] = raw_one
            cursor = 0
            for name in paths:  # warm-up: connections, prepared statements, caches
                await run_phase(name, 0, clients * args.warmup, clients, cursor, paths[name], None)
                cursor += args.warmup
            phases: list[Phase] = []
            order: list[str] = []
            for rnd in range(1, rounds + 1):
                for name in round_order(rnd, floor is not None):
                    phases.append(await run_phase(name, rnd, per_phase, clients, cursor,
                                                  paths[name], meter))
                    cursor += per_phase // clients + 1
                    order.append(name)
        finally:
            for conns in https.values():
                for h in conns:
                    await h.close()
    finally:
        await raw_pool.close()
        await setup_pool.close()
    print(f"CPUs available: {cpu_count()} (os.cpu_count()={os.cpu_count()})")
    print(f"database: {db.origin}")
    print(f"API server: uvicorn subprocess pid {server.pid} at {server.base_url} "
          f"(JSON access log to {server.log_path.name}); raw: asyncpg pool of {clients} in-process")
    if floor:
        print(f"floor server: bench.floor_app (bare FastAPI + the raw statements) pid {floor.pid}")
    print(f"clients: {clients} concurrent researchers; {per_phase} filings per phase; "
          f"one filing = record + evidence (2 transactions); warm-up {args.warmup} per client per path")
    print(f"order: warm-up {', '.join(paths)}, then {' -> '.join(order)}; world built in "
          f"{setup_s:.1f}s ({len(world.cadre_ids)} cadres)")
    print()
    report(phases, list(paths))


def _phase_row(p: Phase) -> list[object]:
    server = p.cpu.get(SERVER_CPU[p.path], float("nan")) if p.path in SERVER_CPU else float("nan")
    return [p.path, p.round, p.filings, p.wall_s, p.filings / p.wall_s,
            percentile(p.latencies_ms, 50), percentile(p.latencies_ms, 95),
            p.cpu.get(CPU_KEYS[0], float("nan")) * 1000 / p.filings, server * 1000 / p.filings,
            p.cpu.get(CPU_KEYS[-1], float("nan")) * 1000 / p.filings,
            100 * p.cpu.get("machine busy", float("nan")), 100 * p.cpu.get("machine other", float("nan"))]


def report(phases: list[Phase], names: list[str]) -> None:
    """Per-phase table, per-path summary, CPU split, capacity and the verdicts."""
    print_table(["path", "round", "filings", "wall s", "filings/s", "p50 ms", "p95 ms",
                 "bench cpu ms", "server cpu ms", "pg cpu ms", "busy %", "others %"],
                [_phase_row(p) for p in phases])
    print()
    sums = {name: summarize([p for p in phases if p.path == name]) for name in names}
    raw = sums["raw"]
    labels = {"API": "API (HTTP, uvicorn)", "floor": "floor (bare FastAPI, same SQL)",
              "raw": "raw (asyncpg, same SQL)"}
    table: list[list[object]] = [[labels[n], s[0], s[1], s[2], s[3]] for n, s in sums.items()]
    table += [[f"ratio {n}/raw", "", s[1] / raw[1], s[2] / raw[2], s[3] / raw[3]]
              for n, s in sums.items() if n != "raw"]
    print_table(["path", "filings", "filings/s", "p50 ms", "p95 ms"], table)
    print()
    keys = [k for k in (*CPU_KEYS, "machine busy %", "machine iowait %", "machine other %")
            if any(k in s[4] for s in sums.values())]
    print_table(["CPU (per filing, all rounds; 'other' = processes not in this benchmark)", *names],
                [[k, *(s[4].get(k, float("nan")) for s in sums.values())] for k in keys])
    print()
    cpus = cpu_count()
    raw_ms = raw[4].get(CPU_KEYS[0], float("nan")) + raw[4].get(CPU_KEYS[-1], float("nan"))
    for name in (n for n in names if n in SERVER_CPU):
        # What the service itself costs: the HTTP load generator's CPU is left out, the driving
        # process (which is the "application" there) is kept for raw.
        ms = sums[name][4].get(SERVER_CPU[name], float("nan")) + sums[name][4].get(CPU_KEYS[-1],
                                                                                    float("nan"))
        print(f"CPU-bound capacity on {cpus} CPUs without the load generator: {name} "
              f"{cpus * 1000 / ms:.0f} filings/s ({ms:.2f} CPU ms/filing: server + PostgreSQL), "
              f"raw {cpus * 1000 / raw_ms:.0f} ({raw_ms:.2f}: driver + PostgreSQL), "
              f"ratio {raw_ms / ms:.2f}")
    api = sums["API"]
    ratio = api[1] / raw[1]
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    p95 = api[3] / raw[3]
    print(f"throughput ratio API/raw = {ratio:.2f} ({verdict} the {TARGET_RATIO:.1f}x target); "
          f"latency ratio p50 {api[2] / raw[2]:.2f}, p95 {p95:.2f} "
          f"({'meets' if p95 <= 2 else 'ABOVE'} the 2x p95 target)")
    if "floor" in sums:
        fl = sums["floor"]
        print(f"framework floor: floor/raw = {fl[1] / raw[1]:.2f} (the most FastAPI + uvicorn + "
              f"asyncpg reach here with the same SQL); API/floor = {api[1] / fl[1]:.2f}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--records", type=int, default=2000,
                        help="filings per path, over all rounds (default 2000)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="measured rounds; odd rounds run API first, even rounds raw first")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured filings per client per path")
    parser.add_argument("--cadres", type=int, default=50, help="cadres in the district (default 50)")
    parser.add_argument("--quick", action="store_true", help="small run: 200 filings per path")
    parser.add_argument("--no-floor", dest="floor", action="store_false",
                        help="skip the framework floor path (bench.floor_app)")
    parser.add_argument("--request-concurrency", type=int, default=None,
                        help="the API server's admission gate (CADRE_REQUEST_CONCURRENCY; default: "
                             "the service's default)")
    args = parser.parse_args(argv)
    if args.quick:
        args.records = 200
        args.warmup = min(args.warmup, 2)
    if args.concurrency < 1 or args.records < 1 or args.rounds < 1 or args.cadres < 2:
        parser.error("concurrency, records and rounds must be positive, cadres at least 2")
    return args


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop if installed (uvicorn uses it too), for the clients and the raw baseline alike."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def main(argv: list[str] | None = None) -> None:
    """Set up a database and the API server, then run the benchmark."""
    args = parse_args(argv)
    with bench_database() as db, tempfile.TemporaryDirectory(prefix="cadre-bench-") as tmp:
        upgrade_head(db.url)
        gate = ({} if args.request_concurrency is None
                else {"CADRE_REQUEST_CONCURRENCY": str(args.request_concurrency)})
        with api_server(db.url, Path(tmp), extra_env=gate) as server, \
                (api_server(db.url, Path(tmp), module="bench.floor_app") if args.floor
                 else nullcontext()) as floor, \
                asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(bench(db, server, floor, args))


if __name__ == "__main__":
    main()
