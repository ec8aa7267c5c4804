"""Unit scoreboards, arena contests, secondments and front-line service logs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from service.migrate import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCOREBOARDS = """
CREATE TABLE assessment_periods (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  owner_unit_id bigint NOT NULL REFERENCES units(id),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published', 'locked')),
  published_at timestamptz,
  published_by bigint REFERENCES users(id),
  locked_at timestamptz,
  locked_by bigint REFERENCES users(id),
  version int NOT NULL DEFAULT 1,
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner_unit_id, code),
  CHECK (ends_on >= starts_on),
  CHECK ((state = 'draft') = (published_at IS NULL)),
  CHECK ((published_at IS NULL) = (published_by IS NULL)),
  CHECK ((state = 'locked') = (locked_at IS NOT NULL)),
  CHECK ((locked_at IS NULL) = (locked_by IS NULL))
);
CREATE INDEX assessment_periods_dates_idx ON assessment_periods (starts_on, ends_on);

-- The units compared in a period (e.g. the 10 districts).
CREATE TABLE assessment_period_units (
  period_id bigint NOT NULL REFERENCES assessment_periods(id),
  unit_id bigint NOT NULL REFERENCES units(id),
  PRIMARY KEY (period_id, unit_id)
);
CREATE INDEX assessment_period_units_unit_idx ON assessment_period_units (unit_id);

-- Indicators of a period; the same code across periods makes a trend line.
CREATE TABLE assessment_indicators (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  period_id bigint NOT NULL REFERENCES assessment_periods(id),
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
  weight numeric(5,2) NOT NULL CHECK (weight > 0 AND weight <= 100),
  max_score numeric(7,2) NOT NULL DEFAULT 100 CHECK (max_score > 0 AND max_score <= 10000),
  position int NOT NULL CHECK (position BETWEEN 1 AND 50),
  UNIQUE (period_id, code),
  -- Deferred so that a reordering or renaming within one setup never collides with itself.
  UNIQUE (period_id, name) DEFERRABLE INITIALLY DEFERRED,
  UNIQUE (period_id, position) DEFERRABLE INITIALLY DEFERRED,
  UNIQUE (id, period_id)
);

-- Star rules kept as data: top N in an indicator or overall, or a score threshold.
CREATE TABLE assessment_star_rules (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  period_id bigint NOT NULL REFERENCES assessment_periods(id),
  kind text NOT NULL CHECK (kind IN ('indicator_top_n', 'indicator_at_least',
                                     'total_top_n', 'total_at_least')),
  indicator_id bigint,
  top_n int CHECK (top_n BETWEEN 1 AND 1000),
  threshold numeric(8,2) CHECK (threshold BETWEEN -10000 AND 10000),
  stars int NOT NULL DEFAULT 1 CHECK (stars BETWEEN 1 AND 10),
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
  FOREIGN KEY (indicator_id, period_id) REFERENCES assessment_indicators (id, period_id),
  CHECK ((kind LIKE 'indicator_%') = (indicator_id IS NOT NULL)),
  CHECK ((kind LIKE '%_top_n') = (top_n IS NOT NULL)),
  CHECK ((kind LIKE '%_at_least') = (threshold IS NOT NULL))
);
CREATE INDEX assessment_star_rules_period_idx ON assessment_star_rules (period_id);

CREATE TABLE assessment_scores (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  period_id bigint NOT NULL,
  indicator_id bigint NOT NULL,
  unit_id bigint NOT NULL,
  score numeric(7,2) NOT NULL CHECK (score >= 0 AND score <= 10000),
  version int NOT NULL DEFAULT 1,
  updated_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (period_id, indicator_id, unit_id),
  FOREIGN KEY (indicator_id, period_id) REFERENCES assessment_indicators (id, period_id),
  FOREIGN KEY (period_id, unit_id) REFERENCES assessment_period_units (period_id, unit_id)
);
CREATE INDEX assessment_scores_unit_idx ON assessment_scores (unit_id);

-- Bonus and deduction points with their reasons; withdrawn, never deleted.
CREATE TABLE assessment_adjustments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  period_id bigint NOT NULL,
  unit_id bigint NOT NULL,
  kind text NOT NULL CHECK (kind IN ('bonus', 'deduction')),
  points numeric(6,2) NOT NULL CHECK (points > 0 AND points <= 1000),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  withdrawn_at timestamptz,
  withdrawn_by bigint REFERENCES users(id),
  withdraw_reason text CHECK (length(withdraw_reason) BETWEEN 1 AND 500),
  FOREIGN KEY (period_id, unit_id) REFERENCES assessment_period_units (period_id, unit_id),
  CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL)),
  CHECK ((withdrawn_at IS NULL) = (withdraw_reason IS NULL))
);
CREATE INDEX assessment_adjustments_period_idx ON assessment_adjustments (period_id, unit_id);

