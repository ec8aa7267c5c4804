"""Probe: reading a 考察材料 draft's revisions is an audited read, like every other revisions route.

A draft's revisions say who changed which sections of a cadre's inspection material when.
GET /api/inspection-drafts/{id}/revisions left only the entry of a draft
read (`inspection_draft.read`, no versions) — the revisions themselves were read unrecorded. It now
leaves `inspection_draft.revisions.read` naming the draft and the versions returned, as the
revisions of records, evidence, promotions and service logs do; another district's officer and the
roles without a dossier are refused, and nothing is recorded as read by them.
"""

from typing import Any

from tests.factories import Api


async def _entries(api: Api, actor_id: int, action: str) -> list[dict[str, Any]]:
    rows = await api.pool.fetch(
        "SELECT object_type, object_id, details FROM audit_log WHERE actor_id = $1 AND action = $2 "
        "ORDER BY id", actor_id, action)
    return [dict(r) for r in rows]


async def test_reading_a_drafts_revisions_is_audited_with_its_versions(api: Api) -> None:
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    leader_id, leader = await api.user("leader", [api.units["d1"]])
    other_id, other = await api.user("officer", [api.units["d2"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    r = await api.client.post("/api/inspection-drafts", headers=officer, json={"cadre_id": cadre["id"]})
    assert r.status_code == 201, r.text
    draft = r.json()
    r = await api.client.put(f"/api/inspection-drafts/{draft['id']}", headers=officer, json={
        "version": draft["version"], "sections": [
            {"key": "de", "statements": [{"text": "政治立场坚定，经得起考验。"}]}]})
    assert r.status_code == 200, r.text
    url = f"/api/inspection-drafts/{draft['id']}/revisions"

    for user_id, headers in ((officer_id, officer), (leader_id, leader)):
        before = await _entries(api, user_id, "inspection_draft.revisions.read")
        r = await api.client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        versions = [rev["version"] for rev in r.json()]
        assert sorted(versions) == [1, 2], r.text
        after = await _entries(api, user_id, "inspection_draft.revisions.read")
        assert len(after) == len(before) + 1
        assert after[-1]["object_type"] == "inspection_draft"
        assert after[-1]["object_id"] == str(draft["id"])
        assert after[-1]["details"]["versions"] == versions

    # Out of scope: the answer of a draft that does not exist, and no read recorded.
    missing = await api.client.get(f"/api/inspection-drafts/{2**62}/revisions", headers=other)
    r = await api.client.get(url, headers=other)
    assert r.status_code == missing.status_code == 404, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == missing.json()["detail"]
    assert await _entries(api, other_id, "inspection_draft.revisions.read") == []
    for role in ("researcher", "auditor"):
        _, headers = await api.user(role)
        assert (await api.client.get(url, headers=headers)).status_code in (403, 404)
