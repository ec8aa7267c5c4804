"""Eligibility rules evaluated in SQL: each rule passes or fails with the value behind it."""

from typing import Any

from tests.factories import Api
from tests.positions.helpers import RULES, cadre, evidence, office, position


async def _outcomes(api: Api, headers: dict[str, str], position_id: int) -> dict[int, dict[str, Any]]:
    r = await api.client.get(f"/api/positions/{position_id}/eligibility", headers=headers,
                             params={"which": "all", "limit": 200})
    assert r.status_code == 200, r.text
    return {item["cadre_id"]: item for item in r.json()["items"]}


async def test_every_rule_fails_alone_and_says_why(api: Api) -> None:
    o = await office(api)
    good = await cadre(o)
    failing = {
        "current_level": await cadre(o, post_level_since="2024-01-01"),
        "max_age": await cadre(o, birth_date="1970-01-01"),
        "min_education": await cadre(o, edu_fulltime_level="college"),
        "tier": await cadre(o, tier="city_managed"),
        "grassroots": await cadre(o, career=[{"start_date": "2005-07-01", "unit_name": "住建局",
                                              "post": "科员"}]),
        "domain_urban_renewal": await cadre(o),
        "appraisal": await cadre(o, appraisals=[{"year": 2023, "grade": "basically_competent"}]),
        "no_open_penalty": await cadre(o, rewards_penalties=[{
            "kind": "penalty", "title": "党内警告处分", "decided_on": "2025-01-10",
            "effective_until": "2025-07-10"}]),
    }
    for who in [good, *failing.values()]:
        if who is not failing["domain_urban_renewal"]:
            await evidence(o, who["id"])
    # Claimed (unverified) evidence does not count.
    await evidence(o, failing["domain_urban_renewal"]["id"], verify=False)
    pos = await position(o)
    outcomes = await _outcomes(api, o.officer, pos["id"])
    assert outcomes[good["id"]]["eligible"] and outcomes[good["id"]]["failed"] == []
    for rule, who in failing.items():
        item = outcomes[who["id"]]
        assert item["failed"] == [rule], (rule, item)
        line = next(r for r in item["rules"] if r["rule"] == rule)
        assert not line["passed"] and line["detail"]
    age = next(r for r in outcomes[failing["max_age"]["id"]]["rules"] if r["rule"] == "max_age")
    assert age["detail"].startswith("55 周岁")
    penalty = next(r for r in outcomes[failing["no_open_penalty"]["id"]]["rules"]
                   if r["rule"] == "no_open_penalty")
    assert "党内警告处分" in penalty["detail"]
    failed_only = await api.client.get(f"/api/positions/{pos['id']}/eligibility", headers=o.officer)
    body = failed_only.json()
    assert good["id"] not in {i["cadre_id"] for i in body["items"]}
    assert body["eligible_total"] == 1


async def test_expired_penalty_inservice_degree_and_higher_rank_pass(api: Api) -> None:
    o = await office(api)
    ok = await cadre(o, edu_fulltime_level="college", edu_inservice_level="master",
                     post_level=None, post_level_since=None, rank="principal_clerk_1",
                     rank_since="2025-01-01",
                     rewards_penalties=[{"kind": "penalty", "title": "诫勉", "decided_on": "2023-01-10",
                                         "effective_until": "2023-07-10"}])
    await evidence(o, ok["id"])
    rules = {**RULES, "min_post_level": None,
             "min_rank": {"rank": "principal_clerk_2", "years": 2}}
    pos = await position(o, rules=rules)
    assert (await _outcomes(api, o.officer, pos["id"]))[ok["id"]]["eligible"]
    fulltime = {**rules, "min_education": {"level": "bachelor", "fulltime_only": True}}
    pos2 = await position(o, rules=fulltime)
    assert (await _outcomes(api, o.officer, pos2["id"]))[ok["id"]]["failed"] == ["min_education"]


async def test_rank_or_post_level_either_suffices(api: Api) -> None:
    o = await office(api)
    by_rank = await cadre(o, post_level=None, post_level_since=None)
    await evidence(o, by_rank["id"])
    rules = {**RULES, "min_rank": {"rank": "principal_clerk_2", "years": 3}}
    pos = await position(o, rules=rules)
    item = (await _outcomes(api, o.officer, pos["id"]))[by_rank["id"]]
    assert item["eligible"], item


async def test_scope_roles_and_versions(api: Api) -> None:
    o = await office(api)
    _, other = await api.user("officer", [api.units["d2"]])
    _, leader = await api.user("leader", [api.units["d1"]])
    _, researcher = await api.user("researcher")
    pos = await position(o)
    assert (await api.client.get(f"/api/positions/{pos['id']}", headers=other)).status_code == 404
    assert (await api.client.get(f"/api/positions/{pos['id']}", headers=leader)).status_code == 200
    assert (await api.client.get(f"/api/positions/{pos['id']}", headers=researcher)).status_code == 403
    body = {k: pos[k] for k in ("unit_id", "title", "post_level", "tier", "category", "is_elected",
                                "reference_date", "rules", "weights")}
    assert (await api.client.post("/api/positions", headers=leader, json=body)).status_code == 403
    outside = await api.client.post("/api/positions", headers=other, json=body)
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "unit_id"
    changed = {**body, "weights": {**pos["weights"], "evidence": 2.5}}
    assert (await api.client.put(f"/api/positions/{pos['id']}", headers=o.officer,
                                 json=changed)).status_code == 428
    ok = await api.client.put(f"/api/positions/{pos['id']}", headers={**o.officer, "If-Match": '"1"'},
                              json=changed)
    assert ok.status_code == 200 and ok.json()["weights"]["evidence"] == 2.5
    stale = await api.client.put(f"/api/positions/{pos['id']}", headers=o.officer,
                                 json={**changed, "version": 1})
    assert stale.status_code == 409
    revs = (await api.client.get(f"/api/positions/{pos['id']}/revisions", headers=o.officer)).json()
    assert [r["action"] for r in revs] == ["create", "update"]


async def test_bad_rules_are_field_errors(api: Api) -> None:
    o = await office(api)
    r = await api.client.post("/api/positions", headers=o.officer, json={
        "unit_id": api.units["d1_bureau"], "title": "x", "tier": "district_managed",
        "rules": {"max_age": {"max_age": 5}, "domains": [{"domain": "urban_renewal"},
                                                         {"domain": "urban_renewal"}],
                  "unknown_rule": 1}})
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert "rules.max_age.max_age" in fields and "rules.unknown_rule" in fields
