"""Every event the issue names leaves an audit entry with what an auditor needs to know."""

from typing import Any

import asyncpg

from indexer.worker import Worker
from tests.factories import PASSWORD, Api, campaign_with_team, record_body


async def _entries(pool: asyncpg.Pool, action: str, object_id: object = None,
                   actor_id: int | None = None) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        """SELECT * FROM audit_log WHERE action = $1 AND ($2::text IS NULL OR object_id = $2)
             AND ($3::bigint IS NULL OR actor_id = $3) ORDER BY id""",
        action, None if object_id is None else str(object_id), actor_id)
    return [dict(r) for r in rows]


async def test_logins_success_and_failure_with_source_address(api: Api) -> None:
    user_id, _ = await api.user("leader", [api.units["d1"]])
    username = await api.pool.fetchval("SELECT username FROM users WHERE id = $1", user_id)
    bad = await api.client.post("/api/auth/login", json={"username": username, "password": "Wrong@pass-9"})
    assert bad.status_code == 401
    nobody = await api.client.post("/api/auth/login",
                                   json={"username": f"ghost_{api.tag}", "password": "Wrong@pass-9"})
    assert nobody.status_code == 401 and nobody.json()["detail"] == bad.json()["detail"]
    success = (await _entries(api.pool, "auth.login.success", user_id))[-1]
    assert success["actor_id"] == user_id and success["source_ip"] == "10.1.2.3"
    failure = (await _entries(api.pool, "auth.login.failure", user_id))[-1]
    assert failure["source_ip"] == "10.1.2.3" and failure["details"]["username"] == username
    ghost = await api.pool.fetchrow(
        "SELECT * FROM audit_log WHERE action = 'auth.login.failure' AND details->>'username' = $1",
        f"ghost_{api.tag}")
    assert ghost["object_id"] is None and ghost["source_ip"] == "10.1.2.3"
    # Passwords, right or wrong, never reach the trail.
    assert not await api.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE details::text LIKE '%Wrong@pass-9%' "
        "OR details::text LIKE $1", f"%{PASSWORD}%")


async def test_dossier_reads_and_writes_with_their_revision(api: Api) -> None:
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    leader_id, leader = await api.user("leader", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    assert (await api.client.get(f"/api/cadres/{cadre['id']}", headers=leader)).status_code == 200
    read = await _entries(api.pool, "cadre.read", cadre["id"], leader_id)
    assert len(read) == 1 and read[0]["object_type"] == "cadre"
    r = await api.client.post(f"/api/cadres/{cadre['id']}/appraisals", headers=officer,
                              json=[{"year": 2025, "grade": "excellent"}])
    assert r.status_code == 201
    write = (await _entries(api.pool, "cadre.add_appraisals", cadre["id"], officer_id))[-1]
    revision = await api.pool.fetchval(
        "SELECT max(version) FROM revisions WHERE entity_type = 'cadre' AND entity_id = $1", cadre["id"])
    assert write["details"]["version"] == revision == r.json()["version"] == 2
    assert (await _entries(api.pool, "cadre.create", cadre["id"]))[0]["details"]["version"] == 1


async def test_record_evidence_campaign_and_unit_writes_carry_versions(api: Api) -> None:
    rid, researcher = await api.user("researcher")
    _, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    rec = (await api.client.post("/api/records", headers=researcher,
                                 json=record_body(campaign, [cadre["id"]]))).json()
    assert (await _entries(api.pool, "record.create", rec["id"]))[0]["details"]["version"] == 1
    assert (await _entries(api.pool, "campaign.create", campaign["id"]))[0]["details"]["version"] == 1
    renamed = await api.client.patch(f"/api/units/{api.units['d1']}", headers=api.admin,
                                     json={"name": "鼓楼区（新）", "version": 1})
    assert renamed.status_code == 200
    assert (await _entries(api.pool, "unit.update", api.units["d1"]))[-1]["details"]["version"] == 2


async def test_searches_with_query_and_filters(api: Api, indexer: Worker) -> None:
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    r = await api.client.get("/api/search", headers=officer,
                             params={"q": "违建拆除", "type": "record", "unit_id": api.units["d1"]})
    assert r.status_code == 200
    entry = (await _entries(api.pool, "search", actor_id=officer_id))[-1]
    assert entry["details"]["q"] == "违建拆除"
    assert entry["details"]["type"] == ["record"] and entry["details"]["unit_id"] == api.units["d1"]


async def test_user_and_permission_changes(api: Api) -> None:
    user_id, headers = await api.user("officer", [api.units["d1"]])
    created = (await _entries(api.pool, "user.create", user_id))[0]
    assert created["details"]["role"] == "officer"
    assert created["details"]["scopes"] == [{"unit_id": api.units["d1"], "tier": None}]
    r = await api.client.patch(f"/api/users/{user_id}", headers=api.admin, json={
        "version": 1, "role": "leader", "scopes": [{"unit_id": api.units["d2"]}]})
    assert r.status_code == 200, r.text
    changed = (await _entries(api.pool, "user.update", user_id))[-1]
    assert changed["details"]["role"] == "leader" and changed["details"]["previous"]["role"] == "officer"
    assert changed["details"]["scopes"][0]["unit_id"] == api.units["d2"]
    assert changed["details"]["version"] == 2
    # The role change ended the user's sessions.
    assert (await api.client.get("/api/auth/me", headers=headers)).status_code == 401


async def test_family_members_reads_and_writes(api: Api) -> None:
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    added = await api.client.post(f"/api/cadres/{cadre['id']}/family-members", headers=officer,
                                  json={"relation": "配偶", "name": "王丽"})
    assert added.status_code == 201
    listed = await api.client.get(f"/api/cadres/{cadre['id']}/family-members", headers=officer)
    assert [m["name"] for m in listed.json()] == ["王丽"]
    assert (await _entries(api.pool, "family.create", added.json()["id"]))[0]["details"] == {
        "cadre_id": cadre["id"], "version": 1}
    assert (await _entries(api.pool, "family.read", cadre["id"], officer_id))[0]["details"] == {
        "count": 1}
