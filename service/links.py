"""SQL for replacing the rows of a link table (record↔cadre, evidence↔record, …)."""

import asyncpg

LINK_TABLES = {
    "field_record_cadres": ("record_id", "cadre_id"),
    "record_attachments": ("record_id", "attachment_id"),
    "evidence_records": ("evidence_id", "record_id"),
    "evidence_attachments": ("evidence_id", "attachment_id"),
}


async def replace_links(conn: asyncpg.Connection, table: str, owner_id: int, ids: list[int]) -> None:
    """Make the owner's links exactly the given ids, keeping rows that stay."""
    owner, target = LINK_TABLES[table]
    await conn.execute(
        f"""WITH gone AS (DELETE FROM {table} WHERE {owner} = $1 AND {target} <> ALL($2::bigint[]))
            INSERT INTO {table} ({owner}, {target}) SELECT $1, unnest($2::bigint[])
            ON CONFLICT DO NOTHING""",
        owner_id, sorted(set(ids)),
    )
