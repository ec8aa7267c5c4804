"""Foundation: reference ladders, units, cadres, campaigns, records, evidence, accounts, outbox, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from service.migrate import execute_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

REFERENCE = """
CREATE TABLE ranks (code text PRIMARY KEY, ordinal int NOT NULL UNIQUE, label text NOT NULL);
INSERT INTO ranks (code, ordinal, label) VALUES
 ('clerk_2', 1, '二级科员'), ('clerk_1', 2, '一级科员'),
 ('principal_clerk_4', 3, '四级主任科员'), ('principal_clerk_3', 4, '三级主任科员'),
 ('principal_clerk_2', 5, '二级主任科员'), ('principal_clerk_1', 6, '一级主任科员'),
 ('researcher_4', 7, '四级调研员'), ('researcher_3', 8, '三级调研员'),
 ('researcher_2', 9, '二级调研员'), ('researcher_1', 10, '一级调研员'),
 ('inspector_2', 11, '二级巡视员'), ('inspector_1', 12, '一级巡视员');

CREATE TABLE post_levels (code text PRIMARY KEY, ordinal int NOT NULL UNIQUE, label text NOT NULL);
INSERT INTO post_levels (code, ordinal, label) VALUES
 ('section_deputy', 1, '副科'), ('section_main', 2, '正科'),
 ('division_deputy', 3, '副处'), ('division_main', 4, '正处'),
 ('bureau_deputy', 5, '副厅'), ('bureau_main', 6, '正厅');

CREATE TABLE education_levels (code text PRIMARY KEY, ordinal int NOT NULL UNIQUE, label text NOT NULL);
INSERT INTO education_levels (code, ordinal, label) VALUES
 ('high_school', 1, '高中'), ('secondary_vocational', 2, '中专'), ('college', 3, '大专'),
 ('bachelor', 4, '大学本科'), ('master', 5, '硕士研究生'), ('doctorate', 6, '博士研究生');
"""

ACCOUNTS = """
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.-]{3,64}$'),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 64),
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'officer', 'researcher', 'auditor', 'leader')),
  active boolean NOT NULL DEFAULT true,
  failed_logins int NOT NULL DEFAULT 0,
  locked_until timestamptz,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE auth_tokens (
  token_hash bytea PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  kind text NOT NULL DEFAULT 'bearer' CHECK (kind IN ('bearer', 'cookie')),
  csrf_hash bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  source_ip text
);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id) WHERE revoked_at IS NULL;
"""

UNITS = """
CREATE TABLE units (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  kind text NOT NULL CHECK (kind IN ('city', 'district', 'department', 'town', 'street',
                                     'community', 'task_force', 'enterprise')),
  parent_id bigint REFERENCES units(id),
  path text NOT NULL,
  ancestor_ids bigint[] NOT NULL,
  depth int NOT NULL,
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX units_path_idx ON units (path text_pattern_ops);
CREATE INDEX units_parent_idx ON units (parent_id);
CREATE INDEX units_ancestors_idx ON units USING gin (ancestor_ids);

CREATE TABLE user_scopes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  unit_id bigint NOT NULL REFERENCES units(id),
  tier text CHECK (tier IN ('city_managed', 'district_managed')),
  UNIQUE NULLS NOT DISTINCT (user_id, unit_id, tier)
);
"""

ATTACHMENTS = """
CREATE TABLE attachments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  content_type text NOT NULL,
  original_name text NOT NULL CHECK (length(original_name) BETWEEN 1 AND 255),
  uploaded_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_sha_idx ON attachments (sha256);
