"""SQL of 考察材料 drafts: the facts a draft is compiled from, and the drafts themselves."""

from datetime import date

import asyncpg

from service.access.repo import cadre_id_visible, record_visible
from service.access.selection import promotion_visible
from service.principal import Principal


async def promotion(conn: asyncpg.Connection, principal: Principal,
                    promotion_id: int) -> asyncpg.Record | None:
    """A promotion record the principal may see, with its recommendation stage payload."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""SELECT p.*, (SELECT s.payload FROM promotion_stages s WHERE s.promotion_id = p.id
                         AND s.stage = 'recommendation') AS recommendation
            FROM promotions p JOIN cadres c ON c.id = p.cadre_id JOIN units cu ON cu.id = c.unit_id
            JOIN units tu ON tu.id = p.target_unit_id
            WHERE p.id = $2 AND {promotion_visible(principal, 1)}""", principal.user_id, promotion_id)
    return row


async def cadre(conn: asyncpg.Connection, principal: Principal, cadre_id: int) -> asyncpg.Record | None:
    """The cadre's profile with unit name, if readable."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""SELECT c.*, u.name AS unit_name FROM cadres c JOIN units u ON u.id = c.unit_id
            WHERE c.id = $2 AND {cadre_id_visible(principal, 'c.id', 1)}""", principal.user_id, cadre_id)
    return row


async def facts(conn: asyncpg.Connection, principal: Principal,
                cadre_id: int) -> dict[str, list[asyncpg.Record]]:
    """Resume, appraisals, rewards/penalties, verified or negative evidence, readable records."""
    career = await conn.fetch("SELECT * FROM career_entries WHERE cadre_id = $1 AND parent_id IS NULL "
                              "ORDER BY start_date, id", cadre_id)
    appraisals = await conn.fetch("SELECT * FROM appraisals WHERE cadre_id = $1 ORDER BY year", cadre_id)
    rewards = await conn.fetch("SELECT * FROM rewards_penalties WHERE cadre_id = $1 ORDER BY decided_on, id",
                               cadre_id)
    evidence = await conn.fetch(
        """SELECT e.*, vu.display_name AS verifier_name
           FROM evidence e LEFT JOIN users vu ON vu.id = e.verified_by
           WHERE e.cadre_id = $1 AND (e.verification = 'verified' OR e.judgement = 'negative')
           ORDER BY e.period_end DESC, e.id DESC""", cadre_id)
    records = await conn.fetch(
        f"""SELECT r.* FROM field_records r
            JOIN field_record_cadres f ON f.record_id = r.id AND f.cadre_id = $2
            WHERE r.state = 'submitted' AND {record_visible(principal, 'r', 1)}
            ORDER BY r.occurred_on, r.id""", principal.user_id, cadre_id)
    return {"career": career, "appraisals": appraisals, "rewards": rewards, "evidence": evidence,
            "records": records}


async def insert_draft(conn: asyncpg.Connection, cadre_id: int, promotion_id: int | None, title: str,
                       sections: list[dict[str, object]], user_id: int) -> int:
    """Store a compiled draft."""
    new_id: int = await conn.fetchval(
        """INSERT INTO inspection_drafts (cadre_id, promotion_id, title, sections, created_by)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""", cadre_id, promotion_id, title, sections, user_id)
    return new_id


async def draft(conn: asyncpg.Connection, principal: Principal, draft_id: int,
                lock: bool = False) -> asyncpg.Record | None:
    """A draft of a cadre the principal may read."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""SELECT d.*, c.name AS cadre_name FROM inspection_drafts d JOIN cadres c ON c.id = d.cadre_id
            WHERE d.id = $2 AND {cadre_id_visible(principal, 'd.cadre_id', 1)}
            {'FOR UPDATE OF d' if lock else ''}""", principal.user_id, draft_id)
    return row


async def drafts(conn: asyncpg.Connection, principal: Principal, cadre_id: int | None,
                 promotion_id: int | None) -> list[asyncpg.Record]:
    """Readable drafts, newest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT d.*, c.name AS cadre_name FROM inspection_drafts d JOIN cadres c ON c.id = d.cadre_id
            WHERE ($2::bigint IS NULL OR d.cadre_id = $2) AND ($3::bigint IS NULL OR d.promotion_id = $3)
              AND {cadre_id_visible(principal, 'd.cadre_id', 1)}
            ORDER BY d.updated_at DESC, d.id DESC LIMIT 100""", principal.user_id, cadre_id, promotion_id)
    return rows


async def update_draft(conn: asyncpg.Connection, draft_id: int, version: int,
                       sections: list[dict[str, object]]) -> int | None:
    """Save edited sections at the given version; the new version (None if stale)."""
    new: int | None = await conn.fetchval(
        """UPDATE inspection_drafts SET sections = $3, version = version + 1, updated_at = now()
           WHERE id = $1 AND version = $2 RETURNING version""", draft_id, version, sections)
    return new


async def penalty_dates(conn: asyncpg.Connection, ids: list[int]) -> dict[int, date]:
    """Which of the rewards/penalties ids are penalties, with the dates they were decided."""
    rows = await conn.fetch("SELECT id, decided_on FROM rewards_penalties WHERE id = ANY($1::bigint[]) "
                            "AND kind = 'penalty'", ids)
    return {r["id"]: r["decided_on"] for r in rows}