-- Derived results, recomputed in the transaction of every change (rebuildable from the above).
CREATE TABLE assessment_results (
  period_id bigint NOT NULL,
  unit_id bigint NOT NULL,
  weighted numeric(12,4) NOT NULL,
  bonus numeric(8,2) NOT NULL,
  deduction numeric(8,2) NOT NULL,
  total numeric(10,2) NOT NULL,
  rank int NOT NULL CHECK (rank >= 1),
  seat int NOT NULL CHECK (seat >= 1),
  stars int NOT NULL CHECK (stars >= 0),
  star_details jsonb NOT NULL CHECK (jsonb_typeof(star_details) = 'array'),
  complete boolean NOT NULL,
  PRIMARY KEY (period_id, unit_id),
  UNIQUE (period_id, seat),
  FOREIGN KEY (period_id, unit_id) REFERENCES assessment_period_units (period_id, unit_id)
);
CREATE INDEX assessment_results_unit_idx ON assessment_results (unit_id);

CREATE TABLE assessment_result_indicators (
  period_id bigint NOT NULL,
  unit_id bigint NOT NULL,
  indicator_id bigint NOT NULL,
  score numeric(7,2),
  rank int CHECK (rank >= 1),
  PRIMARY KEY (period_id, unit_id, indicator_id),
  CHECK ((score IS NULL) = (rank IS NULL)),
  FOREIGN KEY (period_id, unit_id) REFERENCES assessment_results (period_id, unit_id),
  FOREIGN KEY (indicator_id, period_id) REFERENCES assessment_indicators (id, period_id)
);

-- Audited corrections of a locked period: the reason and every value before and after.
CREATE TABLE assessment_corrections (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  period_id bigint NOT NULL REFERENCES assessment_periods(id),
  period_version int NOT NULL,
  reason text NOT NULL CHECK (length(reason) BETWEEN 2 AND 1000),
  changes jsonb NOT NULL CHECK (jsonb_typeof(changes) = 'object'),
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (period_id, period_version)
);
"""

CONTESTS = """
CREATE TABLE contests (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  level text NOT NULL CHECK (level IN ('district_head', 'department_head', 'community_secretary',
                                       'other')),
  held_on date NOT NULL,
  place text NOT NULL DEFAULT '' CHECK (length(place) <= 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  organizer_unit_id bigint NOT NULL REFERENCES units(id),
  version int NOT NULL DEFAULT 1,
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contests_organizer_idx ON contests (organizer_unit_id);
CREATE INDEX contests_held_idx ON contests (held_on);

CREATE TABLE contest_presentations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contest_id bigint NOT NULL REFERENCES contests(id),
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  unit_id bigint NOT NULL REFERENCES units(id),
  speaking_order int CHECK (speaking_order BETWEEN 1 AND 1000),
  achievements text NOT NULL DEFAULT '' CHECK (length(achievements) <= 20000),
  shortcomings text NOT NULL DEFAULT '' CHECK (length(shortcomings) <= 20000),
  goals text NOT NULL DEFAULT '' CHECK (length(goals) <= 20000),
  measures text NOT NULL DEFAULT '' CHECK (length(measures) <= 20000),
  record_id bigint REFERENCES field_records(id),
  version int NOT NULL DEFAULT 1,
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (contest_id, cadre_id)
);
CREATE INDEX contest_presentations_cadre_idx ON contest_presentations (cadre_id);
CREATE INDEX contest_presentations_record_idx ON contest_presentations (record_id)
  WHERE record_id IS NOT NULL;

CREATE TABLE contest_scores (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  presentation_id bigint NOT NULL REFERENCES contest_presentations(id),
  scorer text NOT NULL CHECK (length(scorer) BETWEEN 1 AND 50),
  score numeric(7,2) NOT NULL CHECK (score >= 0),
  max_score numeric(7,2) NOT NULL DEFAULT 100 CHECK (max_score > 0 AND max_score <= 10000),
  UNIQUE (presentation_id, scorer),
  CHECK (score <= max_score)
);

CREATE TABLE contest_presentation_evidence (
  presentation_id bigint NOT NULL REFERENCES contest_presentations(id),
  evidence_id bigint NOT NULL UNIQUE REFERENCES evidence(id),
  PRIMARY KEY (presentation_id, evidence_id)
);
"""

SECONDMENTS = """
CREATE TABLE secondment_programs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  owner_unit_id bigint NOT NULL REFERENCES units(id),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  version int NOT NULL DEFAULT 1,
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on >= starts_on)
);

