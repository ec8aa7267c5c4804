"""SQL for attachment rows and who may read them."""

import asyncpg

from service.access import repo as access
from service.principal import Principal

COLUMNS = "att.id, att.sha256, att.size_bytes, att.content_type, att.original_name, " \
          "att.uploaded_by, att.created_at"


async def insert(conn: asyncpg.Connection, sha256: str, size: int, content_type: str,
                 original_name: str, uploaded_by: int) -> asyncpg.Record:
    """Create an attachment row pointing at a stored blob."""
    row: asyncpg.Record = await conn.fetchrow(
        f"""INSERT INTO attachments AS att (sha256, size_bytes, content_type, original_name,
                                            uploaded_by)
            VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}""",
        sha256, size, content_type, original_name, uploaded_by,
    )
    return row


def readable(principal: Principal, user_param: int) -> str:
    """Whether attachment row `att` is readable: own upload, or reached through something readable."""
    p = user_param
    record = access.record_visible(principal, "lr", p)
    evidence_cadre = access.cadre_id_visible(principal, "le.cadre_id", p)
    photo_cadre = access.cadre_visible(principal, "pc", "pu", p)
    return f"""(att.uploaded_by = ${p}
      OR EXISTS (SELECT 1 FROM record_attachments lra JOIN field_records lr ON lr.id = lra.record_id
                 WHERE lra.attachment_id = att.id AND {record})
      OR EXISTS (SELECT 1 FROM evidence_attachments lea JOIN evidence le ON le.id = lea.evidence_id
                 WHERE lea.attachment_id = att.id AND {evidence_cadre})
      OR EXISTS (SELECT 1 FROM cadres pc JOIN units pu ON pu.id = pc.unit_id
                 WHERE pc.photo_attachment_id = att.id AND {photo_cadre}))"""


async def get_visible(conn: asyncpg.Connection, principal: Principal,
                      attachment_id: int) -> asyncpg.Record | None:
    """An attachment the principal may read, in one query."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM attachments att WHERE att.id = $1 AND {readable(principal, 2)}",
        attachment_id, principal.user_id,
    )
    return row
