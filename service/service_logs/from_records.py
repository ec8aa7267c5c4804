"""One fact in one place: a submitted window-service field record keeps its service logs.

A researcher's 窗口服务 record (items handled, problems solved at a window, naming the leaders
observed) and a leader's service log are the same fact. The record is the source: when it is
submitted, amended or changes kind, this module creates, updates or voids — in the same
transaction — one linked service log per cadre it names (`service_logs.record_id`), and the
totals (which sum active logs only) count it once. A log kept by a record is changed only
through the record; a hand-made log cannot point at such a record (it would count twice).
"""

from typing import Any

from schemas.records import RecordOut, WindowServiceDetails
from schemas.service_logs import ServiceLogOut
from service.errors import Conflict
from service.service_logs import repo
from service.uow import UnitOfWork

ENTITY = "service_log"
KIND = "window_service"


FIELDS = ("served_on", "place", "items_handled", "problems_solved", "rectification_proposals",
          "processes_improved", "notes")


def _content(record: RecordOut) -> dict[str, Any]:
    """The log's content, read from the record (validated by WindowServiceDetails when filed)."""
    details = WindowServiceDetails.model_validate(record.details)
    return {"served_on": record.occurred_on, "place": record.place[:200],
            "items_handled": details.items_handled, "problems_solved": details.problems_solved,
            "rectification_proposals": details.rectification_proposals,
            "processes_improved": details.processes_improved,
            "notes": f"调研记录 FR-{record.id:06d}：{record.title}", "record_id": record.id}


async def _changed(uow: UnitOfWork, log_id: int, action: str, changes: dict[str, Any]) -> None:
    row = await repo.get_by_id(uow.conn, log_id)
    assert row is not None  # written in this transaction
    out = ServiceLogOut(**{k: row[k] for k in ServiceLogOut.model_fields})
    await uow.record_change(ENTITY, log_id, version=out.version, action=action,
                            snapshot=out.model_dump(mode="json"), changes=changes,
                            reindex=[("cadre", out.cadre_id)],
                            details={"version": out.version, "cadre_id": out.cadre_id,
                                     "record_id": out.record_id})


async def sync_record(uow: UnitOfWork, record: RecordOut) -> None:
    """Make the record's linked service logs match it (one active log per named cadre)."""
    counts = (record.state == "submitted" and record.kind == KIND
              and record.details.get("kind", KIND) == KIND)
    wanted = set(record.cadre_ids) if counts else set()
    linked = await repo.linked_to_record(uow.conn, record.id)
    if not wanted and not linked:
        return
    data = _content(record) if wanted else {}
    seen: set[int] = set()
    for row in linked:
        if row["cadre_id"] not in wanted or row["cadre_id"] in seen:
            reason = "调研记录补正后不再计入该干部的窗口服务"
            await repo.void(uow.conn, row["id"], row["version"], reason, uow.principal.user_id)
            await _changed(uow, row["id"], "void", {"reason": reason})
            continue
        seen.add(row["cadre_id"])
        old = {k: row[k] for k in FIELDS}
        new = {k: data[k] for k in FIELDS}
        if old != new:
            await repo.update(uow.conn, row["id"], row["version"], data)
            await _changed(uow, row["id"], "update", {k: [str(old[k]), str(new[k])] for k in old
                                                       if old[k] != new[k]})
    for cadre_id in sorted(wanted - seen):
        log_id = await repo.insert_for_record(uow.conn, data, cadre_id, uow.principal.user_id)
        if log_id is not None:
            await _changed(uow, log_id, "create", {"record_id": record.id})


async def refuse_second_place(uow: UnitOfWork, record_id: int | None) -> None:
    """A hand-made log may not point at a window-service record: that record already counts."""
    if record_id is not None and await repo.record_window_service(uow.conn, record_id):
        raise Conflict("该窗口服务调研记录已自动计入服务记录，不能再另行登记（请补正调研记录）")
