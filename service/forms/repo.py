"""SQL of the approval form: the form row, resume lines with sub-entries, family, sources."""

from typing import Any

import asyncpg

FORM_COLUMNS = (
    "expertise", "ft_level_text", "ft_degree", "ft_degree_school", "is_level_text", "is_degree",
    "is_degree_school", "party_text", "current_post_text", "current_post_key", "rewards_text",
    "appraisals_text", "proposed_post", "removed_post", "reason", "reporting_unit", "filled_by",
    "retirement_base_age", "lrmx_version", "extras",
)


async def form_row(conn: asyncpg.Connection, cadre_id: int) -> asyncpg.Record | None:
    """The cadre's approval-form fields, if any were ever stored."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM cadre_forms WHERE cadre_id = $1", cadre_id)
    return row


async def upsert_form(conn: asyncpg.Connection, cadre_id: int, fields: dict[str, Any]) -> None:
    """Create or replace the form fields of a cadre."""
    cols = ", ".join(FORM_COLUMNS)
    params = ", ".join(f"${i}" for i in range(2, len(FORM_COLUMNS) + 2))
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in FORM_COLUMNS)
    await conn.execute(
        f"""INSERT INTO cadre_forms (cadre_id, {cols}) VALUES ($1, {params})
            ON CONFLICT (cadre_id) DO UPDATE SET {sets}, version = cadre_forms.version + 1,
              updated_at = now()""",
        cadre_id, *[fields.get(c) if c != "extras" else fields.get(c) or [] for c in FORM_COLUMNS],
    )


async def replace_career(conn: asyncpg.Connection, cadre_id: int,
                         rows: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> None:
    """Replace the resume: main lines with their sub-entries (the old lines stay in the revision)."""
    await conn.execute("DELETE FROM career_entries WHERE cadre_id = $1 AND parent_id IS NOT NULL",
                       cadre_id)
    await conn.execute("DELETE FROM career_entries WHERE cadre_id = $1", cadre_id)
    for main, subs in rows:
        parent: int = await conn.fetchval(
            """INSERT INTO career_entries (cadre_id, start_date, end_date, unit_name, post,
                                           form_text, note)
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""",
            cadre_id, main["start_date"], main["end_date"], main["unit_name"], main["post"],
            main["form_text"], main["note"])
        if subs:
            await conn.executemany(
                """INSERT INTO career_entries (cadre_id, start_date, end_date, unit_name, post,
                                               form_text, parent_id)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                [(cadre_id, s["start_date"], s["end_date"], s["unit_name"], s["post"], s["form_text"],
                  parent) for s in subs])


async def replace_family(conn: asyncpg.Connection, cadre_id: int, members: list[dict[str, Any]],
                         created_by: int) -> None:
    """Replace the family members (the old ones stay in the cadre's revision)."""
    await conn.execute("DELETE FROM family_members WHERE cadre_id = $1", cadre_id)
    await conn.executemany(
        """INSERT INTO family_members (cadre_id, relation, name, birth_date, political_status,
                                       work_unit_post, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        [(cadre_id, m["relation"], m["name"], m["birth_date"], m["political_status"],
          m["work_unit_post"], created_by) for m in members])


async def sources(conn: asyncpg.Connection, cadre_id: int) -> list[asyncpg.Record]:
    """The files a cadre was imported from, newest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT s.id, s.import_id, s.attachment_id, s.file_name, s.sha256, s.created_at
           FROM cadre_sources s WHERE s.cadre_id = $1 ORDER BY s.id DESC""", cadre_id)
    return rows


async def insert_source(conn: asyncpg.Connection, cadre_id: int, import_id: int, attachment_id: int,
                        file_name: str, sha256: str) -> None:
    """Link a cadre to the file it was imported from."""
    await conn.execute(
        """INSERT INTO cadre_sources (cadre_id, import_id, attachment_id, file_name, sha256)
           VALUES ($1, $2, $3, $4, $5)""", cadre_id, import_id, attachment_id, file_name, sha256)


async def photo_row(conn: asyncpg.Connection, attachment_id: int | None) -> asyncpg.Record | None:
    """The photo attachment's type, size and digest."""
    if attachment_id is None:
        return None
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, sha256, size_bytes, content_type FROM attachments WHERE id = $1", attachment_id)
    return row


async def source(conn: asyncpg.Connection, cadre_id: int, source_id: int) -> asyncpg.Record | None:
    """One source file of a cadre, with its stored size and digest."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT s.id, s.file_name, s.sha256, a.size_bytes FROM cadre_sources s
           JOIN attachments a ON a.id = s.attachment_id WHERE s.cadre_id = $1 AND s.id = $2""",
        cadre_id, source_id)
    return row
