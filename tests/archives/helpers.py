"""A campaign studying a bureau's leadership team, with talks, a site visit, evidence and a round."""

from typing import Any

from tests.factories import Api, record_body
from tests.leadership.helpers import bureau_team


async def _ok(api: Api, method: str, path: str, headers: dict[str, str], body: Any) -> dict[str, Any]:
    r = await api.client.request(method, path, headers=headers, json=body)
    assert r.status_code in (200, 201), r.text
    out: dict[str, Any] = r.json()
    return out


async def studied_team(api: Api) -> dict[str, Any]:
    """The bureau team of tests/leadership studied by a campaign from 2024-03-01, with a second
    deputy who has no record (a coverage gap), and one record of another campaign."""
    w = await bureau_team(api)
    officer = w["officer"]
    w["quiet"] = await api.cadre(
        officer, w["bureau"], name="副局长戊", post="副局长", post_level="section_deputy",
        career=[{"start_date": "2021-05-01", "unit_id": w["bureau"], "unit_name": "住建局", "post": "副局长",
                 "post_level": "section_deputy"}])
    rid, researcher = await api.user("researcher")
    _, checker = await api.user("officer", [api.units["d1"]])
    campaign = await _ok(api, "POST", "/api/campaigns", officer, {
        "name": f"市管班子专题调研{api.tag}", "starts_on": "2024-03-01", "ends_on": "2027-12-31",
        "status": "open", "teams": [{"name": "第一调研组", "member_ids": [rid],
                                     "leadership_unit_ids": [w["bureau"]]}]})
    head, deputy = w["head"]["id"], w["deputy"]["id"]
    talk = await _ok(api, "POST", "/api/records", researcher, record_body(
        campaign, [head], kind="interview", title="与班子成员个别谈话", occurred_on="2025-05-10",
        place="区住建局", body="谈话对象普遍反映该同志抓城市更新有办法，敢于碰硬。",
        details={"kind": "interview", "interviewee_relation": "colleague", "interviewee_count": 3}))
    visit = await _ok(api, "POST", "/api/records", researcher, record_body(
        campaign, [head, deputy], kind="site_visit", title="老旧小区改造现场察看", occurred_on="2025-05-12",
        body="现场察看3个改造小区，施工有序。", details={"kind": "site_visit"}))
    good = await _ok(api, "POST", "/api/evidence", officer, {
        "cadre_id": head, "domain": "urban_renewal", "title": "牵头完成老旧小区改造",
        "description": "完成老旧小区改造12个，惠及居民3400户。", "period_start": "2024-01-01",
        "period_end": "2024-12-31", "metrics": [{"name": "改造小区", "value": 12, "unit": "个"}]})
    good = await _ok(api, "POST", f"/api/evidence/{good['id']}/verification", checker,
                     {"verification": "verified", "version": good["version"]})
    weak = await _ok(api, "POST", "/api/evidence", officer, {
        "cadre_id": deputy, "domain": "investment_attraction", "title": "招商项目落地偏慢",
        "description": "签约项目3个，落地1个。", "judgement": "negative", "period_start": "2024-01-01",
        "period_end": "2024-12-31"})
    clerk_ev = await _ok(api, "POST", "/api/evidence", officer, {
        "cadre_id": w["clerk"]["id"], "domain": "other", "title": "办公室主任的材料",
        "period_start": "2024-01-01", "period_end": "2024-12-31"})
    other = await _ok(api, "POST", "/api/campaigns", officer, {
        "name": f"另一调研{api.tag}", "starts_on": "2024-01-01", "ends_on": "2027-12-31", "status": "open",
        "teams": [{"name": "二组", "member_ids": [rid], "cadre_ids": [head]}]})
    elsewhere = await _ok(api, "POST", "/api/records", researcher, record_body(
        other, [head], title="另一调研活动的记录", occurred_on="2025-06-01"))
    rnd = await _ok(api, "POST", "/api/leadership/evaluations", officer, {
        "unit_id": w["bureau"], "campaign_id": campaign["id"], "name": "班子和班子成员民主测评",
        "held_on": "2025-06-20", "votes": [
            {"rater_category": "middle", "counts": {"excellent": 10, "competent": 5}},
            {"cadre_id": head, "rater_category": "middle", "counts": {"excellent": 12, "competent": 3}}]})
    return {**w, "researcher": researcher, "researcher_id": rid, "campaign": campaign, "talk": talk,
            "visit": visit, "good": good, "weak": weak, "clerk_ev": clerk_ev, "elsewhere": elsewhere,
            "round": rnd}
