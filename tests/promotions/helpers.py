"""Stage payloads of a complete, valid selection (dates in 2024, across National Day)."""

from typing import Any

import httpx

MOTION = {"stage": "motion", "date": "2024-08-20", "proposed_by": "区委组织部", "reason": "住建局局长空缺"}
INSPECTION = {"stage": "inspection", "date": "2024-09-10", "team": ["王考察", "李考察"], "interviewed": 25,
              "report": "德才表现突出，城市更新实绩明显。"}
DECISION = {"stage": "decision", "date": "2024-09-20", "members_total": 9, "present": 8,
            "in_favour": 7, "against": 1}
NOTICE = {"stage": "notice", "start": "2024-09-27", "end": "2024-10-09", "channel": "区委组织部网站"}
APPOINTMENT = {"stage": "appointment", "date": "2024-10-15", "document_no": "鼓组〔2024〕88号"}


def recommendation(cadre_id: int) -> dict[str, Any]:
    """A democratic recommendation naming the cadre."""
    return {"stage": "recommendation", "date": "2024-09-01", "participants": 40, "ballots_issued": 40,
            "ballots_returned": 39, "votes": [{"cadre_id": cadre_id, "votes": 31}]}


async def stage(client: httpx.AsyncClient, headers: dict[str, str], record: dict[str, Any],
                payload: dict[str, Any]) -> httpx.Response:
    """Post a stage based on the record's current version."""
    return await client.post(f"/api/promotions/{record['id']}/stages", headers=headers,
                             json={"version": record["version"], "payload": payload})


async def advance(client: httpx.AsyncClient, headers: dict[str, str], record: dict[str, Any],
                  *payloads: dict[str, Any]) -> dict[str, Any]:
    """Post stages in order, asserting each is accepted."""
    for payload in payloads:
        r = await stage(client, headers, record, payload)
        assert r.status_code == 200, r.text
        record = r.json()
    return record