CREATE TABLE secondment_task_forces (
  program_id bigint NOT NULL REFERENCES secondment_programs(id),
  unit_id bigint NOT NULL REFERENCES units(id),
  PRIMARY KEY (program_id, unit_id)
);
CREATE INDEX secondment_task_forces_unit_idx ON secondment_task_forces (unit_id);

CREATE TABLE secondment_placements (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id bigint NOT NULL,
  task_force_unit_id bigint NOT NULL,
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  home_unit_id bigint NOT NULL REFERENCES units(id),
  home_post text NOT NULL CHECK (length(home_post) BETWEEN 1 AND 200),
  role text NOT NULL DEFAULT '' CHECK (length(role) <= 100),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  version int NOT NULL DEFAULT 1,
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (program_id, task_force_unit_id) REFERENCES secondment_task_forces (program_id, unit_id),
  CHECK (ends_on >= starts_on)
);
CREATE INDEX secondment_placements_cadre_idx ON secondment_placements (cadre_id, starts_on);
CREATE INDEX secondment_placements_tf_idx ON secondment_placements (task_force_unit_id, starts_on);
CREATE INDEX secondment_placements_program_idx ON secondment_placements (program_id);

-- Task force metrics defined as data (client contacts, negotiation meetings, project starts...).
CREATE TABLE task_force_metrics (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 50),
  unit_label text NOT NULL DEFAULT '' CHECK (length(unit_label) <= 20),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One value per task force, metric and day: the count for the interval reported on that day.
CREATE TABLE task_force_metric_values (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_force_unit_id bigint NOT NULL REFERENCES units(id),
  metric_id bigint NOT NULL REFERENCES task_force_metrics(id),
  recorded_on date NOT NULL,
  value numeric(14,2) NOT NULL CHECK (value >= 0 AND value <= 1e12),
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  version int NOT NULL DEFAULT 1,
  updated_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (task_force_unit_id, metric_id, recorded_on)
);
CREATE INDEX task_force_metric_values_day_idx ON task_force_metric_values (task_force_unit_id, recorded_on);
"""

SERVICE_LOGS = """
CREATE TABLE service_logs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('window_service', 'mobile_service')),
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  unit_id bigint NOT NULL REFERENCES units(id),
  served_on date NOT NULL,
  place text NOT NULL DEFAULT '' CHECK (length(place) <= 200),
  items_handled int NOT NULL CHECK (items_handled BETWEEN 0 AND 100000),
  problems_solved int NOT NULL CHECK (problems_solved BETWEEN 0 AND 100000),
  rectification_proposals text[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(rectification_proposals) <= 50),
  processes_improved text[] NOT NULL DEFAULT '{}' CHECK (cardinality(processes_improved) <= 50),
  notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 20000),
  record_id bigint REFERENCES field_records(id),
  voided_at timestamptz,
  voided_by bigint REFERENCES users(id),
  void_reason text CHECK (length(void_reason) BETWEEN 1 AND 500),
  version int NOT NULL DEFAULT 1,
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((voided_at IS NULL) = (voided_by IS NULL)),
  CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);
CREATE INDEX service_logs_cadre_idx ON service_logs (cadre_id, served_on) WHERE voided_at IS NULL;
CREATE INDEX service_logs_unit_idx ON service_logs (unit_id, served_on) WHERE voided_at IS NULL;
CREATE INDEX service_logs_day_idx ON service_logs (served_on) WHERE voided_at IS NULL;
CREATE INDEX service_logs_record_idx ON service_logs (record_id) WHERE record_id IS NOT NULL;
"""

DOWNGRADE = """
DROP TABLE IF EXISTS service_logs, task_force_metric_values, task_force_metrics,
  secondment_placements, secondment_task_forces, secondment_programs,
  contest_presentation_evidence, contest_scores, contest_presentations, contests,
  assessment_corrections, assessment_result_indicators, assessment_results,
  assessment_adjustments, assessment_scores, assessment_star_rules, assessment_indicators,
  assessment_period_units, assessment_periods CASCADE;
"""


def upgrade() -> None:
    for block in (SCOREBOARDS, CONTESTS, SECONDMENTS, SERVICE_LOGS):
        execute_script(block)


def downgrade() -> None:
    execute_script(DOWNGRADE)
