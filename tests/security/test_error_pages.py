"""A mistyped address: browsers get the Chinese error page, API clients problem+json."""

import httpx


async def test_a_browser_at_a_mistyped_page_address_gets_the_chinese_error_page(
        client: httpx.AsyncClient) -> None:
    r = await client.get("/scorebaord/1", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "页面不存在" in r.text and '"status"' not in r.text and "/scorebaord" not in r.text


async def test_api_clients_and_api_addresses_still_get_problem_json(client: httpx.AsyncClient) -> None:
    for path, accept in (("/scorebaord/1", "application/json"), ("/api/no-such", "text/html")):
        r = await client.get(path, headers={"Accept": accept})
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["title"] == "对象不存在（或不在您的查看范围内）"
