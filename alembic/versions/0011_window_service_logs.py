"""A submitted window-service field record keeps its service logs (one fact, counted once).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26

From now on service/service_logs/from_records.py creates, updates and voids the linked log of every
cadre a submitted 窗口服务 record names, in the record's transaction. Records submitted before
this revision get their logs here (the same backfill the demo loader runs after its bulk copy).
"""

from service.migrate import execute_script

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UPGRADE = """
INSERT INTO service_logs (kind, cadre_id, unit_id, served_on, place, items_handled, problems_solved,
                          rectification_proposals, processes_improved, notes, record_id, created_by)
SELECT 'window_service', c.id, c.unit_id, r.occurred_on, left(r.place, 200),
       CASE WHEN jsonb_typeof(r.details -> 'items_handled') = 'number'
            THEN least(greatest((r.details ->> 'items_handled')::numeric, 0), 100000)::int ELSE 0 END,
       CASE WHEN jsonb_typeof(r.details -> 'problems_solved') = 'number'
            THEN least(greatest((r.details ->> 'problems_solved')::numeric, 0), 100000)::int ELSE 0 END,
       CASE WHEN jsonb_typeof(r.details -> 'rectification_proposals') = 'array' THEN ARRAY(
         SELECT left(x, 500) FROM jsonb_array_elements_text(r.details -> 'rectification_proposals')
         WITH ORDINALITY AS t(x, n) WHERE n <= 50 ORDER BY n) ELSE '{}' END,
       CASE WHEN jsonb_typeof(r.details -> 'processes_improved') = 'array' THEN ARRAY(
         SELECT left(x, 500) FROM jsonb_array_elements_text(r.details -> 'processes_improved')
         WITH ORDINALITY AS t(x, n) WHERE n <= 50 ORDER BY n) ELSE '{}' END,
       left('调研记录 FR-' || lpad(r.id::text, 6, '0') || '：' || r.title, 20000), r.id, r.author_id
FROM field_records r JOIN field_record_cadres rc ON rc.record_id = r.id JOIN cadres c ON c.id = rc.cadre_id
WHERE r.kind = 'window_service' AND r.state = 'submitted'
  AND NOT EXISTS (SELECT 1 FROM service_logs sl WHERE sl.record_id = r.id AND sl.cadre_id = c.id
                  AND sl.voided_at IS NULL);
"""



def upgrade() -> None:
    """Give earlier window-service records their logs."""
    execute_script(UPGRADE)


def downgrade() -> None:
    """Nothing to undo: the logs are facts the totals count (voiding them is an API action)."""
