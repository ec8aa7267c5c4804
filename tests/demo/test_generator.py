"""The demo data generator: determinism, consistency of every generated row, safe reloads."""

import asyncio
import json
import os
import random
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date

import asyncpg
import pytest
from pydantic import TypeAdapter

from schemas.cadres import validate_national_id
from schemas.evidence import Metric
from schemas.records import Details
from service.access.repo import team_assignment_members_sql
from service.auth.passwords import verify_password
from service.demo import (
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    DemoDataExists,
    DemoSummary,
    generator,
    load_demo,
    vocab,
)
from service.demo.texts import Slots
from service.migrate import upgrade_head

REF = date(2026, 11, 1)
SERVER = os.environ.get("CADRE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CHECKSUMS = {
    "units": "SELECT md5(string_agg(concat_ws('|', id, code, name, kind, parent_id, path, "
             "ancestor_ids, depth), ',' ORDER BY id)) FROM units",
    "users": "SELECT md5(string_agg(concat_ws('|', id, username, display_name, role), ',' "
             "ORDER BY id)) FROM users",
    "cadres": "SELECT md5(string_agg(name || birth_date || national_id || unit_id || post, ',' "
              "ORDER BY id)) FROM cadres",
    "career": "SELECT md5(string_agg(concat_ws('|', cadre_id, start_date, end_date, unit_name, "
              "post), ',' ORDER BY id)) FROM career_entries",
    "records": "SELECT md5(string_agg(concat_ws('|', id, team_id, author_id, occurred_on, title, "
               "body, details::text, state, submitted_at), ',' ORDER BY id)) FROM field_records",
    "record_cadres": "SELECT md5(string_agg(record_id || ':' || cadre_id, ',' "
                     "ORDER BY record_id, cadre_id)) FROM field_record_cadres",
    "evidence": "SELECT md5(string_agg(concat_ws('|', id, cadre_id, title, description, "
                "metrics::text, verification, verified_at), ',' ORDER BY id)) FROM evidence",
    "assignments": "SELECT md5(string_agg(concat_ws('|', id, team_id, unit_id, cadre_id), ',' "
                   "ORDER BY id)) FROM team_assignments",
}


def _url(name: str) -> str:
    return SERVER.rpartition("/")[0] + "/" + name


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(SERVER)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


Factory = Callable[[], Awaitable[asyncpg.Connection]]


@pytest.fixture(scope="module")
async def fresh_db() -> AsyncIterator[Factory]:
    """Creates fresh migrated databases on demand; drops them all at the end."""
    made: list[tuple[str, asyncpg.Connection]] = []

    async def make() -> asyncpg.Connection:
        name = f"demo_test_{os.getpid()}_{secrets.token_hex(3)}"
        await _admin(f'CREATE DATABASE "{name}"')
        await asyncio.to_thread(upgrade_head, _url(name))
        conn = await asyncpg.connect(_url(name))
        made.append((name, conn))
        return conn

    yield make
    for name, conn in made:
        await conn.close()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
async def loaded(fresh_db: Factory) -> tuple[asyncpg.Connection, DemoSummary]:
    """A database holding the default demo data set."""
    conn = await fresh_db()
    summary = await load_demo(conn, progress=False, story=False)  # the story: tests/demo/test_story.py
    return conn, summary


async def _checksums(conn: asyncpg.Connection) -> dict[str, str]:
    return {k: await conn.fetchval(sql) for k, sql in CHECKSUMS.items()}


