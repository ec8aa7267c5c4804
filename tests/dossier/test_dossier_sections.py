"""Dossier sections read from the scoreboard and promotion tables (migrations 0003 and 0004).

The rows are written with SQL because the dossier only reads these tables; the modules
that write them have their own tests.
"""

from pathlib import Path

from tests.dossier.helpers import all_text, dossier_world
from tests.factories import Api


async def _user_id(api: Api, headers: dict[str, str]) -> int:
    uid: int = (await api.client.get("/api/auth/me", headers=headers)).json()["id"]
    return uid


async def test_published_unit_results_and_promotion_history_are_printed(
        api: Api, tmp_path: Path) -> None:
    world = await dossier_world(api)
    officer_id = await _user_id(api, world.officer)
    unit = api.units["d1_bureau"]
    # Head of the bureau since 2016 (the headship rule of the performance section).
    await api.pool.execute("UPDATE cadres SET is_unit_head = true WHERE id = $1", world.cadre["id"])
    await api.pool.execute("UPDATE career_entries SET unit_id = $2 WHERE cadre_id = $1 "
                           "AND start_date = '2016-01-01'", world.cadre["id"], unit)
    for code, name, state, total in (("q1", "2025年第一季度考核", "published", 92.5),
                                     ("q2", "2025年第二季度考核", "draft", 11.0)):
        period = await api.pool.fetchval(
            """INSERT INTO assessment_periods (code, name, owner_unit_id, starts_on, ends_on, state,
                 published_at, published_by, created_by)
               VALUES ($1, $2, $3, '2025-01-01', '2025-03-31', $4,
                       CASE WHEN $4 = 'draft' THEN NULL ELSE now() END,
                       CASE WHEN $4 = 'draft' THEN NULL ELSE $5::bigint END, $5) RETURNING id""",
            f"{code}{api.tag}", name, api.units["city"], state, officer_id)
        await api.pool.execute("INSERT INTO assessment_period_units VALUES ($1, $2)", period, unit)
        await api.pool.execute(
            """INSERT INTO assessment_results (period_id, unit_id, weighted, bonus, deduction, total,
                 rank, seat, stars, star_details, complete)
               VALUES ($1, $2, $3, 0, 0, $3, 2, 2, 3, '[]', true)""", period, unit, total)
    promotion = await api.pool.fetchval(
        """INSERT INTO promotions (cadre_id, kind, target_unit_id, target_post, stage, created_by)
           VALUES ($1, 'post_promotion', $2, '副区长', 'notice', $3) RETURNING id""",
        world.cadre["id"], api.units["d1"], officer_id)
    await api.pool.execute(
        """INSERT INTO promotion_stages (promotion_id, stage, stage_date, payload, recorded_by)
           VALUES ($1, 'motion', '2025-01-06', '{}', $2), ($1, 'notice', '2025-02-17', '{}', $2)""",
        promotion, officer_id)
    r = await api.client.get(f"/api/cadres/{world.cadre['id']}/dossier.pdf", headers=world.officer)
    assert r.status_code == 200, r.text
    (tmp_path / "d.pdf").write_bytes(r.content)
    text = all_text(tmp_path / "d.pdf")
    assert "2025年第一季度考核" in text and "92.5" in text and "★★★" in text
    assert "2025年第二季度考核" not in text, "draft scoreboards are not results yet"
    assert "提拔任用" in text and "鼓楼区副区长" in text and "任前公示（进行中）" in text
    assert "2025.01.06—" in text
    assert "拟任职务鼓楼区副区长" in text, "the running promotion's target is the proposed post"