"""

CADRES = """
CREATE TABLE cadres (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
  gender text NOT NULL CHECK (gender IN ('male', 'female')),
  birth_date date NOT NULL,
  ethnicity text NOT NULL DEFAULT '汉族',
  native_place text,
  birthplace text,
  party_join_date date,
  work_start_date date,
  health text,
  professional_title text,
  edu_fulltime_level text REFERENCES education_levels(code),
  edu_fulltime_school text,
  edu_fulltime_major text,
  edu_inservice_level text REFERENCES education_levels(code),
  edu_inservice_school text,
  edu_inservice_major text,
  unit_id bigint NOT NULL REFERENCES units(id),
  post text NOT NULL,
  post_level text REFERENCES post_levels(code),
  post_level_since date,
  rank text REFERENCES ranks(code),
  rank_since date,
  tier text NOT NULL CHECK (tier IN ('city_managed', 'district_managed')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired', 'transferred', 'dismissed')),
  photo_attachment_id bigint REFERENCES attachments(id),
  national_id text UNIQUE CHECK (national_id ~ '^[0-9]{17}[0-9X]$'),
  is_unit_head boolean NOT NULL DEFAULT false,
  version int NOT NULL DEFAULT 1,
  created_by bigint REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cadres_unit_idx ON cadres (unit_id);
CREATE INDEX cadres_name_idx ON cadres (name);

CREATE TABLE career_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  start_date date NOT NULL,
  end_date date,
  unit_id bigint REFERENCES units(id),
  unit_name text NOT NULL,
  post text NOT NULL,
  post_level text REFERENCES post_levels(code),
  is_grassroots boolean NOT NULL DEFAULT false,
  CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX career_cadre_idx ON career_entries (cadre_id, start_date);

CREATE TABLE appraisals (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  year int NOT NULL CHECK (year BETWEEN 1950 AND 2100),
  grade text NOT NULL CHECK (grade IN ('excellent', 'competent', 'basically_competent', 'incompetent')),
  UNIQUE (cadre_id, year)
);

CREATE TABLE rewards_penalties (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  kind text NOT NULL CHECK (kind IN ('reward', 'penalty')),
  title text NOT NULL,
  issuer text,
  decided_on date NOT NULL,
  effective_until date,
  note text
);
CREATE INDEX rp_cadre_idx ON rewards_penalties (cadre_id);
"""

CAMPAIGNS = """
CREATE TABLE campaigns (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('planned', 'open', 'closed')),
  version int NOT NULL DEFAULT 1,
  created_by bigint REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on >= starts_on)
);

CREATE TABLE teams (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id bigint NOT NULL REFERENCES campaigns(id),
  name text NOT NULL,
  leader_id bigint REFERENCES users(id),
  UNIQUE (campaign_id, name)
);

CREATE TABLE team_members (
  team_id bigint NOT NULL REFERENCES teams(id),
  user_id bigint NOT NULL REFERENCES users(id),
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);

CREATE TABLE team_assignments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  team_id bigint NOT NULL REFERENCES teams(id),
  unit_id bigint REFERENCES units(id),
  cadre_id bigint REFERENCES cadres(id),
  CHECK ((unit_id IS NULL) <> (cadre_id IS NULL))
);
CREATE INDEX team_assignments_team_idx ON team_assignments (team_id);
"""

RECORDS = """
CREATE TABLE field_records (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id bigint NOT NULL REFERENCES campaigns(id),
  team_id bigint NOT NULL REFERENCES teams(id),
  author_id bigint NOT NULL REFERENCES users(id),
  kind text NOT NULL CHECK (kind IN ('interview', 'site_visit', 'window_service', 'arena_contest',
                                     'secondment_log', 'document_review')),
  occurred_on date NOT NULL,
  place text NOT NULL DEFAULT '',
  title text NOT NULL,
  body text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'submitted')),
  submitted_at timestamptz,
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX field_records_team_idx ON field_records (team_id);
CREATE INDEX field_records_author_idx ON field_records (author_id);

CREATE TABLE field_record_cadres (
  record_id bigint NOT NULL REFERENCES field_records(id),
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  PRIMARY KEY (record_id, cadre_id)
);
CREATE INDEX frc_cadre_idx ON field_record_cadres (cadre_id);

CREATE TABLE record_attachments (
  record_id bigint NOT NULL REFERENCES field_records(id),
  attachment_id bigint NOT NULL REFERENCES attachments(id),
  PRIMARY KEY (record_id, attachment_id)
);

