"""Security: the service's database role (audit trail append-only by privilege), family members.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

Production connects as a LOGIN role that is a member of `cadre_app` (created here, NOLOGIN).
That role may read and write the tables the service uses, but may not UPDATE, DELETE or
TRUNCATE `audit_log`; the trigger of 0001 refuses those for everybody on top of that.
"""

from service.migrate import execute_script

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ROLE = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cadre_app') THEN
    CREATE ROLE cadre_app NOLOGIN;
  END IF;
EXCEPTION
  -- Roles are cluster-wide: another database of the same cluster may create it at the same time.
  WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
"""

FAMILY = """
CREATE TABLE family_members (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  relation text NOT NULL CHECK (length(relation) BETWEEN 1 AND 20),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
  birth_date date,
  political_status text CHECK (length(political_status) <= 50),
  work_unit_post text CHECK (length(work_unit_post) <= 200),
  version int NOT NULL DEFAULT 1,
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX family_members_cadre_idx ON family_members (cadre_id, id);
"""

GRANTS = """
GRANT USAGE ON SCHEMA public TO cadre_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cadre_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO cadre_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO cadre_app;
-- Tables later migrations create (as the same owner) get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cadre_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO cadre_app;
-- The audit trail is append-only for the service: read and insert, nothing else. Revisions are
-- history too; the schema version belongs to migrations.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM cadre_app, PUBLIC;
REVOKE UPDATE, DELETE ON revisions FROM cadre_app;
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM cadre_app;
REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM cadre_app;
"""


def upgrade() -> None:
    for block in (ROLE, FAMILY, GRANTS):
        execute_script(block)


def downgrade() -> None:
    # The role is cluster-wide and may serve other databases: only this database's grants go.
    execute_script("""
    DROP TABLE IF EXISTS family_members;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM cadre_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM cadre_app;
    REVOKE ALL ON ALL TABLES IN SCHEMA public FROM cadre_app;
    REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM cadre_app;
    REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM cadre_app;
    REVOKE USAGE ON SCHEMA public FROM cadre_app;
    """)
