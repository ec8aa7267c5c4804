"""Field records: filing rules, drafts, amendments, visibility and idempotent retries."""

from typing import Any

from tests.factories import Api, campaign_with_team, record_body


async def _setup(api: Api) -> tuple[dict[str, str], dict[str, str], dict[str, Any], dict[str, Any]]:
    _, officer = await api.user("officer", [api.units["d1"]])
    rid, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    return officer, researcher, cadre, campaign


async def test_researcher_files_record_in_own_team_and_officer_reads_it(api: Api) -> None:
    officer, researcher, cadre, campaign = await _setup(api)
    r = await api.client.post("/api/records", headers=researcher,
                              json=record_body(campaign, [cadre["id"]]))
    assert r.status_code == 201, r.text
    rec = r.json()
    assert rec["state"] == "submitted" and rec["details"]["items_handled"] == 12
    seen = await api.client.get(f"/api/records/{rec['id']}", headers=officer)
    assert seen.status_code == 200
    outbox = await api.pool.fetch("SELECT entity_type FROM outbox WHERE entity_id = $1 "
                                  "AND entity_type = 'record'", rec["id"])
    assert len(outbox) == 1


async def test_non_member_cannot_file_in_team(api: Api) -> None:
    _, _, cadre, campaign = await _setup(api)
    _, outsider = await api.user("researcher")
    r = await api.client.post("/api/records", headers=outsider,
                              json=record_body(campaign, [cadre["id"]]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "team_id"


async def test_cadre_outside_team_assignment_is_refused(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    rid, researcher = await api.user("researcher")
    other = await api.cadre(officer, api.units["d2_bureau"])
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    r = await api.client.post("/api/records", headers=researcher,
                              json=record_body(campaign, [other["id"]]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cadre_ids"


async def test_closed_campaign_blocks_filing_and_reading(api: Api) -> None:
    officer, researcher, cadre, campaign = await _setup(api)
    rec = (await api.client.post("/api/records", headers=researcher,
                                 json=record_body(campaign, [cadre["id"]]))).json()
    closed = await api.client.patch(f"/api/campaigns/{campaign['id']}", headers=officer,
                                    json={"status": "closed", "version": campaign["version"]})
    assert closed.status_code == 200
    assert (await api.client.get(f"/api/records/{rec['id']}", headers=researcher)).status_code == 404
    again = await api.client.post("/api/records", headers=researcher,
                                  json=record_body(campaign, [cadre["id"]]))
    assert again.status_code == 422


async def test_draft_hidden_from_officer_until_submitted(api: Api) -> None:
    officer, researcher, cadre, campaign = await _setup(api)
    rec = (await api.client.post("/api/records", headers=researcher,
                                 json=record_body(campaign, [cadre["id"]], submit=False))).json()
    assert rec["state"] == "draft"
    assert (await api.client.get(f"/api/records/{rec['id']}", headers=officer)).status_code == 404
    sub = await api.client.post(f"/api/records/{rec['id']}/submit", headers=researcher,
                                json={"version": 1})
    assert sub.status_code == 200 and sub.json()["state"] == "submitted"
    assert (await api.client.get(f"/api/records/{rec['id']}", headers=officer)).status_code == 200


async def test_submitted_record_is_amended_with_reason_and_keeps_history(api: Api) -> None:
    _, researcher, cadre, campaign = await _setup(api)
    body = record_body(campaign, [cadre["id"]])
    rec = (await api.client.post("/api/records", headers=researcher, json=body)).json()
    content = {k: body[k] for k in ("occurred_on", "place", "title", "body", "details", "cadre_ids")}
    no_reason = await api.client.put(f"/api/records/{rec['id']}", headers=researcher,
                                     json={**content, "title": "更正标题", "version": 1})
    assert no_reason.status_code == 422
    ok = await api.client.put(f"/api/records/{rec['id']}", headers=researcher,
                              json={**content, "title": "更正标题", "version": 1,
                                    "reason": "标题笔误"})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = await api.client.put(f"/api/records/{rec['id']}", headers=researcher,
                                 json={**content, "title": "再改", "version": 1, "reason": "x"})
    assert stale.status_code == 409
    revs = (await api.client.get(f"/api/records/{rec['id']}/revisions", headers=researcher)).json()
    assert [r["action"] for r in revs] == ["create", "amend"]
    assert revs[1]["changes"]["title"] == ["局长窗口服务纪实", "更正标题"]
    assert revs[1]["changes"]["reason"] == "标题笔误"


async def test_retry_with_idempotency_key_files_once(api: Api) -> None:
    _, researcher, cadre, campaign = await _setup(api)
    headers = {**researcher, "Idempotency-Key": f"rec-{api.tag}"}
    body = record_body(campaign, [cadre["id"]])
    a = await api.client.post("/api/records", headers=headers, json=body)
    b = await api.client.post("/api/records", headers=headers, json=body)
    assert a.json()["id"] == b.json()["id"]
    n = await api.pool.fetchval("SELECT count(*) FROM field_records WHERE team_id = $1",
                                campaign["teams"][0]["id"])
    assert n == 1


async def test_details_must_match_kind_and_body_is_bounded(api: Api) -> None:
    _, researcher, cadre, campaign = await _setup(api)
    wrong = record_body(campaign, [cadre["id"]], kind="interview")
    assert (await api.client.post("/api/records", headers=researcher, json=wrong)).status_code == 422
    huge = record_body(campaign, [cadre["id"]], body="长" * 20001)
    assert (await api.client.post("/api/records", headers=researcher, json=huge)).status_code == 422
    too_big = record_body(campaign, [cadre["id"]], body="长" * 900_000)
    r = await api.client.post("/api/records", headers=researcher, json=too_big)
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
