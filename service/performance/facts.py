"""A cadre's performance facts for search: ranks of the units they led, contests, secondments, service.

The SQL here is shared by the indexer (search documents) and the dossier's performance section,
so that search and dossier apply the same headship rule (service/leadership/rules.py).
No database access here: the indexer imports this module.
"""

from typing import Any

from schemas.labels import label
from service.leadership.rules import HEADED_DURING, HEADSHIPS_SQL

# A column expression over cadre row `c`: the facts as jsonb, formatted by performance_text.
PERFORMANCE_SQL = f"""jsonb_build_object(
  'boards', coalesce((
    SELECT jsonb_agg(jsonb_build_object(
      'period', p.name, 'unit', hu.name, 'rank', r.rank, 'stars', r.stars,
      'participants', (SELECT count(*) FROM assessment_period_units n WHERE n.period_id = p.id))
      ORDER BY p.starts_on, p.id, hu.id)
    FROM ({HEADSHIPS_SQL}) h
    JOIN assessment_results r ON r.unit_id = h.unit_id
    JOIN assessment_periods p ON p.id = r.period_id AND p.state IN ('published', 'locked')
      AND {HEADED_DURING}
    JOIN units hu ON hu.id = h.unit_id
    WHERE h.cadre_id = c.id), '[]'::jsonb),
  'contests', coalesce((
    SELECT jsonb_agg(jsonb_build_object('name', ct.name, 'level', ct.level) ORDER BY ct.held_on, ct.id)
    FROM contest_presentations cp JOIN contests ct ON ct.id = cp.contest_id
    WHERE cp.cadre_id = c.id), '[]'::jsonb),
  'placements', coalesce((
    SELECT jsonb_agg(jsonb_build_object('program', sp.name, 'task_force', tu.name,
                                        'starts_on', pl.starts_on, 'ends_on', pl.ends_on)
                     ORDER BY pl.starts_on, pl.id)
    FROM secondment_placements pl JOIN secondment_programs sp ON sp.id = pl.program_id
    JOIN units tu ON tu.id = pl.task_force_unit_id
    WHERE pl.cadre_id = c.id), '[]'::jsonb),
  'service', (
    SELECT jsonb_build_object(
      'window', count(*) FILTER (WHERE sl.kind = 'window_service'),
      'mobile', count(*) FILTER (WHERE sl.kind = 'mobile_service'),
      'items', coalesce(sum(sl.items_handled), 0), 'solved', coalesce(sum(sl.problems_solved), 0))
    FROM service_logs sl WHERE sl.cadre_id = c.id AND sl.voided_at IS NULL)
) AS performance"""



def performance_text(facts: dict[str, Any] | None) -> str:
    """Searchable Chinese text of a cadre's performance facts (empty when there are none)."""
    if not facts:
        return ""
    parts = [f"{b['period']}{b['unit']}综合排名第{b['rank']}名（共{b['participants']}个单位）"
             f"摘星{b['stars']}颗" for b in facts.get("boards") or []]
    parts += [f"擂台比武{c['name']}（{label(c['level'], 'contest_level')}）"
              for c in facts.get("contests") or []]
    parts += [f"下沉{p['program']}{p['task_force']}（{p['starts_on']}至{p['ends_on']}）"
              for p in facts.get("placements") or []]
    service = facts.get("service") or {}
    if service.get("window") or service.get("mobile"):
        parts.append(f"窗口服务{service['window']}次 流动服务{service['mobile']}次 "
                     f"办理事项{service['items']}件 解决问题{service['solved']}个")
    return "；".join(parts)
