"""审计 page: the people in the trail are named as a person reads them, never by their number."""

import re

import httpx

from tests.factories import Api


async def test_the_actor_column_shows_display_name_and_username_without_the_account_number(
        client: httpx.AsyncClient, api: Api) -> None:
    # Before, the column read "display name（numeric id）".
    officer_id, officer = await api.user("officer", [api.units["city"]])
    _, auditor = await api.user("auditor")
    assert (await client.get("/api/promotions", headers=officer)).status_code == 200
    account = (await client.get(f"/api/users/{officer_id}", headers=api.admin)).json()
    r = await client.get(f"/audit?actor_id={officer_id}", headers=auditor)
    assert r.status_code == 200, r.text
    cells = re.findall(r'<span class="cell-label">操作人</span>([^<]*)</td>', r.text)
    assert cells, "the trail lists no entry of the officer"
    assert set(cells) == {f"{account['display_name']}（{account['username']}）"}
    assert not any(re.search(r"（\d+）", c) for c in cells)
