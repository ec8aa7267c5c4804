"""Integrity checks across columns, and indexes for links and filters used at scale.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from service.migrate import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE INDEX record_attachments_attachment_idx ON record_attachments (attachment_id);
    CREATE INDEX evidence_attachments_attachment_idx ON evidence_attachments (attachment_id);
    CREATE INDEX cadres_photo_idx ON cadres (photo_attachment_id) WHERE photo_attachment_id IS NOT NULL;

    ALTER TABLE teams ADD CONSTRAINT teams_id_campaign_key UNIQUE (id, campaign_id);
    ALTER TABLE field_records ADD CONSTRAINT field_records_team_campaign_fkey
      FOREIGN KEY (team_id, campaign_id) REFERENCES teams (id, campaign_id);
    ALTER TABLE evidence ADD CONSTRAINT evidence_team_campaign_fkey
      FOREIGN KEY (team_id, campaign_id) REFERENCES teams (id, campaign_id);
    ALTER TABLE evidence ADD CONSTRAINT evidence_team_needs_campaign
      CHECK (team_id IS NULL OR campaign_id IS NOT NULL);
    ALTER TABLE field_records ADD CONSTRAINT field_records_submitted_at
      CHECK ((state = 'submitted') = (submitted_at IS NOT NULL));
    ALTER TABLE field_records ADD CONSTRAINT field_records_details_kind
      CHECK (details->>'kind' = kind);
    ALTER TABLE field_records ALTER COLUMN details DROP DEFAULT;
    ALTER TABLE evidence ADD CONSTRAINT evidence_verifier
      CHECK ((verification = 'claimed') = (verified_by IS NULL AND verified_at IS NULL));
    ALTER TABLE evidence ADD CONSTRAINT evidence_metrics_array CHECK (jsonb_typeof(metrics) = 'array');
    ALTER TABLE units ADD CONSTRAINT units_path_consistent
      CHECK (ancestor_ids[array_length(ancestor_ids, 1)] = id
             AND depth = array_length(ancestor_ids, 1) - 1
             AND path = '/' || array_to_string(ancestor_ids, '/') || '/');
    ALTER TABLE rewards_penalties ADD CONSTRAINT rewards_penalties_period
      CHECK (effective_until IS NULL OR effective_until >= decided_on);
    CREATE UNIQUE INDEX team_assignments_unit_key ON team_assignments (team_id, unit_id)
      WHERE unit_id IS NOT NULL;
    CREATE UNIQUE INDEX team_assignments_cadre_key ON team_assignments (team_id, cadre_id)
      WHERE cadre_id IS NOT NULL;
    CREATE INDEX team_assignments_unit_idx ON team_assignments (unit_id) WHERE unit_id IS NOT NULL;
    CREATE INDEX team_assignments_cadre_idx ON team_assignments (cadre_id) WHERE cadre_id IS NOT NULL;
    CREATE INDEX field_records_campaign_idx ON field_records (campaign_id);
    CREATE INDEX field_records_occurred_idx ON field_records (occurred_on);
    CREATE INDEX evidence_campaign_idx ON evidence (campaign_id) WHERE campaign_id IS NOT NULL;
    CREATE INDEX evidence_verified_by_idx ON evidence (verified_by) WHERE verified_by IS NOT NULL;
    CREATE INDEX career_unit_idx ON career_entries (unit_id) WHERE unit_id IS NOT NULL;
    """)


def downgrade() -> None:
    execute_script("""
    DROP INDEX record_attachments_attachment_idx, evidence_attachments_attachment_idx, cadres_photo_idx,
      team_assignments_unit_key, team_assignments_cadre_key, team_assignments_unit_idx,
      team_assignments_cadre_idx, field_records_campaign_idx, field_records_occurred_idx,
      evidence_campaign_idx, evidence_verified_by_idx, career_unit_idx;
    ALTER TABLE field_records DROP CONSTRAINT field_records_team_campaign_fkey,
      DROP CONSTRAINT field_records_submitted_at, DROP CONSTRAINT field_records_details_kind;
    ALTER TABLE field_records ALTER COLUMN details SET DEFAULT '{}';
    ALTER TABLE evidence DROP CONSTRAINT evidence_team_campaign_fkey,
      DROP CONSTRAINT evidence_team_needs_campaign, DROP CONSTRAINT evidence_verifier,
      DROP CONSTRAINT evidence_metrics_array;
    ALTER TABLE units DROP CONSTRAINT units_path_consistent;
    ALTER TABLE rewards_penalties DROP CONSTRAINT rewards_penalties_period;
    ALTER TABLE teams DROP CONSTRAINT teams_id_campaign_key;
    """)
