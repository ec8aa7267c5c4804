"""SQL for the performance section of a cadre's dossier."""

import asyncpg

from service.leadership.rules import HEADED_DURING, HEADSHIPS_SQL
from service.performance.facts import PERFORMANCE_SQL


async def unit_standings(conn: asyncpg.Connection, cadre_id: int) -> list[asyncpg.Record]:
    """Published or locked periods in which the cadre headed a compared unit, with its results."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT p.id AS period_id, p.code AS period_code, p.name AS period_name, p.starts_on, p.ends_on,
              p.state, h.unit_id, u.name AS unit_name, h.headed_from, h.headed_to, r.total, r.rank, r.seat,
              r.stars, r.star_details,
              (SELECT count(*) FROM assessment_period_units n WHERE n.period_id = p.id) AS participants,
              coalesce((SELECT jsonb_agg(jsonb_build_object('code', i.code, 'name', i.name, 'score', ri.score,
                                                            'rank', ri.rank) ORDER BY i.position)
                        FROM assessment_result_indicators ri
                        JOIN assessment_indicators i ON i.id = ri.indicator_id
                        WHERE ri.period_id = p.id AND ri.unit_id = h.unit_id), '[]') AS indicators
            FROM ({HEADSHIPS_SQL}) h
            JOIN assessment_results r ON r.unit_id = h.unit_id
            JOIN assessment_periods p ON p.id = r.period_id AND p.state IN ('published', 'locked')
              AND {HEADED_DURING}
            JOIN units u ON u.id = h.unit_id
            WHERE h.cadre_id = $1 ORDER BY p.starts_on, p.id""", cadre_id)
    return rows


async def search_facts(conn: asyncpg.Connection, cadre_id: int) -> dict[str, object] | None:
    """The facts the cadre's search document carries (the indexer reads the same expression)."""
    facts: dict[str, object] | None = await conn.fetchval(
        f"SELECT {PERFORMANCE_SQL} FROM cadres c WHERE c.id = $1", cadre_id)
    return facts