async def test_summary_counts_match_tables(loaded: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn, summary = loaded
    assert summary.usernames == list(DEMO_USERNAMES) and summary.password == DEMO_PASSWORD
    for table, count in summary.counts.items():
        assert await conn.fetchval(f"SELECT count(*) FROM {table}") == count, table
    assert summary.counts["cadres"] == 200
    assert 1500 <= summary.counts["field_records"] <= 2500
    assert 1500 <= summary.counts["evidence"] <= 2500
    assert await conn.fetchval("SELECT count(*) FROM attachments") == 0
    print(f"\n200 cadres: {summary}")


async def test_same_seed_gives_identical_data(loaded: tuple[asyncpg.Connection, DemoSummary],
                                              fresh_db: Factory) -> None:
    again = await fresh_db()
    await load_demo(again, progress=False, story=False)
    assert await _checksums(again) == await _checksums(loaded[0])
    other = await fresh_db()
    await load_demo(other, cadres=20, seed=7, progress=False)
    assert (await _checksums(other))["cadres"] != (await _checksums(again))["cadres"]


async def test_child_process_generation_matches_in_process(
        fresh_db: Factory, monkeypatch: pytest.MonkeyPatch) -> None:
    sums = []
    for threshold in (2, 100):  # 2 chunks: via the worker process, then in-process
        monkeypatch.setattr(generator, "PROCESS_MIN_CHUNKS", threshold)
        conn = await fresh_db()
        # The story after the bulk rows does not depend on where the chunks were generated.
        await load_demo(conn, cadres=1001, records_per_cadre=1, evidence_per_cadre=1,
                        progress=False, story=False)
        sums.append(await _checksums(conn))
    assert sums[0] == sums[1]


async def test_national_ids_valid_and_match_profile(
        loaded: tuple[asyncpg.Connection, DemoSummary]) -> None:
    rows = await loaded[0].fetch("SELECT national_id, birth_date, gender FROM cadres")
    assert len({r["national_id"] for r in rows}) == len(rows)
    for r in rows:
        nid = validate_national_id(r["national_id"])
        assert nid[6:14] == r["birth_date"].strftime("%Y%m%d")
        assert int(nid[16]) % 2 == (1 if r["gender"] == "male" else 0)


async def test_cadre_profiles_plausible(loaded: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn = loaded[0]
    for r in await conn.fetch("SELECT * FROM cadres"):
        age = REF.year - r["birth_date"].year - (
            (REF.month, REF.day) < (r["birth_date"].month, r["birth_date"].day))
        assert 28 <= age <= 59
        assert r["work_start_date"] <= REF and r["work_start_date"] > r["birth_date"]
        expected = "city_managed" if (r["post_level"] or "").startswith("division") or (
            r["rank"] or "").startswith("researcher") else "district_managed"
        assert r["tier"] == expected
    heads = await conn.fetchval("SELECT count(*) - count(DISTINCT unit_id) FROM cadres "
                                "WHERE is_unit_head")
    assert heads == 0
    # Exactly one open resume line per cadre, at the current unit; lines do not overlap.
    bad = await conn.fetchval("""
        SELECT count(*) FROM cadres c WHERE (SELECT count(*) FROM career_entries e
          WHERE e.cadre_id = c.id AND e.end_date IS NULL AND e.unit_id = c.unit_id) <> 1""")
    assert bad == 0
    overlaps = await conn.fetchval("""
        SELECT count(*) FROM career_entries a JOIN career_entries b
          ON a.cadre_id = b.cadre_id AND a.id < b.id
         AND daterange(a.start_date, a.end_date, '[]') && daterange(b.start_date, b.end_date, '[]')""")
    assert overlaps == 0
    years = await conn.fetchval("SELECT array_agg(DISTINCT year ORDER BY year) FROM appraisals")
    assert years == [2021, 2022, 2023, 2024, 2025]


async def test_unit_tree_consistent(loaded: tuple[asyncpg.Connection, DemoSummary]) -> None:
    units = {r["id"]: r for r in await loaded[0].fetch("SELECT * FROM units")}
    roots = [u for u in units.values() if u["parent_id"] is None]
    assert len(roots) == 1 and roots[0]["code"] == "C" and roots[0]["depth"] == 0
    assert {u["kind"] for u in units.values()} == {
        "city", "district", "department", "town", "street", "community", "task_force",
        "enterprise"}
    for u in units.values():
        expected = [u["id"]] if u["parent_id"] is None else [
            *units[u["parent_id"]]["ancestor_ids"], u["id"]]
        assert list(u["ancestor_ids"]) == expected
        assert u["path"] == "/" + "/".join(map(str, expected)) + "/"
        assert u["depth"] == len(expected) - 1
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,32}", u["code"])


async def test_records_consistent(loaded: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn = loaded[0]
    rows = await conn.fetch("""
        SELECT r.*, c.starts_on, c.ends_on, c.status, t.campaign_id AS team_campaign,
               EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = r.team_id
                        AND m.user_id = r.author_id) AS author_in_team,
               (SELECT count(*) FROM field_record_cadres f WHERE f.record_id = r.id) AS cadres
          FROM field_records r JOIN campaigns c ON c.id = r.campaign_id
          JOIN teams t ON t.id = r.team_id""")
    adapter = TypeAdapter(Details)
    kinds = set()
    for r in rows:
        assert r["author_in_team"] and r["team_campaign"] == r["campaign_id"]
        assert r["starts_on"] <= r["occurred_on"] <= min(r["ends_on"], REF)
        assert 1 <= r["cadres"] <= 3
        assert (r["state"] == "submitted") == (r["submitted_at"] is not None)
        assert r["state"] == "submitted" or r["status"] == "open"
        details = adapter.validate_python(json.loads(r["details"]))
        assert details.kind == r["kind"]
        assert r["title"].strip() and r["body"].strip()
        kinds.add(r["kind"])
    assert len(kinds) == 6
    # Concerned cadres lie within what the record's team was assigned to study.
    # (A leadership-team assignment covers the team's members during the campaign.)
    outside = await conn.fetchval(f"""
        SELECT count(*) FROM field_record_cadres f JOIN field_records r ON r.id = f.record_id
          JOIN cadres c ON c.id = f.cadre_id JOIN units u ON u.id = c.unit_id
         WHERE NOT EXISTS (SELECT 1 FROM team_assignments a WHERE a.team_id = r.team_id
                   AND (a.cadre_id = c.id OR a.unit_id = ANY(u.ancestor_ids)
                        OR c.id IN ({team_assignment_members_sql('a')})))""")
    assert outside == 0
    for word in ("违建", "违章建筑", "招商引资", "老旧小区", "流动服务车", "专班"):
        assert await conn.fetchval("SELECT count(*) FROM field_records WHERE body LIKE $1",
                                   f"%{word}%") > 0, word


async def test_evidence_consistent(loaded: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn = loaded[0]
    adapter = TypeAdapter(list[Metric])
    rows = await conn.fetch("""
        SELECT e.*, v.role AS verifier_role FROM evidence e LEFT JOIN users v ON v.id = e.verified_by""")
    seen = set()
    for r in rows:
        metrics = adapter.validate_python(json.loads(r["metrics"]))
        assert 1 <= len(metrics) <= 50
        assert r["period_start"] <= r["period_end"] <= REF
        if r["verification"] == "claimed":
            assert r["verified_by"] is None and r["verified_at"] is None
        else:
            assert r["verifier_role"] == "officer" and r["verified_at"] is not None
        seen.add((r["judgement"], r["verification"]))
    assert {j for j, _ in seen} == {"positive", "negative"}
    assert {v for _, v in seen} == {"claimed", "verified", "disputed"}
    # Linked records concern the evidence's cadre and belong to its campaign team.
    bad = await conn.fetchval("""
        SELECT count(*) FROM evidence_records er JOIN evidence e ON e.id = er.evidence_id
          JOIN field_records r ON r.id = er.record_id
         WHERE r.state <> 'submitted' OR e.team_id IS DISTINCT FROM r.team_id
            OR NOT EXISTS (SELECT 1 FROM field_record_cadres f WHERE f.record_id = r.id
                             AND f.cadre_id = e.cadre_id)""")
    assert bad == 0
    assert await conn.fetchval("SELECT count(*) FROM evidence_records") > 0


async def test_users_scopes_and_teams(loaded: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn = loaded[0]
    users = {r["username"]: r for r in await conn.fetch("SELECT * FROM users")}
    assert set(users) == set(DEMO_USERNAMES)
    assert verify_password(users["admin"]["password_hash"], DEMO_PASSWORD)
    scopes = await conn.fetch("""SELECT u.username, s.tier, n.kind, n.name FROM user_scopes s
        JOIN users u ON u.id = s.user_id JOIN units n ON n.id = s.unit_id""")
    by_user = {s["username"]: s for s in scopes}
    assert by_user["officer"]["kind"] == "city" and by_user["officer"]["tier"] is None
    assert by_user["leader"]["kind"] == "city"
    assert by_user["officer_d01"]["kind"] == "district"
    in_open = await conn.fetchval("""SELECT count(*) FROM team_members m
        JOIN teams t ON t.id = m.team_id JOIN campaigns c ON c.id = t.campaign_id
        WHERE c.status = 'open' AND m.user_id = $1""", users["researcher"]["id"])
    assert in_open >= 1


class _Rollback(Exception):
    """Raised to undo a test's writes."""


async def test_refuses_second_load_and_identities_reset(
        loaded: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn, summary = loaded
    with pytest.raises(DemoDataExists):
        await load_demo(conn, progress=False)
    assert await conn.fetchval("SELECT count(*) FROM cadres") == summary.counts["cadres"]
    inserts = {
        "cadres": "INSERT INTO cadres (name, gender, birth_date, unit_id, post, tier) "
                  "SELECT '测试', 'male', '1980-01-01', min(id), '测试岗位', 'city_managed' "
                  "FROM units RETURNING id",
        "units": "WITH n AS (SELECT nextval(pg_get_serial_sequence('units', 'id')) AS id) "
                 "INSERT INTO units (id, code, name, kind, path, ancestor_ids, depth) "
                 "OVERRIDING SYSTEM VALUE SELECT id, 'T-1', '测试', 'city', '/' || id || '/', "
                 "ARRAY[id], 0 FROM n RETURNING id",
        "users": "INSERT INTO users (username, display_name, password_hash, role) "
                 "VALUES ('zz_test', '测试', 'x', 'admin') RETURNING id",
        "field_records": "INSERT INTO field_records (campaign_id, team_id, author_id, kind, "
                         "occurred_on, title, body, details) SELECT campaign_id, team_id, author_id, "
                         "kind, occurred_on, 't', 'b', details FROM field_records LIMIT 1 "
                         "RETURNING id",
        "evidence": "INSERT INTO evidence (cadre_id, domain, title, period_start, period_end, "
                    "created_by) SELECT cadre_id, domain, 't', period_start, period_end, "
                    "created_by FROM evidence LIMIT 1 RETURNING id",
    }
    with pytest.raises(_Rollback):
        async with conn.transaction():
            for table, sql in inserts.items():
                before = await conn.fetchval(f"SELECT max(id) FROM {table}")
                assert await conn.fetchval(sql) > before, table
            raise _Rollback


def test_every_template_fills() -> None:
    fixed = {"name": "张伟", "unit": "鼓楼区住建局", "dist": "鼓楼区", "tf": "江州市城市更新专班",
             "m": "10", "d": "8", "year": "2026", "q": "四", "place": "会议室", "short": "滞后"}
    groups = [*vocab.SENTENCES.values(), *vocab.OPENERS.values(), *vocab.CLOSERS.values(),
              *vocab.TITLES.values(), *vocab.PROJECTS.values(), *vocab.EVIDENCE_TITLES.values(),
              *vocab.METRIC_TITLES.values(), vocab.CONTESTS, vocab.NEGATIVE_SENTENCES]
    for domain in vocab.DOMAINS:
        slots = Slots(random.Random(1), domain, fixed)
        for group in groups:
            for template in group:
                assert "{" not in template.format_map(slots), template


async def test_leadership_story_has_five_teams_talks_rounds_an_archive_and_a_draft(
        loaded: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn, _ = loaded
    campaign = await conn.fetchrow("SELECT * FROM campaigns WHERE name = '2026年市管领导班子专题调研'")
    assert campaign is not None and (campaign["ends_on"] - campaign["starts_on"]).days == 60
    teams = await conn.fetchval("SELECT count(*) FROM teams WHERE campaign_id = $1", campaign["id"])
    studied = await conn.fetchval(
        "SELECT count(DISTINCT ta.team_unit_id) FROM team_assignments ta JOIN teams t ON t.id = ta.team_id "
        "WHERE t.campaign_id = $1", campaign["id"])
    kinds = dict(await conn.fetch(
        "SELECT kind, count(*) FROM field_records WHERE campaign_id = $1 GROUP BY 1", campaign["id"]))
    rounds = await conn.fetchval("SELECT count(*) FROM evaluation_rounds WHERE campaign_id = $1",
                                 campaign["id"])
    assert teams == 5 and studied >= 5 and rounds >= 5
    assert kinds["interview"] >= studied and kinds["site_visit"] == rounds  # one visit per team
    finished = await conn.fetchval("SELECT count(*) FROM archive_conclusions WHERE campaign_id = $1 "
                                   "AND cadre_id IS NULL", campaign["id"])
    assert finished == 1
    draft = await conn.fetchrow(
        "SELECT d.*, p.stage FROM inspection_drafts d JOIN promotions p ON p.id = d.promotion_id")
    assert draft is not None and draft["stage"] == "recommendation"
    assert "同志考察材料" in draft["title"]
