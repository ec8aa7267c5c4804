"""A cadre's dossier as the web page shows it: the same scoped queries as the PDF, with ids for links."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import asyncpg

from schemas.cadres import CadreDetail
from schemas.common import Domain
from schemas.labels import label, promotion_state
from schemas.performance import CadrePerformance
from service.access.roles import OFFICE
from service.cadres import service as cadres_service
from service.dossier import repo as dossier_repo
from service.performance.service import dossier_sections
from service.principal import Principal
from service.uow import audit_only

# Roles that may export the dossier PDF and read promotion records (as the API allows).
DOMAIN_ORDER = {d.value: n for n, d in enumerate(Domain)}


@dataclass
class DossierView:
    """Everything the dossier page renders for one reader."""

    cadre: CadreDetail
    age: int
    evidence: list[tuple[str, list[dict[str, Any]]]]
    records: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    performance: CadrePerformance
    promotions: list[dict[str, Any]] | None
    proposed_post: str | None
    can_export: bool
    counts: dict[str, int] = field(default_factory=dict)


def age_on(birth: date, today: date) -> int:
    """Full years of age on a day."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _evidence_groups(rows: list[asyncpg.Record]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["domain"], []).append(dict(r))
    ordered = sorted(groups.items(), key=lambda kv: DOMAIN_ORDER.get(kv[0], len(DOMAIN_ORDER)))
    return [(label(domain), items) for domain, items in ordered]


def _promotion(r: asyncpg.Record) -> dict[str, Any]:
    return {"id": r["id"], "kind": label(r["kind"], "promotion_kind"),
            "post": r["target_unit"] + r["target_post"], "state": promotion_state(r["status"], r["stage"]),
            "start": r["first_stage_on"], "end": r["appointed_on"], "running": r["status"] == "in_progress",
            "is_rank": r["kind"] == "rank_promotion"}


async def load(pool: asyncpg.Pool, principal: Principal, cadre_id: int, today: date) -> DossierView:
    """The dossier of a readable cadre (404 otherwise); the profile read and the page view are audited."""
    cadre = await cadres_service.get_cadre(pool, principal, cadre_id)
    exporter = principal.role in OFFICE
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        evidence = await dossier_repo.evidence(conn, principal, cadre_id)
        records = await dossier_repo.field_records(conn, principal, cadre_id)
        files = await dossier_repo.attachments(conn, principal, [r["id"] for r in records],
                                               [e["id"] for e in evidence], cadre.photo_attachment_id)
        performance = await dossier_sections(conn, principal, cadre_id)
        promotions = None
        if exporter and await dossier_repo.table_exists(conn, "promotions"):
            promotions = [_promotion(r) for r in
                          await dossier_repo.promotion_rows(conn, principal, cadre_id)]
    proposed = next((p["post"] for p in reversed(promotions or []) if p["running"] and not p["is_rank"]),
                    None)
    counts = {"evidence": len(evidence), "field_records": len(records), "attachments": len(files)}
    await audit_only(pool, principal, "cadre.dossier.view", "cadre", cadre_id, counts)
    return DossierView(
        cadre=cadre, age=age_on(cadre.birth_date, today), evidence=_evidence_groups(evidence),
        records=[dict(r) for r in records], attachments=[dict(f) for f in files],
        performance=performance, promotions=promotions, proposed_post=proposed,
        can_export=exporter, counts=counts)
