"""SQL of a dossier: the cadre's evidence, the field records behind it, attachments, photo.

The profile, resume, appraisals and rewards come from service.cadres.repo; every query
here carries the scope fragments of service.access.repo.
"""

import asyncpg

from service.access import repo as access
from service.attachments import repo as attachments_repo
from service.principal import Principal


async def evidence(conn: asyncpg.Connection, principal: Principal, cadre_id: int) -> list[asyncpg.Record]:
    """The cadre's evidence with the verifier's name, oldest period first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT e.id, e.domain, e.title, e.description, e.period_start, e.period_end, e.metrics,
                   e.judgement, e.verification, e.verified_at, vu.display_name AS verifier_name
            FROM evidence e LEFT JOIN users vu ON vu.id = e.verified_by
            WHERE e.cadre_id = $1 AND {access.cadre_id_visible(principal, "e.cadre_id", 2)}
            ORDER BY e.period_start, e.id""",
        cadre_id, principal.user_id,
    )
    return rows


async def field_records(conn: asyncpg.Connection, principal: Principal,
                        cadre_id: int) -> list[asyncpg.Record]:
    """Readable records concerning the cadre or cited by the cadre's evidence, by date."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT r.id, r.kind, r.occurred_on, r.place, r.title, r.body,
                   au.display_name AS author_name
            FROM field_records r JOIN users au ON au.id = r.author_id
            WHERE (EXISTS (SELECT 1 FROM field_record_cadres f
                           WHERE f.record_id = r.id AND f.cadre_id = $1)
                   OR EXISTS (SELECT 1 FROM evidence_records er JOIN evidence ev ON ev.id = er.evidence_id
                              WHERE er.record_id = r.id AND ev.cadre_id = $1))
              AND {access.record_visible(principal, "r", 2)}
            ORDER BY r.occurred_on, r.id""",
        cadre_id, principal.user_id,
    )
    return rows


async def attachments(conn: asyncpg.Connection, principal: Principal, record_ids: list[int],
                      evidence_ids: list[int], photo_id: int | None) -> list[asyncpg.Record]:
    """Readable attachments of the given records and evidence, and the photo, in upload order."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT {attachments_repo.COLUMNS} FROM attachments att
            WHERE att.id IN (SELECT ra.attachment_id FROM record_attachments ra
                             WHERE ra.record_id = ANY($2::bigint[])
                             UNION SELECT ea.attachment_id FROM evidence_attachments ea
                             WHERE ea.evidence_id = ANY($3::bigint[])
                             UNION SELECT $4::bigint WHERE $4::bigint IS NOT NULL)
              AND {attachments_repo.readable(principal, 1)}
            ORDER BY att.id""",
        principal.user_id, record_ids, evidence_ids, photo_id,
    )
    return rows


async def table_exists(conn: asyncpg.Connection, name: str) -> bool:
    """Whether a table of a later migration is there (assessments, promotions, shortlists)."""
    found: bool = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"public.{name}")
    return found


async def promotion_rows(conn: asyncpg.Connection, principal: Principal,
                         cadre_id: int) -> list[asyncpg.Record]:
    """The cadre's promotion records (migration 0004) with the first and last stage dates."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT p.id, p.kind, p.target_post, u.name AS target_unit, p.stage, p.status,
                   p.appointed_on, p.created_at,
                   (SELECT min(s.stage_date) FROM promotion_stages s
                    WHERE s.promotion_id = p.id) AS first_stage_on
            FROM promotions p JOIN units u ON u.id = p.target_unit_id
            WHERE p.cadre_id = $1 AND {access.cadre_id_visible(principal, "p.cadre_id", 2)}
            ORDER BY p.created_at, p.id""",
        cadre_id, principal.user_id,
    )
    return rows
