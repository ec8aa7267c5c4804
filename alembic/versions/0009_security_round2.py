"""Security round 2: campaigns belong to a unit, assignments name who granted them, unknown names lock.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

- `campaigns.unit_id`: the unit a campaign is run for; only officers whose scope covers it
  see or change it. Existing campaigns get their creator's highest scope unit.
- `team_assignments.granted_by`: the officer who assigned the unit or cadre. A researcher
  reads through an assignment only what that officer may read now (service/access/repo.py).
  Existing assignments are credited to their campaign's creator.
- `login_name_failures`: failed sign-ins of names that are no account, counted and locked
  exactly like accounts, so the answers do not tell which names exist.
"""

from service.migrate import execute_script

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UP = """
ALTER TABLE campaigns ADD COLUMN unit_id bigint REFERENCES units(id);
UPDATE campaigns c SET unit_id = coalesce(
  (SELECT s.unit_id FROM user_scopes s JOIN units u ON u.id = s.unit_id
    WHERE s.user_id = c.created_by ORDER BY u.depth, u.id LIMIT 1),
  (SELECT id FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1));
ALTER TABLE campaigns ALTER COLUMN unit_id SET NOT NULL;
CREATE INDEX campaigns_unit_idx ON campaigns (unit_id);

ALTER TABLE team_assignments ADD COLUMN granted_by bigint REFERENCES users(id);
UPDATE team_assignments ta SET granted_by = c.created_by
  FROM teams t JOIN campaigns c ON c.id = t.campaign_id WHERE t.id = ta.team_id;

CREATE TABLE login_name_failures (
  username text PRIMARY KEY CHECK (length(username) <= 200),
  failed_logins int NOT NULL DEFAULT 0,
  locked_until timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script("""
    DROP TABLE IF EXISTS login_name_failures;
    ALTER TABLE team_assignments DROP COLUMN IF EXISTS granted_by;
    DROP INDEX IF EXISTS campaigns_unit_idx;
    ALTER TABLE campaigns DROP COLUMN IF EXISTS unit_id;
    """)
