"""Cadre registry: creation, scope, masking, versions, revisions, idempotency, bad input."""

from tests.factories import Api


async def test_officer_creates_cadre_with_resume_and_reads_it_back(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    created = await api.cadre(officer, api.units["d1_bureau"])
    assert created["version"] == 1
    assert [c["post"] for c in created["career"]] == ["科员", "局长"]
    r = await api.client.get(f"/api/cadres/{created['id']}", headers=officer)
    assert r.status_code == 200
    assert r.headers["etag"] == '"1"'
    assert r.json()["national_id"] == created["national_id"]
    assert not r.json()["national_id_masked"]


async def test_out_of_scope_cadre_is_404_not_403(api: Api) -> None:
    _, officer1 = await api.user("officer", [api.units["d1"]])
    _, officer2 = await api.user("officer", [api.units["d2"]])
    created = await api.cadre(officer1, api.units["d1_bureau"])
    r = await api.client.get(f"/api/cadres/{created['id']}", headers=officer2)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    listed = await api.client.get("/api/cadres", headers=officer2)
    assert created["id"] not in [c["id"] for c in listed.json()["items"]]


async def test_officer_cannot_register_cadre_outside_scope(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    r = await api.client.post("/api/cadres", headers=officer,
                              json=api.cadre_body(api.units["d2_bureau"]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "unit_id"


async def test_leader_sees_national_id_masked(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, leader = await api.user("leader", [api.units["city"]])
    created = await api.cadre(officer, api.units["d1_bureau"])
    r = await api.client.get(f"/api/cadres/{created['id']}", headers=leader)
    assert r.status_code == 200
    shown = r.json()["national_id"]
    assert shown != created["national_id"] and "********" in shown
    assert shown[:6] == created["national_id"][:6] and shown[-4:] == created["national_id"][-4:]


async def test_invalid_national_id_check_digit_is_refused(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    body = api.cadre_body(api.units["d1_bureau"])
    nid = body["national_id"]
    body["national_id"] = nid[:17] + ("0" if nid[17] != "0" else "1")
    r = await api.client.post("/api/cadres", headers=officer, json=body)
    assert r.status_code == 422
    assert any("校验位" in e["message"] for e in r.json()["errors"])


async def test_stale_update_is_refused_and_changes_nothing(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    created = await api.cadre(officer, api.units["d1_bureau"])
    body = api.cadre_body(api.units["d1_bureau"], post="党组书记、局长",
                          national_id=created["national_id"], birth_date=created["birth_date"])
    for key in ("career", "appraisals"):
        body.pop(key)
    ok = await api.client.put(f"/api/cadres/{created['id']}", headers={**officer, "If-Match": '"1"'},
                              json=body)
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == 2
    stale = await api.client.put(f"/api/cadres/{created['id']}",
                                 headers={**officer, "If-Match": '"1"'}, json={**body, "post": "x"})
    assert stale.status_code == 412
    stale_body = await api.client.put(f"/api/cadres/{created['id']}", headers=officer,
                                      json={**body, "post": "x", "version": 1})
    assert stale_body.status_code == 409
    missing = await api.client.put(f"/api/cadres/{created['id']}", headers=officer, json=body)
    assert missing.status_code == 428
    now = await api.client.get(f"/api/cadres/{created['id']}", headers=officer)
    assert now.json()["post"] == "党组书记、局长"
    revs = await api.client.get(f"/api/cadres/{created['id']}/revisions", headers=officer)
    assert [r["version"] for r in revs.json()] == [1, 2]
    assert revs.json()[1]["changes"]["post"] == ["局长", "党组书记、局长"]


async def test_retried_create_with_same_idempotency_key_creates_one_cadre(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    body = api.cadre_body(api.units["d1_bureau"])
    headers = {**officer, "Idempotency-Key": f"k-{api.tag}"}
    first = await api.client.post("/api/cadres", headers=headers, json=body)
    second = await api.client.post("/api/cadres", headers=headers, json=body)
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    count = await api.pool.fetchval("SELECT count(*) FROM cadres WHERE national_id = $1",
                                    body["national_id"])
    assert count == 1
    other = await api.client.post("/api/cadres", headers=headers, json={**body, "post": "副局长"})
    assert other.status_code == 422


async def test_bad_input_gets_field_errors_in_chinese_and_writes_nothing(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    before = await api.pool.fetchval("SELECT count(*) FROM cadres")
    body = api.cadre_body(api.units["d1_bureau"], gender="x", birth_date="1980-13-01",
                          unexpected="y")
    r = await api.client.post("/api/cadres", headers=officer, json=body)
    assert r.status_code == 422
    problem = r.json()
    assert problem["status"] == 422 and problem["title"] == "输入不符合要求"
    fields = {e["field"] for e in problem["errors"]}
    assert {"gender", "birth_date", "unexpected"} <= fields
    assert await api.pool.fetchval("SELECT count(*) FROM cadres") == before


async def test_researcher_cannot_create_cadre_and_unauthenticated_is_401(api: Api) -> None:
    _, researcher = await api.user("researcher")
    r = await api.client.post("/api/cadres", headers=researcher,
                              json=api.cadre_body(api.units["d1_bureau"]))
    assert r.status_code == 403
    anon = await api.client.get("/api/cadres")
    assert anon.status_code == 401
    assert anon.headers["content-type"].startswith("application/problem+json")


async def test_appraisals_and_rewards_bump_version_and_are_revisions(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    created = await api.cadre(officer, api.units["d1_bureau"])
    r = await api.client.post(f"/api/cadres/{created['id']}/appraisals", headers=officer,
                              json=[{"year": 2025, "grade": "excellent"}])
    assert r.status_code == 201 and r.json()["version"] == 2
    r = await api.client.post(f"/api/cadres/{created['id']}/rewards-penalties", headers=officer,
                              json=[{"kind": "reward", "title": "嘉奖", "decided_on": "2025-01-10"}])
    assert r.status_code == 201 and r.json()["version"] == 3
    assert r.json()["rewards_penalties"][0]["title"] == "嘉奖"