CREATE TABLE evidence (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  domain text NOT NULL CHECK (domain IN ('urban_renewal', 'investment_attraction', 'livelihood',
                                         'party_building', 'risk_prevention', 'other')),
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  period_start date NOT NULL,
  period_end date NOT NULL,
  metrics jsonb NOT NULL DEFAULT '[]',
  judgement text NOT NULL DEFAULT 'positive' CHECK (judgement IN ('positive', 'negative')),
  verification text NOT NULL DEFAULT 'claimed' CHECK (verification IN ('claimed', 'verified', 'disputed')),
  verified_by bigint REFERENCES users(id),
  verified_at timestamptz,
  verification_note text,
  campaign_id bigint REFERENCES campaigns(id),
  team_id bigint REFERENCES teams(id),
  created_by bigint NOT NULL REFERENCES users(id),
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (period_end >= period_start)
);
CREATE INDEX evidence_cadre_idx ON evidence (cadre_id, domain);

CREATE TABLE evidence_records (
  evidence_id bigint NOT NULL REFERENCES evidence(id),
  record_id bigint NOT NULL REFERENCES field_records(id),
  PRIMARY KEY (evidence_id, record_id)
);
CREATE INDEX evidence_records_record_idx ON evidence_records (record_id);

CREATE TABLE evidence_attachments (
  evidence_id bigint NOT NULL REFERENCES evidence(id),
  attachment_id bigint NOT NULL REFERENCES attachments(id),
  PRIMARY KEY (evidence_id, attachment_id)
);
"""

PLUMBING = """
CREATE TABLE revisions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entity_type text NOT NULL,
  entity_id bigint NOT NULL,
  version int NOT NULL,
  action text NOT NULL,
  actor_id bigint REFERENCES users(id),
  at timestamptz NOT NULL DEFAULT now(),
  changes jsonb NOT NULL DEFAULT '{}',
  snapshot jsonb NOT NULL,
  UNIQUE (entity_type, entity_id, version)
);

CREATE TABLE idempotency_keys (
  user_id bigint NOT NULL REFERENCES users(id),
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code int,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

CREATE TABLE outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entity_type text NOT NULL,
  entity_id bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  available_at timestamptz NOT NULL DEFAULT now(),
  attempts int NOT NULL DEFAULT 0,
  task_uid bigint,
  last_error text,
  done_at timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE done_at IS NULL;

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id bigint,
  actor_name text,
  action text NOT NULL,
  object_type text,
  object_id text,
  source_ip text,
  details jsonb NOT NULL DEFAULT '{}',
  content_hash text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_actor_idx ON audit_log (actor_id, at);
CREATE INDEX audit_object_idx ON audit_log (object_type, object_id);
CREATE INDEX audit_action_idx ON audit_log (action, at);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Chain each entry to the previous one; the advisory lock orders concurrent writers.
CREATE FUNCTION audit_append(p_at timestamptz, p_actor_id bigint, p_actor_name text,
                             p_action text, p_object_type text, p_object_id text,
                             p_source_ip text, p_details jsonb, p_content_hash text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_prev text;
  v_id bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(7461626);
  SELECT hash INTO v_prev FROM audit_log ORDER BY id DESC LIMIT 1;
  v_prev := coalesce(v_prev, repeat('0', 64));
  INSERT INTO audit_log (at, actor_id, actor_name, action, object_type, object_id, source_ip,
                         details, content_hash, prev_hash, hash)
  VALUES (p_at, p_actor_id, p_actor_name, p_action, p_object_type, p_object_id, p_source_ip,
          p_details, p_content_hash, v_prev,
          encode(sha256(convert_to(v_prev || p_content_hash, 'UTF8')), 'hex'))
  RETURNING id INTO v_id;
  RETURN v_id;
END $$;
"""


def upgrade() -> None:
    for block in (REFERENCE, ACCOUNTS, UNITS, ATTACHMENTS, CADRES, CAMPAIGNS, RECORDS, PLUMBING):
        execute_script(block)


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE IF EXISTS audit_log, outbox, idempotency_keys, revisions, evidence_attachments,
          evidence_records, evidence, record_attachments, field_record_cadres, field_records,
          team_assignments, team_members, teams, campaigns, rewards_penalties, appraisals,
          career_entries, cadres, attachments, user_scopes, units, auth_tokens, users,
          education_levels, post_levels, ranks CASCADE;
        DROP FUNCTION IF EXISTS audit_append, audit_log_refuse_change;
        """
    )
