"""Leadership teams (team roles on resume lines), democratic evaluation, research archives, 考察材料 drafts.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25

A unit's leadership team is read from the resume: every resume line at the unit carries a team
role — `head` (一把手), `member`, `none` — or NULL, in which case the rule of
service/leadership/rules.py derives it. The rule lives there, not here: these are only columns.
"""

from service.migrate import execute_script

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE career_entries ADD COLUMN team_role text CHECK (team_role IN ('head', 'member', 'none'));
ALTER TABLE career_entries ADD COLUMN version int NOT NULL DEFAULT 1;
CREATE INDEX career_team_head_idx ON career_entries (cadre_id, unit_id) WHERE team_role = 'head';
CREATE INDEX career_unit_start_idx ON career_entries (unit_id, start_date) WHERE unit_id IS NOT NULL;

-- A campaign team may be assigned the leadership team of a unit: the people who were its
-- members during the campaign, wherever they serve now.
ALTER TABLE team_assignments ADD COLUMN team_unit_id bigint REFERENCES units(id);
ALTER TABLE team_assignments DROP CONSTRAINT team_assignments_check;
ALTER TABLE team_assignments ADD CONSTRAINT team_assignments_one_target
  CHECK (num_nonnulls(unit_id, cadre_id, team_unit_id) = 1);
CREATE UNIQUE INDEX team_assignments_team_unit_key ON team_assignments (team_id, team_unit_id)
  WHERE team_unit_id IS NOT NULL;

-- 民主测评: a round for one leadership team; votes per subject (NULL = the team as a whole),
-- rater category and grade. Rates are computed, never stored.
CREATE TABLE evaluation_rounds (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  unit_id bigint NOT NULL REFERENCES units(id),
  campaign_id bigint REFERENCES campaigns(id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  held_on date NOT NULL,
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
  version int NOT NULL DEFAULT 1,
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evaluation_rounds_unit_idx ON evaluation_rounds (unit_id, held_on);
CREATE INDEX evaluation_rounds_campaign_idx ON evaluation_rounds (campaign_id) WHERE campaign_id IS NOT NULL;

CREATE TABLE evaluation_votes (
  round_id bigint NOT NULL REFERENCES evaluation_rounds(id),
  cadre_id bigint REFERENCES cadres(id),
  rater_category text NOT NULL CHECK (rater_category IN ('leadership', 'middle', 'staff',
                                                         'service_object', 'other')),
  grade text NOT NULL CHECK (grade IN ('excellent', 'competent', 'basically_competent', 'incompetent',
                                       'approve', 'disapprove', 'unknown')),
  votes int NOT NULL CHECK (votes BETWEEN 0 AND 100000),
  UNIQUE NULLS NOT DISTINCT (round_id, cadre_id, rater_category, grade)
);
CREATE INDEX evaluation_votes_cadre_idx ON evaluation_votes (cadre_id) WHERE cadre_id IS NOT NULL;

-- Written conclusions of an archive: per campaign and leadership team, per member (cadre_id)
-- or for the team (NULL). Every version is kept in revisions.
CREATE TABLE archive_conclusions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id bigint NOT NULL REFERENCES campaigns(id),
  unit_id bigint NOT NULL REFERENCES units(id),
  cadre_id bigint REFERENCES cadres(id),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  version int NOT NULL DEFAULT 1,
  updated_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (campaign_id, unit_id, cadre_id)
);

-- 考察材料 drafts: sections of sentences, each citing its source; saved with revisions.
CREATE TABLE inspection_drafts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  promotion_id bigint REFERENCES promotions(id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  sections jsonb NOT NULL CHECK (jsonb_typeof(sections) = 'array'),
  version int NOT NULL DEFAULT 1,
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inspection_drafts_cadre_idx ON inspection_drafts (cadre_id);
CREATE INDEX inspection_drafts_promotion_idx ON inspection_drafts (promotion_id)
  WHERE promotion_id IS NOT NULL;

ALTER TABLE exports DROP CONSTRAINT exports_kind_check;
ALTER TABLE exports ADD CONSTRAINT exports_kind_check CHECK (kind IN (
  'dossier', 'shortlist', 'promotion', 'approval_form', 'approval_form_docx', 'lrmx', 'roster',
  'archive', 'archive_docx', 'inspection', 'inspection_docx'));
"""

DOWNGRADE = """
ALTER TABLE exports DROP CONSTRAINT exports_kind_check;
ALTER TABLE exports ADD CONSTRAINT exports_kind_check CHECK (kind IN (
  'dossier', 'shortlist', 'promotion', 'approval_form', 'approval_form_docx', 'lrmx', 'roster'));
DROP TABLE IF EXISTS inspection_drafts, archive_conclusions, evaluation_votes, evaluation_rounds;
DROP INDEX IF EXISTS team_assignments_team_unit_key;
ALTER TABLE team_assignments DROP CONSTRAINT team_assignments_one_target;
ALTER TABLE team_assignments DROP COLUMN team_unit_id;
ALTER TABLE team_assignments ADD CONSTRAINT team_assignments_check
  CHECK ((unit_id IS NULL) <> (cadre_id IS NULL));
DROP INDEX IF EXISTS career_team_head_idx, career_unit_start_idx;
ALTER TABLE career_entries DROP COLUMN team_role, DROP COLUMN version;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
