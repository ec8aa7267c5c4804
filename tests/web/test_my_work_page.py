"""我的工作: each filer sees only the field records they can act on — their own, in the teams of open
campaigns they belong to; an officer outside every research team is told why there are none (filing
stays offered: any filer may file evidence)."""

import httpx

from tests.factories import Api, campaign_with_team, record_body


async def test_my_work_lists_only_records_the_user_can_still_act_on_and_offers_filing_to_team_members(
        client: httpx.AsyncClient, api: Api) -> None:
    # Before, drafts of a closed campaign (which can no longer be edited or submitted) were listed
    # with their edit and submit buttons, and an officer in no team was not told why none are.
    _, lead = await api.user("officer", [api.units["city"]])
    member_id, member = await api.user("officer", [api.units["city"]])
    _, outsider = await api.user("officer", [api.units["city"]])
    who = await api.cadre(lead, api.units["d1"])
    campaign = await campaign_with_team(api, lead, [member_id], [api.units["d1"]])
    draft = await client.post("/api/records", headers=member,
                              json=record_body(campaign, [who["id"]], submit=False, title="待提交的窗口纪实"))
    sent = await client.post("/api/records", headers=member,
                             json=record_body(campaign, [who["id"]], title="已提交的窗口纪实"))
    assert draft.status_code == 201 and sent.status_code == 201, (draft.text, sent.text)
    page = (await client.get("/my-work", headers=member)).text
    assert 'id="no-team"' not in page and "待提交的窗口纪实" in page and "已提交的窗口纪实" in page
    assert f'href="/records/{draft.json()["id"]}/edit"' in page
    closed = await client.patch(f"/api/campaigns/{campaign['id']}", headers=lead,
                                json={"version": campaign["version"], "status": "closed"})
    assert closed.status_code == 200, closed.text
    after = (await client.get("/my-work", headers=member)).text
    assert "待提交的窗口纪实" not in after and "已提交的窗口纪实" not in after
    assert 'href="/file"' in after and 'id="no-team"' in after
    none = (await client.get("/my-work", headers=outsider)).text
    assert 'href="/file"' in none and 'id="no-team"' in none
