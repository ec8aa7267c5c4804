"""Scoreboard ranks of the unit a cadre heads and arena-contest results feed the score."""

from typing import Any

from tests.factories import Api
from tests.positions.helpers import cadre, evidence, office, position


async def _scoreboard_and_contest(api: Api, scores: dict[int, float]) -> None:
    """A published quarter ranking three units, and a contest with the given mean scores."""
    uid = await api.pool.fetchval("SELECT id FROM users WHERE username = $1", f"admin_{api.tag}")
    city, bureau1, bureau2 = api.units["city"], api.units["d1_bureau"], api.units["d2_bureau"]
    async with api.pool.acquire() as conn, conn.transaction():
        period = await conn.fetchval(
            """INSERT INTO assessment_periods (code, name, owner_unit_id, starts_on, ends_on, state,
                 published_at, published_by, created_by)
               VALUES ($1, '2025年第一季度', $2, '2025-01-01', '2025-03-31', 'published', now(), $3, $3)
               RETURNING id""", f"q{api.tag}", city, uid)
        for rank, unit in enumerate((bureau1, bureau2, api.units["d1"]), start=1):
            await conn.execute("INSERT INTO assessment_period_units (period_id, unit_id) VALUES ($1, $2)",
                               period, unit)
            await conn.execute(
                """INSERT INTO assessment_results (period_id, unit_id, weighted, bonus, deduction, total,
                     rank, seat, stars, star_details, complete)
                   VALUES ($1, $2, $3, 0, 0, $3, $4, $4, 0, '[]', true)""", period, unit, 100 - rank, rank)
        contest = await conn.fetchval(
            """INSERT INTO contests (name, level, held_on, organizer_unit_id, created_by)
               VALUES ('城市更新擂台比武', 'department_head', '2025-04-20', $1, $2) RETURNING id""",
            city, uid)
        for cadre_id, score in scores.items():
            presentation = await conn.fetchval(
                """INSERT INTO contest_presentations (contest_id, cadre_id, unit_id, created_by)
                   VALUES ($1, $2, $3, $4) RETURNING id""", contest, cadre_id, bureau1, uid)
            for scorer, delta in (("评委甲", -2), ("评委乙", 2)):
                await conn.execute(
                    """INSERT INTO contest_scores (presentation_id, scorer, score, max_score)
                       VALUES ($1, $2, $3, 100)""", presentation, scorer, score + delta)


async def test_unit_rank_and_contest_results_are_explained(api: Api) -> None:
    o = await office(api)
    # Headship comes from the resume (service/leadership/rules.py): the head's line at the bureau.
    head = await cadre(o, is_unit_head=True, career=[
        {"start_date": "2005-07-01", "end_date": "2012-12-31", "unit_name": "某街道", "post": "科员",
         "is_grassroots": True},
        {"start_date": "2013-01-01", "unit_id": api.units["d1_bureau"], "unit_name": "住建局",
         "post": "局长"}])
    rival = await cadre(o)
    outsider = await cadre(o, birth_date="1960-01-01")
    for who in (head, rival):
        await evidence(o, who["id"])
    await _scoreboard_and_contest(api, {head["id"]: 90, rival["id"]: 80, outsider["id"]: 70})
    pos = await position(o)
    r = await api.client.get(f"/api/positions/{pos['id']}/shortlist", headers=o.officer)
    assert r.status_code == 200, r.text
    by_id: dict[int, dict[str, Any]] = {c["cadre_id"]: c for c in r.json()["candidates"]}
    first = by_id[head["id"]]
    assert [(u["unit_id"], u["rank"], u["of"], u["points"]) for u in first["unit_ranks"]] == [
        (api.units["d1_bureau"], 1, 3, 1.0)]
    assert first["parts"]["unit_rank"] == 3.0  # default weight 3 × 1.0
    assert [(c["score"], c["points"]) for c in first["contests"]] == [(90.0, 1.0)]
    second = by_id[rival["id"]]
    assert second["unit_ranks"] == [] and second["parts"]["unit_rank"] == 0
    # Outscored one of the two other presentations (the outsider's counts though not eligible).
    assert second["contests"][0]["points"] == 0.5 and second["parts"]["contest"] == 1.0
    assert r.json()["candidates"][0]["cadre_id"] == head["id"]
