"""The demo tells the story of a year: every figure checked in the database after a load."""

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest

from schemas import clock
from service.demo import DemoSummary, load_demo
from service.migrate import upgrade_head

SERVER = os.environ.get("CADRE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Not the real date, and a year the official holiday calendar does not list yet: the story must
# follow the business clock, whatever day it is.
TODAY = date(2027, 1, 20)


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(SERVER)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def story() -> AsyncIterator[tuple[asyncpg.Connection, DemoSummary]]:
    """The default demo (200 cadres) loaded with the business clock at TODAY (08:00 in Beijing)."""
    name = f"story_test_{os.getpid()}_{secrets.token_hex(3)}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = SERVER.rpartition("/")[0] + "/" + name
    await asyncio.to_thread(upgrade_head, url)
    conn = await asyncpg.connect(url)
    try:
        with clock.frozen(datetime(TODAY.year, TODAY.month, TODAY.day, 0, 0, tzinfo=UTC)):
            summary = await load_demo(conn, progress=False)
        yield conn, summary
    finally:
        await conn.close()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_ten_districts_are_scored_in_four_quarters_with_stars_ranks_and_seats(
        story: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn, _ = story
    periods = await conn.fetch("SELECT id, code, state, ends_on FROM assessment_periods ORDER BY starts_on")
    assert [p["code"] for p in periods] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert [p["state"] for p in periods] == ["locked", "locked", "locked", "published"]
    assert all(p["ends_on"] < TODAY for p in periods)
    for p in periods:
        rows = await conn.fetch("SELECT seat, rank, stars FROM assessment_results WHERE period_id = $1 "
                                "AND complete ORDER BY seat", p["id"])
        assert [r["seat"] for r in rows] == list(range(1, 11))
        assert rows[0]["rank"] == 1 and sum(r["stars"] for r in rows) >= 4
    names = await conn.fetch("SELECT name FROM assessment_indicators WHERE period_id = $1 ORDER BY position",
                             periods[0]["id"])
    assert [n["name"] for n in names] == ["经济运行", "项目签约落地", "城市更新"]


async def test_district_leaders_present_in_four_arena_contests_and_the_latest_creates_evidence(
        story: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn, _ = story
    counts = await conn.fetch("""SELECT ct.id, count(DISTINCT cp.id) AS n,
          count(DISTINCT cs.presentation_id) AS scored
        FROM contests ct JOIN contest_presentations cp ON cp.contest_id = ct.id
        LEFT JOIN contest_scores cs ON cs.presentation_id = cp.id
        WHERE ct.level = 'district_head' GROUP BY ct.id ORDER BY ct.id""")
    assert len(counts) == 4 and all(c["n"] == 10 and c["scored"] == 10 for c in counts)
    judged = await conn.fetch("""SELECT e.judgement FROM contest_presentation_evidence pe
        JOIN evidence e ON e.id = pe.evidence_id ORDER BY e.judgement""")
    assert [j["judgement"] for j in judged] == ["negative", "positive"]


async def test_129_cadres_are_seconded_to_6_task_forces_and_one_logs_563_354_109(
        story: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn, _ = story
    assert await conn.fetchval("SELECT count(DISTINCT cadre_id) FROM secondment_placements") == 129
    assert await conn.fetchval("SELECT count(*) FROM secondment_task_forces") == 6
    sums = await conn.fetch("""SELECT u.name, m.code, sum(v.value)::int AS total
        FROM task_force_metric_values v JOIN task_force_metrics m ON m.id = v.metric_id
        JOIN units u ON u.id = v.task_force_unit_id WHERE u.name LIKE '%招商引资专班'
        GROUP BY u.name, m.code ORDER BY m.code""")
    assert {s["code"]: s["total"] for s in sums} == {"client_contacts": 563, "negotiations": 354,
                                                    "project_starts": 109}
    assert await conn.fetchval("SELECT max(recorded_on) FROM task_force_metric_values") <= TODAY


async def test_leaders_serve_at_windows_60_times_handling_400_items_and_improving_processes(
        story: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn, _ = story
    row = await conn.fetchrow("""SELECT count(*) AS sessions, sum(items_handled) AS items,
          sum(cardinality(processes_improved)) AS improved, max(served_on) AS last
        FROM service_logs WHERE kind = 'window_service' AND voided_at IS NULL""")
    assert row["sessions"] >= 60 and row["items"] >= 400 and row["improved"] >= 5
    assert row["last"] <= TODAY


async def test_positions_have_saved_shortlist_versions(story: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn, _ = story
    versions = await conn.fetch("SELECT position_id, count(*) AS n FROM shortlist_versions "
                                "GROUP BY position_id ORDER BY position_id")
    assert len(versions) == 3 and versions[0]["n"] == 2
    assert await conn.fetchval("SELECT count(*) FROM shortlist_marks WHERE action = 'pin'") == 1


async def test_promotion_records_stand_in_every_stage_relative_to_today(
        story: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn, _ = story
    running = {r["stage"]: r["n"] for r in await conn.fetch(
        "SELECT stage, count(*) AS n FROM promotions WHERE status = 'in_progress' GROUP BY stage")}
    assert set(running) == {"motion", "recommendation", "inspection", "decision", "notice"}
    notice = await conn.fetchrow("""SELECT s.stage_date, s.end_date FROM promotion_stages s
        JOIN promotions p ON p.id = s.promotion_id WHERE p.status = 'in_progress' AND s.stage = 'notice'""")
    assert notice["stage_date"] <= TODAY <= notice["end_date"]
    status = {r["status"]: r["n"] for r in await conn.fetch(
        "SELECT status, count(*) AS n FROM promotions GROUP BY status")}
    assert status["cancelled"] == 1 and status["on_probation"] >= 1 and status["confirmed"] >= 1
    assert status["appointed"] + status["on_probation"] + status["confirmed"] >= 50
    assert await conn.fetchval("SELECT max(appointed_on) FROM promotions") <= TODAY
    section = await conn.fetchval("""SELECT count(*) FROM promotions WHERE kind = 'post_promotion'
        AND post_level_after = 'section_main' AND appointed_on IS NOT NULL""")
    assert section >= 23
    by_district = await conn.fetchval("""SELECT max(n) FROM (SELECT count(*) AS n FROM promotions p
        JOIN units u ON u.id = p.target_unit_id JOIN units d ON d.kind = 'district'
         AND (d.id = u.id OR d.id = ANY(u.ancestor_ids))
        WHERE p.kind = 'rank_promotion' AND p.appointed_on IS NOT NULL GROUP BY d.id) x""")
    assert by_district >= 12


async def test_appointments_changed_the_cadres_they_name(
        story: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn, _ = story
    wrong = await conn.fetchval("""SELECT count(*) FROM promotions p JOIN cadres c ON c.id = p.cadre_id
        WHERE p.kind = 'post_promotion' AND p.appointed_on IS NOT NULL
          AND (c.post <> p.target_post OR c.unit_id <> p.target_unit_id)""")
    assert wrong == 0


async def test_the_story_leaves_resumes_and_heads_consistent(
        story: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn, _ = story
    assert await conn.fetchval("""SELECT count(*) FROM cadres c WHERE (SELECT count(*) FROM career_entries e
        WHERE e.cadre_id = c.id AND e.end_date IS NULL AND e.unit_id = c.unit_id) <> 1""") == 0
    assert await conn.fetchval("""SELECT count(*) FROM career_entries a JOIN career_entries b
        ON a.cadre_id = b.cadre_id AND a.id < b.id
       AND daterange(a.start_date, a.end_date, '[]') && daterange(b.start_date, b.end_date, '[]')""") == 0
    heads = "SELECT count(*) - count(DISTINCT unit_id) FROM cadres WHERE is_unit_head"
    assert await conn.fetchval(heads) == 0
    assert await conn.fetchval("""SELECT count(*) FROM cadres WHERE tier = 'district_managed'
        AND (post_level LIKE 'division%' OR rank LIKE 'researcher%')""") == 0


async def test_no_evidence_is_verified_by_the_one_who_filed_it(
        story: tuple[asyncpg.Connection, DemoSummary]) -> None:
    conn, _ = story
    # Four eyes, as the service enforces (service/evidence/service.py verify_evidence): the bulk
    # rows and the story alike; and the verifier is an officer whose scope covers the cadre.
    own = await conn.fetch("SELECT id FROM evidence WHERE verified_by = created_by ORDER BY id")
    assert [r["id"] for r in own] == []
    outside = await conn.fetchval("""SELECT count(*) FROM evidence e JOIN cadres c ON c.id = e.cadre_id
        JOIN units u ON u.id = c.unit_id JOIN users v ON v.id = e.verified_by
        WHERE v.role <> 'officer' OR NOT EXISTS (SELECT 1 FROM user_scopes s
          WHERE s.user_id = v.id AND s.unit_id = ANY(u.ancestor_ids))""")
    assert outside == 0
    assert await conn.fetchval("SELECT count(*) FROM evidence WHERE verification = 'verified'") > 500
