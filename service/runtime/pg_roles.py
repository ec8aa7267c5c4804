"""The embedded cluster's accounts: password auth, a schema owner and the service's login role.

Like production (README, "Database role"): migrations run as `cadre_owner`, the service and
the indexer as `cadre_service`, a LOGIN member of the NOLOGIN role `cadre_app` that may not
change the audit trail. Passwords are generated once and kept in `<pgdata>.auth.json` (0600)
next to the data directory; every connection, even from 127.0.0.1, needs one (scram-sha-256).
"""

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
OWNER = "cadre_owner"
SERVICE = "cadre_service"
APP_ROLE = "cadre_app"
HBA = """# Written by cadre: password (scram-sha-256) authentication for every connection.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
"""


@dataclass(frozen=True)
class Passwords:
    """The generated passwords of the embedded cluster's three login roles."""

    superuser: str
    owner: str
    service: str


def secrets_path(pgdata: Path) -> Path:
    """Where the passwords of the cluster in pgdata are kept (outside the data directory)."""
    return pgdata.with_name(pgdata.name + ".auth.json")


def load_or_create(pgdata: Path) -> tuple[Passwords, bool]:
    """(passwords, created): read the cluster's passwords, generating them on first use."""
    path = secrets_path(pgdata)
    try:
        data = json.loads(path.read_text())
        return Passwords(data[SUPERUSER], data[OWNER], data[SERVICE]), False
    except FileNotFoundError:
        pass
    made = Passwords(secrets.token_hex(24), secrets.token_hex(24), secrets.token_hex(24))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({SUPERUSER: made.superuser, OWNER: made.owner, SERVICE: made.service}, fh)
    tmp.replace(path)
    return made, True


def uses_trust(pgdata: Path) -> bool:
    """True for a cluster made before password auth (its pg_hba.conf still trusts)."""
    try:
        lines = (pgdata / "pg_hba.conf").read_text().splitlines()
    except OSError:
        return False
    return any(line.split()[-1:] == ["trust"] for line in lines if not line.startswith("#"))


def roles_sql(passwords: Passwords, database: str) -> str:
    """Create or update the login roles and hand the database to the owner (idempotent)."""
    # Generated hex passwords: safe inside a literal. `database` was validated by the caller.
    return f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER}') THEN
    CREATE ROLE {OWNER} LOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{SERVICE}') THEN
    CREATE ROLE {SERVICE} LOGIN;
  END IF;
END $$;
ALTER ROLE {OWNER} LOGIN NOSUPERUSER NOCREATEROLE PASSWORD '{passwords.owner}';
ALTER ROLE {SERVICE} LOGIN NOSUPERUSER NOCREATEROLE PASSWORD '{passwords.service}';
GRANT {APP_ROLE} TO {SERVICE};
ALTER DATABASE "{database}" OWNER TO {OWNER};
"""


# Run inside the database: objects that an earlier, superuser-run `cadre serve` created become
# the owner's, and the owner's future tables get cadre_app's grants (migration 0006 set them
# up for whoever ran it).
ADOPT_SQL = f"""
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relowner <> '{OWNER}'::regrole
             AND c.relkind IN ('r', 'p', 'v', 'm') LOOP
    EXECUTE format('ALTER %s %s OWNER TO {OWNER}',
                   CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                  ELSE 'TABLE' END, r.name);
  END LOOP;
  -- Sequences of identity columns moved with their tables; these are the free-standing ones.
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relowner <> '{OWNER}'::regrole AND c.relkind = 'S' LOOP
    EXECUTE format('ALTER SEQUENCE %s OWNER TO {OWNER}', r.name);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND p.proowner <> '{OWNER}'::regrole LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO {OWNER}', r.name);
  END LOOP;
  FOR r IN SELECT t.oid::regtype AS name FROM pg_type t
           JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = 'public' AND t.typowner <> '{OWNER}'::regrole
             AND t.typtype IN ('e', 'd') LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO {OWNER}', r.name);
  END LOOP;
END $$;
ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE};
ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE};
"""
