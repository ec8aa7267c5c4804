"""Export jobs and serials for PDF export.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from service.migrate import execute_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UPGRADE = """
-- Serial numbers printed on every exported page (DA-2026-000123). A sequence never
-- rolls back, so a gap means a number was drawn for a render that did not finish.
CREATE SEQUENCE export_serial_seq AS bigint START 1;

-- Batch exports run by a worker inside the service processes. A job is claimed with
-- FOR UPDATE SKIP LOCKED and held by a lease; a lease left by a dead process expires
-- and the job is claimed again and rebuilt from the start.
CREATE TABLE export_jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  requested_by bigint NOT NULL REFERENCES users(id),
  kind text NOT NULL DEFAULT 'dossiers' CHECK (kind IN ('dossiers')),
  cadre_ids bigint[] NOT NULL CHECK (cardinality(cadre_ids) BETWEEN 1 AND 1000),
  source jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(source) = 'object'),
  source_ip text,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  total int NOT NULL CHECK (total = cardinality(cadre_ids)),
  done int NOT NULL DEFAULT 0 CHECK (done BETWEEN 0 AND total),
  exported int NOT NULL DEFAULT 0 CHECK (exported BETWEEN 0 AND done),
  not_found bigint[] NOT NULL DEFAULT '{}',
  attempts int NOT NULL DEFAULT 0,
  lease_owner text,
  lease_until timestamptz,
  zip_sha256 text CHECK (zip_sha256 ~ '^[0-9a-f]{64}$'),
  zip_size bigint CHECK (zip_size >= 0),
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  CHECK ((status = 'done') = (zip_sha256 IS NOT NULL AND zip_size IS NOT NULL)),
  CHECK ((status IN ('done', 'failed')) = (finished_at IS NOT NULL)),
  CHECK ((status = 'running') = (lease_owner IS NOT NULL AND lease_until IS NOT NULL))
);
CREATE INDEX export_jobs_pending_idx ON export_jobs (id) WHERE status IN ('queued', 'running');
CREATE INDEX export_jobs_owner_idx ON export_jobs (requested_by, created_at);

-- One row per exported PDF: who, what, when, and the SHA-256 of the bytes handed out,
-- so a printed copy can be traced from the serial on its pages. Append-only.
CREATE TABLE exports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  serial text NOT NULL UNIQUE CHECK (serial ~ '^DA-[0-9]{4}-[0-9]{6,}$'),
  user_id bigint NOT NULL REFERENCES users(id),
  kind text NOT NULL CHECK (kind IN ('dossier', 'shortlist', 'promotion')),
  object_ids bigint[] NOT NULL CHECK (cardinality(object_ids) >= 1),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint NOT NULL CHECK (size_bytes > 0),
  job_id bigint REFERENCES export_jobs(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX exports_user_idx ON exports (user_id, created_at);
CREATE INDEX exports_job_idx ON exports (job_id) WHERE job_id IS NOT NULL;
CREATE INDEX exports_sha_idx ON exports (sha256);
CREATE INDEX exports_objects_idx ON exports USING gin (object_ids);

CREATE FUNCTION exports_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'exports is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER exports_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON exports
  FOR EACH STATEMENT EXECUTE FUNCTION exports_refuse_change();
"""

DOWNGRADE = """
DROP TABLE IF EXISTS exports, export_jobs;
DROP FUNCTION IF EXISTS exports_refuse_change;
DROP SEQUENCE IF EXISTS export_serial_seq;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
