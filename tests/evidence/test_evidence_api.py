"""Achievement evidence: filing, verification by someone else, amendments and history."""

from typing import Any

from tests.factories import Api, campaign_with_team, record_body


def evidence_body(cadre_id: int, **overrides: Any) -> dict[str, Any]:
    """A valid evidence body."""
    body: dict[str, Any] = {
        "cadre_id": cadre_id, "domain": "investment_attraction", "title": "招商专班项目落地",
        "description": "牵头招商引资专班，推动重点项目签约落地。", "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "metrics": [{"name": "客户接触", "value": 563, "unit": "次"},
                    {"name": "项目开工", "value": 109, "unit": "个"}],
    }
    body.update(overrides)
    return body


async def test_verification_by_another_officer_with_history(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, officer2 = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    ev = (await api.client.post("/api/evidence", headers=officer,
                                json=evidence_body(cadre["id"]))).json()
    assert ev["verification"] == "claimed" and ev["metrics"][0]["value"] == 563
    own = await api.client.post(f"/api/evidence/{ev['id']}/verification", headers=officer,
                                json={"verification": "verified", "version": 1})
    assert own.status_code == 409
    ok = await api.client.post(f"/api/evidence/{ev['id']}/verification", headers=officer2,
                               json={"verification": "verified", "note": "经核实", "version": 1})
    assert ok.status_code == 200 and ok.json()["verification"] == "verified"
    content = {k: v for k, v in evidence_body(cadre["id"]).items() if k != "cadre_id"}
    amend = await api.client.put(f"/api/evidence/{ev['id']}", headers=officer,
                                 json={**content, "title": "修订标题", "version": 2})
    assert amend.status_code == 422
    amend = await api.client.put(f"/api/evidence/{ev['id']}", headers=officer,
                                 json={**content, "title": "修订标题", "version": 2, "reason": "补充"})
    assert amend.status_code == 200 and amend.json()["verification"] == "claimed"
    revs = (await api.client.get(f"/api/evidence/{ev['id']}/revisions", headers=officer)).json()
    assert [r["action"] for r in revs] == ["create", "verified", "amend"]


async def test_negative_evidence_linked_to_record_by_researcher(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    rid, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    rec = (await api.client.post("/api/records", headers=researcher,
                                 json=record_body(campaign, [cadre["id"]]))).json()
    body = evidence_body(cadre["id"], judgement="negative", domain="livelihood",
                         title="窗口积压件较多", record_ids=[rec["id"]],
                         campaign_id=campaign["id"], team_id=campaign["teams"][0]["id"])
    r = await api.client.post("/api/evidence", headers=researcher, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["judgement"] == "negative" and r.json()["record_ids"] == [rec["id"]]
    no_team = {k: v for k, v in body.items() if k not in ("campaign_id", "team_id")}
    assert (await api.client.post("/api/evidence", headers=researcher,
                                  json=no_team)).status_code == 422


async def test_out_of_scope_evidence_is_invisible(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, other = await api.user("officer", [api.units["d2"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    ev = (await api.client.post("/api/evidence", headers=officer,
                                json=evidence_body(cadre["id"]))).json()
    assert (await api.client.get(f"/api/evidence/{ev['id']}", headers=other)).status_code == 404
    listed = (await api.client.get("/api/evidence", headers=other)).json()
    assert ev["id"] not in [e["id"] for e in listed["items"]]
    bad = await api.client.post("/api/evidence", headers=other, json=evidence_body(cadre["id"]))
    assert bad.status_code == 422


async def test_period_order_and_metric_bounds(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    r = await api.client.post("/api/evidence", headers=officer, json=evidence_body(
        cadre["id"], period_start="2024-12-31", period_end="2024-01-01"))
    assert r.status_code == 422
    r = await api.client.post("/api/evidence", headers=officer, json=evidence_body(
        cadre["id"], metrics=[{"name": "x", "value": "lots"}]))
    assert r.status_code == 422
