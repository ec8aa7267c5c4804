"""SQL of backups: the snapshot, what it holds (counts, schema revision, audit chain head)."""

import asyncpg

APP_ROLE = "cadre_app"


async def export_snapshot(conn: asyncpg.Connection) -> str:
    """Open a read-only repeatable-read transaction and export its snapshot for pg_dump."""
    await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    snapshot: str = await conn.fetchval("SELECT pg_export_snapshot()")
    return snapshot


async def server_major(conn: asyncpg.Connection) -> int:
    """The server's major version (e.g. 18)."""
    return int(await conn.fetchval("SHOW server_version_num")) // 10000


async def table_counts(conn: asyncpg.Connection) -> dict[str, int]:
    """Rows of every table in the public schema (the counting query is built and quoted by the server)."""
    query: str | None = await conn.fetchval(
        """SELECT string_agg(format('SELECT %L AS t, count(*) AS n FROM public.%I',
                                    table_name, table_name), ' UNION ALL ')
           FROM information_schema.tables
           WHERE table_schema = 'public' AND table_type = 'BASE TABLE'""")
    if query is None:
        return {}
    return {r["t"]: r["n"] for r in await conn.fetch(query)}


async def schema_revision(conn: asyncpg.Connection) -> str | None:
    """The Alembic revision of the database, or None before any migration."""
    if not await conn.fetchval("SELECT to_regclass('public.alembic_version') IS NOT NULL"):
        return None
    revision: str | None = await conn.fetchval("SELECT version_num FROM alembic_version")
    return revision


async def public_table_count(conn: asyncpg.Connection) -> int:
    """How many tables the public schema holds (0 for an empty target)."""
    count: int = await conn.fetchval(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    return count


async def ensure_app_role(conn: asyncpg.Connection) -> bool:
    """Create the NOLOGIN role cadre_app if missing; False when it is missing and may not be made."""
    if await conn.fetchval("SELECT true FROM pg_roles WHERE rolname = $1", APP_ROLE):
        return True
    may = await conn.fetchval(
        "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    if not may:
        return False
    await conn.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")  # constant name, not input
    return True


async def grant_future_tables(conn: asyncpg.Connection) -> None:
    """Default privileges of the restoring owner, as migration 0006 sets them for its runner."""
    await conn.execute(f"""
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
          GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE};
    """)
