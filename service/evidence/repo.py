"""SQL for achievement evidence."""

from typing import Any

import asyncpg

from schemas.evidence import EvidenceFilter
from service.access import repo as access
from service.links import replace_links
from service.principal import Principal

_SELECT = """SELECT e.*,
  coalesce((SELECT array_agg(record_id ORDER BY record_id) FROM evidence_records
            WHERE evidence_id = e.id), '{}') AS record_ids,
  coalesce((SELECT array_agg(attachment_id ORDER BY attachment_id) FROM evidence_attachments
            WHERE evidence_id = e.id), '{}') AS attachment_ids
  FROM evidence e"""


async def insert(conn: asyncpg.Connection, data: dict[str, Any]) -> int:
    """Create an evidence item with its links."""
    evidence_id: int = await conn.fetchval(
        """INSERT INTO evidence (cadre_id, domain, title, description, period_start, period_end,
                                 metrics, judgement, campaign_id, team_id, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id""",
        data["cadre_id"], data["domain"], data["title"], data["description"],
        data["period_start"], data["period_end"], data["metrics"], data["judgement"],
        data["campaign_id"], data["team_id"], data["created_by"],
    )
    await set_links(conn, evidence_id, data["record_ids"], data["attachment_ids"])
    return evidence_id


async def set_links(conn: asyncpg.Connection, owner_id: int, record_ids: list[int],
                    attachment_ids: list[int]) -> None:
    """Replace the links to records and attachments."""
    await replace_links(conn, "evidence_records", owner_id, record_ids)
    await replace_links(conn, "evidence_attachments", owner_id, attachment_ids)


async def get_visible(conn: asyncpg.Connection, principal: Principal, evidence_id: int,
                      lock: bool = False) -> asyncpg.Record | None:
    """Evidence whose cadre the principal may read."""
    sql = (f"{_SELECT} WHERE e.id = $1 AND "
           f"{access.cadre_id_visible(principal, 'e.cadre_id', 2)}")
    if lock:
        sql += " FOR UPDATE OF e"
    row: asyncpg.Record | None = await conn.fetchrow(sql, evidence_id, principal.user_id)
    return row


async def search(conn: asyncpg.Connection, principal: Principal, *, filters: EvidenceFilter,
                 limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
    """Readable evidence with simple filters, and the total."""
    where = f"""{access.cadre_id_visible(principal, "e.cadre_id", 1)}
      AND ($2::bigint IS NULL OR e.cadre_id = $2) AND ($3::text IS NULL OR e.domain = $3)
      AND ($4::text IS NULL OR e.verification = $4)"""
    args = (principal.user_id, filters.cadre_id, filters.domain, filters.verification)
    total: int = await conn.fetchval(f"SELECT count(*) FROM evidence e WHERE {where}", *args)
    rows = await conn.fetch(f"{_SELECT} WHERE {where} ORDER BY e.period_end DESC, e.id DESC "
                            "LIMIT $5 OFFSET $6", *args, limit, offset)
    return rows, total


async def update_content(conn: asyncpg.Connection, evidence_id: int, version: int,
                         data: dict[str, Any]) -> bool:
    """Replace the content; verified evidence goes back to claimed."""
    done = await conn.fetchval(
        """UPDATE evidence SET domain = $3, title = $4, description = $5, period_start = $6,
             period_end = $7, metrics = $8, judgement = $9, verification = 'claimed',
             verified_by = NULL, verified_at = NULL, verification_note = NULL,
             version = version + 1, updated_at = now()
           WHERE id = $1 AND version = $2 RETURNING true""",
        evidence_id, version, data["domain"], data["title"], data["description"],
        data["period_start"], data["period_end"], data["metrics"], data["judgement"],
    )
    if done:
        await set_links(conn, evidence_id, data["record_ids"], data["attachment_ids"])
    return bool(done)


async def set_verification(conn: asyncpg.Connection, evidence_id: int, version: int, state: str,
                           verifier: int, note: str) -> bool:
    """Record a verification decision if still at the given version."""
    done = await conn.fetchval(
        """UPDATE evidence SET verification = $3, verified_by = $4, verified_at = now(),
             verification_note = $5, version = version + 1, updated_at = now()
           WHERE id = $1 AND version = $2 RETURNING true""",
        evidence_id, version, state, verifier, note,
    )
    return bool(done)


async def visible_record_count(conn: asyncpg.Connection, principal: Principal, ids: list[int]) -> int:
    """How many of the records the principal may read."""
    n: int = await conn.fetchval(
        f"""SELECT count(*) FROM field_records r WHERE r.id = ANY($2::bigint[])
            AND {access.record_visible(principal, "r", 1)}""",
        principal.user_id, list(set(ids)))
    return n


async def visible_record_ids(conn: asyncpg.Connection, principal: Principal, ids: list[int]) -> set[int]:
    """The ids among `ids` of records the principal may read."""
    rows = await conn.fetch(
        f"""SELECT r.id FROM field_records r WHERE r.id = ANY($2::bigint[])
            AND {access.record_visible(principal, "r", 1)}""",
        principal.user_id, list(set(ids)))
    return {r["id"] for r in rows}
