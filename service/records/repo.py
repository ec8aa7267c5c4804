"""SQL for field records."""

from typing import Any

import asyncpg

from schemas.records import RecordFilter
from service.access import repo as access
from service.links import replace_links
from service.principal import Principal

_SELECT = """SELECT r.*, au.display_name AS author_name,
  coalesce((SELECT array_agg(cadre_id ORDER BY cadre_id) FROM field_record_cadres
            WHERE record_id = r.id), '{}') AS cadre_ids,
  coalesce((SELECT array_agg(attachment_id ORDER BY attachment_id) FROM record_attachments
            WHERE record_id = r.id), '{}') AS attachment_ids
  FROM field_records r JOIN users au ON au.id = r.author_id"""


async def insert(conn: asyncpg.Connection, data: dict[str, Any]) -> int:
    """Create a record with its cadre and attachment links."""
    record_id: int = await conn.fetchval(
        """INSERT INTO field_records (campaign_id, team_id, author_id, kind, occurred_on, place,
                                      title, body, details, state, submitted_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                   CASE WHEN $10 = 'submitted' THEN now() END) RETURNING id""",
        data["campaign_id"], data["team_id"], data["author_id"], data["kind"],
        data["occurred_on"], data["place"], data["title"], data["body"], data["details"],
        data["state"],
    )
    await set_links(conn, record_id, data["cadre_ids"], data["attachment_ids"])
    return record_id


async def set_links(conn: asyncpg.Connection, owner_id: int, cadre_ids: list[int],
                    attachment_ids: list[int]) -> None:
    """Replace the links to cadres and attachments."""
    await replace_links(conn, "field_record_cadres", owner_id, cadre_ids)
    await replace_links(conn, "record_attachments", owner_id, attachment_ids)


async def get_visible(conn: asyncpg.Connection, principal: Principal, record_id: int,
                      lock: bool = False) -> asyncpg.Record | None:
    """A record the principal may read."""
    sql = f"{_SELECT} WHERE r.id = $1 AND {access.record_visible(principal, 'r', 2)}"
    if lock:
        sql += " FOR UPDATE OF r"
    row: asyncpg.Record | None = await conn.fetchrow(sql, record_id, principal.user_id)
    return row


async def search(conn: asyncpg.Connection, principal: Principal, *, filters: RecordFilter,
                 limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
    """Readable records with simple filters, newest first, and their total."""
    where = f"""{access.record_visible(principal, "r", 1)}
      AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM field_record_cadres f
                                         WHERE f.record_id = r.id AND f.cadre_id = $2))
      AND ($3::bigint IS NULL OR r.campaign_id = $3) AND ($4::text IS NULL OR r.kind = $4)
      AND ($5::text IS NULL OR r.state = $5)"""
    args = (principal.user_id, filters.cadre_id, filters.campaign_id, filters.kind, filters.state)
    total: int = await conn.fetchval(f"SELECT count(*) FROM field_records r WHERE {where}", *args)
    rows = await conn.fetch(f"{_SELECT} WHERE {where} ORDER BY r.occurred_on DESC, r.id DESC "
                            "LIMIT $6 OFFSET $7", *args, limit, offset)
    return rows, total


async def own_in_open_teams(conn: asyncpg.Connection, principal: Principal, *, state: str,
                            limit: int) -> list[asyncpg.Record]:
    """The principal's own records in a state, in the teams of open campaigns they belong to (the
    records they can still edit, submit or amend), newest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""{_SELECT} WHERE r.author_id = $1 AND r.state = $2
              AND r.team_id IN ({access.open_team_ids_sql(1)}) AND {access.record_visible(principal, "r", 1)}
            ORDER BY r.occurred_on DESC, r.id DESC LIMIT $3""",
        principal.user_id, state, limit)
    return rows


async def open_team_count(conn: asyncpg.Connection, user_id: int) -> int:
    """How many teams of open campaigns the user belongs to (none: nothing to file)."""
    count: int = await conn.fetchval(f"SELECT count(*) FROM ({access.open_team_ids_sql(1)}) t", user_id)
    return count


async def update_content(conn: asyncpg.Connection, record_id: int, version: int,
                         data: dict[str, Any]) -> bool:
    """Replace the content if still at the given version."""
    done = await conn.fetchval(
        """UPDATE field_records SET occurred_on = $3, place = $4, title = $5, body = $6,
             details = $7, version = version + 1, updated_at = now()
           WHERE id = $1 AND version = $2 RETURNING true""",
        record_id, version, data["occurred_on"], data["place"], data["title"], data["body"],
        data["details"],
    )
    if done:
        await set_links(conn, record_id, data["cadre_ids"], data["attachment_ids"])
    return bool(done)


async def submit(conn: asyncpg.Connection, record_id: int, version: int) -> bool:
    """Move a draft to submitted if still at the given version."""
    done = await conn.fetchval(
        """UPDATE field_records SET state = 'submitted', submitted_at = now(),
             version = version + 1, updated_at = now()
           WHERE id = $1 AND version = $2 AND state = 'draft' RETURNING true""",
        record_id, version,
    )
    return bool(done)


async def own_attachments(conn: asyncpg.Connection, user_id: int, ids: list[int]) -> int:
    """How many of the attachments the user uploaded."""
    n: int = await conn.fetchval(
        "SELECT count(*) FROM attachments WHERE id = ANY($1::bigint[]) AND uploaded_by = $2",
        list(set(ids)), user_id)
    return n


async def evidence_ids_of(conn: asyncpg.Connection, record_id: int) -> list[int]:
    """Evidence that cites the record (its search documents mention the record)."""
    rows = await conn.fetch("SELECT evidence_id FROM evidence_records WHERE record_id = $1", record_id)
    return [r["evidence_id"] for r in rows]
