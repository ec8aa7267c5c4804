"""Probe: an administrator cannot grant themselves a role or a scope.

Admins manage units and accounts and read no dossier. An admin who turned their own account into
a city-wide officer (PATCH /api/users/{own id}) signed in again and read every dossier with whole
ID numbers; adding a scope to their own account worked the same way. Changes to one's own role,
scopes or activity are refused (403, the field named); another admin may make them, and every
account change stays in the audit trail.
"""

from typing import Any

from tests.factories import Api


async def _me(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    r = await api.client.get("/api/auth/me", headers=headers)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


async def test_an_admin_cannot_change_their_own_role_scopes_or_activity(api: Api) -> None:
    officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer[1], api.units["d1_bureau"])
    admin_id, admin = await api.user("admin")
    city = [{"unit_id": api.units["city"], "tier": None}]
    for body, fields in (({"role": "officer", "scopes": city}, ["role", "scopes"]),
                         ({"role": "officer"}, ["role"]),
                         ({"scopes": city}, ["scopes"]),
                         ({"active": False}, ["active"])):
        r = await api.client.patch(f"/api/users/{admin_id}", headers=admin, json={"version": 1, **body})
        assert r.status_code == 403, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == fields, r.json()
    for path in (f"/api/users/{admin_id}/scopes", f"/api/users/{admin_id}/scopes/remove"):
        r = await api.client.post(path, headers=admin, json={"unit_id": api.units["city"]})
        assert r.status_code == 403, (path, r.text)
    me = await _me(api, admin)
    assert (me["role"], me["scopes"], me["active"], me["version"]) == ("admin", [], True, 1)
    assert (await api.client.get(f"/api/cadres/{cadre['id']}", headers=admin)).status_code == 403
    # Their own name they may change (the role and scopes sent unchanged are no change).
    r = await api.client.patch(f"/api/users/{admin_id}", headers=admin,
                               json={"version": 1, "display_name": "王管理员", "role": "admin", "scopes": []})
    assert r.status_code == 200, r.text
    # Another admin may change the account (audited as every account change).
    r = await api.client.patch(f"/api/users/{admin_id}", headers=api.admin,
                               json={"version": 2, "role": "officer", "scopes": city})
    assert r.status_code == 200, r.text
    rows = await api.pool.fetch("SELECT action FROM audit_log WHERE object_type = 'user' AND object_id = $1"
                                " AND action LIKE 'user.%' ORDER BY id", str(admin_id))
    assert [r["action"] for r in rows] == ["user.create", "user.update", "user.update"]
