"""The demo loader's SQL: COPY of rows with explicit ids, identity reset, the empty-database check."""

import io
from collections.abc import Sequence
from typing import Any, Literal

import asyncpg

COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("id", "username", "display_name", "password_hash", "role"),
    "units": ("id", "code", "name", "kind", "parent_id", "path", "ancestor_ids", "depth",
              "created_at", "updated_at"),
    "user_scopes": ("id", "user_id", "unit_id", "tier"),
    "campaigns": ("id", "name", "description", "starts_on", "ends_on", "status", "created_by",
                  "created_at", "updated_at", "unit_id"),
    "teams": ("id", "campaign_id", "name", "leader_id"),
    "team_members": ("team_id", "user_id"),
    "team_assignments": ("id", "team_id", "unit_id", "cadre_id", "granted_by"),
    "cadres": ("id", "name", "gender", "birth_date", "ethnicity", "native_place", "birthplace",
               "party_join_date", "work_start_date", "health", "professional_title",
               "edu_fulltime_level", "edu_fulltime_school", "edu_fulltime_major",
               "edu_inservice_level", "edu_inservice_school", "edu_inservice_major", "unit_id",
               "post", "post_level", "post_level_since", "rank", "rank_since", "tier", "status",
               "national_id", "is_unit_head", "created_by"),
    "career_entries": ("id", "cadre_id", "start_date", "end_date", "unit_id", "unit_name", "post",
                       "post_level", "is_grassroots"),
    "appraisals": ("id", "cadre_id", "year", "grade"),
    "rewards_penalties": ("id", "cadre_id", "kind", "title", "issuer", "decided_on",
                          "effective_until", "note"),
    "field_records": ("id", "campaign_id", "team_id", "author_id", "kind", "occurred_on", "place",
                      "title", "body", "details", "state", "submitted_at", "created_at",
                      "updated_at"),
    "field_record_cadres": ("record_id", "cadre_id"),
    "evidence": ("id", "cadre_id", "domain", "title", "description", "period_start",
                 "period_end", "metrics", "judgement", "verification", "verified_by",
                 "verified_at", "verification_note", "campaign_id", "team_id", "created_by",
                 "created_at", "updated_at"),
    "evidence_records": ("evidence_id", "record_id"),
}
# Tables written as pre-formatted COPY text (they hold jsonb, which needs no codec this way).
TEXT_TABLES = frozenset({"field_records", "evidence"})
IDENTITY_TABLES = tuple(t for t, cols in COLUMNS.items() if cols[0] == "id")


async def copy_out(conn: asyncpg.Connection, table: str, rows: Sequence[Any]) -> int:
    """COPY rows (tuples, or text lines for TEXT_TABLES) into `table`; returns the row count.

    COPY writes the given values into GENERATED ALWAYS identity columns, like INSERT with
    OVERRIDING SYSTEM VALUE, so ids chosen by the generator are kept.
    """
    if not rows:
        return 0
    columns = list(COLUMNS[table])
    if table in TEXT_TABLES:
        data = io.BytesIO(("\n".join(rows) + "\n").encode())
        await conn.copy_to_table(table, source=data, columns=columns, format="text")
    else:
        await conn.copy_records_to_table(table, records=rows, columns=columns)
    return len(rows)


async def max_ids(conn: asyncpg.Connection) -> dict[str, int]:
    """The highest id in use per identity table (0 when empty)."""
    parts = ", ".join(f"(SELECT coalesce(max(id), 0) FROM {t}) AS {t}" for t in IDENTITY_TABLES)
    row = await conn.fetchrow(f"SELECT {parts}")
    assert row is not None
    return {t: int(row[t]) for t in IDENTITY_TABLES}


async def reset_identities(conn: asyncpg.Connection) -> None:
    """Move each identity sequence past the highest id so later plain INSERTs do not collide."""
    for table in IDENTITY_TABLES:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
            f"FROM {table} HAVING max(id) IS NOT NULL"
        )


async def lock_for_load(conn: asyncpg.Connection) -> None:
    """Lock the tables the demo checks so no concurrent writer fills them during the load."""
    await conn.execute("LOCK TABLE units, cadres IN SHARE ROW EXCLUSIVE MODE")


async def has_rows(conn: asyncpg.Connection, table: Literal["cadres", "units"]) -> bool:
    """Whether `table` holds any row."""
    return bool(await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"))


async def taken_usernames(conn: asyncpg.Connection, usernames: Sequence[str]) -> list[str]:
    """Those of `usernames` that already exist, sorted."""
    rows = await conn.fetch("SELECT username FROM users WHERE username = ANY($1::text[])",
                            list(usernames))
    return sorted(r["username"] for r in rows)


async def analyze(conn: asyncpg.Connection) -> None:
    """Refresh the planner statistics of the bulk-loaded tables."""
    await conn.execute("ANALYZE " + ", ".join(COLUMNS))


async def count_rows(conn: asyncpg.Connection, table: str) -> int:
    """The number of rows in `table` (a table name of the demo, never user input)."""
    return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
