"""Audit chain sealed after commit: entries are inserted without a lock, one sealer links them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

Before: every audit entry took a global advisory lock inside the request's transaction to read
the chain head, and held it until COMMIT. After: a request inserts its entry (content hash
included) and a row in `audit_unsealed` in one statement; the sealer (service.audit.sealer)
appends `audit_chain` rows (seq, entry, prev_hash, hash) in batches and deletes the queue
rows in the same transaction. `audit_log`, `audit_chain` are both append-only.
"""

from service.migrate import execute_script

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE audit_chain (
  seq bigint PRIMARY KEY CHECK (seq >= 1),
  entry_id bigint NOT NULL UNIQUE,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  sealed_at timestamptz NOT NULL DEFAULT now()
);
-- The chain as it stood: same order (id), same hashes, so earlier entries verify unchanged.
INSERT INTO audit_chain (seq, entry_id, prev_hash, hash)
  SELECT row_number() OVER (ORDER BY id), id, prev_hash, hash FROM audit_log;
ALTER TABLE audit_log DROP COLUMN prev_hash, DROP COLUMN hash;
DROP FUNCTION audit_append(timestamptz, bigint, text, text, text, text, text, jsonb, text);

CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Entries not yet linked into the chain; the sealer deletes a row when it links the entry.
CREATE TABLE audit_unsealed (entry_id bigint PRIMARY KEY);

GRANT SELECT, INSERT ON audit_chain TO cadre_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_chain FROM cadre_app, PUBLIC;
GRANT SELECT, INSERT, DELETE ON audit_unsealed TO cadre_app;
REVOKE UPDATE, TRUNCATE ON audit_unsealed FROM cadre_app;
"""

DOWNGRADE = """
DROP TABLE audit_unsealed;
ALTER TABLE audit_log ADD COLUMN prev_hash text, ADD COLUMN hash text;
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
UPDATE audit_log a SET prev_hash = c.prev_hash, hash = c.hash FROM audit_chain c
  WHERE c.entry_id = a.id;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
DROP TABLE audit_chain;
CREATE FUNCTION audit_append(p_at timestamptz, p_actor_id bigint, p_actor_name text,
                             p_action text, p_object_type text, p_object_id text,
                             p_source_ip text, p_details jsonb, p_content_hash text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_prev text;
  v_id bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(7461626);
  SELECT hash INTO v_prev FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1;
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
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
