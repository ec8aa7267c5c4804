"""The live count behind the position form: rules being edited, counted before they are saved."""

from tests.factories import Api
from tests.positions.helpers import REF, RULES, cadre, evidence, office, position


async def test_the_preview_counts_pool_eligible_and_each_rule_like_the_saved_position(api: Api) -> None:
    o = await office(api)
    good = await cadre(o)
    old = await cadre(o, birth_date="1970-01-01")
    for who in (good, old):
        await evidence(o, who["id"])
    await cadre(o, edu_fulltime_level="college")
    r = await api.client.post("/api/positions/eligibility-preview", headers=o.officer,
                              json={"rules": RULES, "reference_date": REF})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["pool"] == 3
    counts = {c["rule"]: c["passed"] for c in body["rules"]}
    assert counts["max_age"] == 2 and counts["min_education"] == 2
    assert counts["domain_urban_renewal"] == 2
    saved = await position(o)
    listing = (await api.client.get(f"/api/positions/{saved['id']}/eligibility", headers=o.officer,
                                    params={"which": "all"})).json()
    assert body["eligible"] == listing["eligible_total"] == 1
    # Loosening a rule changes the count without saving anything.
    looser = {**RULES, "max_age": {"max_age": 65}}
    r = await api.client.post("/api/positions/eligibility-preview", headers=o.officer,
                              json={"rules": looser, "reference_date": REF})
    assert r.json()["eligible"] == 2


async def test_the_preview_counts_only_the_callers_scope_and_refuses_bad_rules(api: Api) -> None:
    o = await office(api)
    await cadre(o)
    _, other = await api.user("officer", [api.units["d2"]])
    r = await api.client.post("/api/positions/eligibility-preview", headers=other, json={})
    assert r.status_code == 200 and r.json()["pool"] == 0
    bad = await api.client.post("/api/positions/eligibility-preview", headers=o.officer,
                                json={"rules": {"max_age": {"max_age": 5}}})
    assert bad.status_code == 422
    assert "max_age" in bad.json()["errors"][0]["field"]
    researcher = (await api.user("researcher"))[1]
    assert (await api.client.post("/api/positions/eligibility-preview", headers=researcher,
                                  json={})).status_code == 403


async def test_a_preview_with_only_the_level_fit_rule_counts_without_a_server_error(api: Api) -> None:
    o = await office(api)
    await cadre(o)
    r = await api.client.post("/api/positions/eligibility-preview", headers=o.officer, json={
        "rules": {"no_open_penalty": False, "max_post_level": "section_main"}, "reference_date": REF})
    assert r.status_code == 200, r.text
