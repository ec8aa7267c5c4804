"""`next` after sign-in is a path on this site, after the normalisation a browser does (issue 12.2).

The browser journey (tests/web/test_signin.py) signs in for real with these targets; here the
server's rule is checked for many more forms.
"""

import html
import re
from urllib.parse import quote

import httpx
import pytest

HOSTILE = ["/%09/evil.example/x", "/%0A/evil.example/x", "/%0D/evil.example/x", "/%0D%0A/evil.example",
           "/%5Cevil.example", "/%5C%5Cevil.example", "%2F%5Cevil.example", "//evil.example",
           "/%2F/evil.example", "https:evil.example", "https://evil.example", "javascript:alert(1)",
           "%09//evil.example", "/%20/evil.example", "%20/x", "/%252F/evil.example", "/%2509/evil",
           "/%5C%09evil.example", "/login", "/login?next=/x", "evil.example"]
SAFE = ["/", "/search?q=%E5%9F%8E%E5%B8%82%E6%9B%B4%E6%96%B0&page=2", "/cadres/12", "/audit?verify=1"]


async def _next_of(client: httpx.AsyncClient, raw: str) -> str:
    r = await client.get(f"/login?next={raw}")
    assert r.status_code == 200, r.text
    found = re.search(r'data-next="([^"]*)"', r.text)
    assert found is not None
    return html.unescape(found.group(1))


@pytest.mark.parametrize("raw", HOSTILE)
async def test_a_target_a_browser_would_send_elsewhere_leads_home(client: httpx.AsyncClient,
                                                                   raw: str) -> None:
    assert await _next_of(client, raw) == "/"


@pytest.mark.parametrize("target", SAFE)
async def test_a_plain_local_path_is_kept(client: httpx.AsyncClient, target: str) -> None:
    # Quoted whole, as the sign-in redirect (service/web/page_route.py) puts it into `next`.
    assert await _next_of(client, quote(target, safe="")) == target


async def test_a_browser_without_session_is_sent_to_sign_in_with_a_next_that_is_kept(
        client: httpx.AsyncClient) -> None:
    r = await client.get("/search?q=城市更新&page=2", headers={"Accept": "text/html"})
    assert r.status_code in (302, 303)
    location = r.headers["location"]
    assert location.startswith("/login?next=")
    assert await _next_of(client, location.removeprefix("/login?next=")) \
        == "/search?q=%E5%9F%8E%E5%B8%82%E6%9B%B4%E6%96%B0&page=2"
