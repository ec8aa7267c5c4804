"""Evidence metrics as typed arrays beside the jsonb, for the shortlist's metric percentiles.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

The shortlist ranks every metric value of every eligible cadre's counted evidence (percent_rank
per metric name). Expanding the jsonb of ~150,000 values per request cost a third of the query at
100,000 cadres (bench/shortlist.py). `metric_names`/`metric_values` hold the numeric metrics in
their jsonb order; they are STORED generated columns, so every write of `metrics` (any path, in
its own transaction) keeps them exact and no application code maintains them. Non-numeric values
are left out, as the scoring query always did. The covering index lets the shortlist read a
cadre's verified evidence without visiting the table.
"""

from service.migrate import execute_script

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE FUNCTION evidence_metric_names(m jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(x ->> 'name' ORDER BY n), '{}')
  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(m) = 'array' THEN m ELSE '[]' END)
       WITH ORDINALITY AS t(x, n)
  WHERE jsonb_typeof(x) = 'object' AND jsonb_typeof(x -> 'value') = 'number'
$$;

CREATE FUNCTION evidence_metric_values(m jsonb) RETURNS float8[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg((x -> 'value')::float8 ORDER BY n), '{}')
  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(m) = 'array' THEN m ELSE '[]' END)
       WITH ORDINALITY AS t(x, n)
  WHERE jsonb_typeof(x) = 'object' AND jsonb_typeof(x -> 'value') = 'number'
$$;

ALTER TABLE evidence
  ADD COLUMN metric_names text[] GENERATED ALWAYS AS (evidence_metric_names(metrics)) STORED,
  ADD COLUMN metric_values float8[] GENERATED ALWAYS AS (evidence_metric_values(metrics)) STORED;

CREATE INDEX evidence_scoring_idx ON evidence (cadre_id)
  INCLUDE (id, domain, period_start, period_end, judgement, version, metric_names, metric_values)
  WHERE verification = 'verified';
"""

DOWNGRADE = """
DROP INDEX IF EXISTS evidence_scoring_idx;
ALTER TABLE evidence DROP COLUMN IF EXISTS metric_names, DROP COLUMN IF EXISTS metric_values;
DROP FUNCTION IF EXISTS evidence_metric_names(jsonb), evidence_metric_values(jsonb);
"""


def upgrade() -> None:
    """Apply."""
    execute_script(UPGRADE)


def downgrade() -> None:
    """Revert."""
    execute_script(DOWNGRADE)
