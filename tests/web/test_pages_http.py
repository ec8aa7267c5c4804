"""Pages over plain HTTP: versioned static files, sign-in redirects, HTML errors, the palette."""

import re
from datetime import timedelta
from pathlib import Path

import httpx

from indexer.worker import Worker
from schemas import clock
from service.web.static import assets, static_url
from tests.factories import Api, campaign_with_team, record_body

CSS = Path(__file__).resolve().parents[2] / "service" / "web" / "static" / "app.css"
# (foreground, background) pairs of app.css custom properties that carry text.
TEXT_PAIRS = [("text", "bg"), ("muted", "bg"), ("muted", "surface"), ("link", "bg"), ("on-brand", "brand"),
              ("on-brand", "brand-dark"), ("ok", "ok-bg"), ("warn", "warn-bg"), ("error", "error-bg"),
              ("star", "bg"), ("text", "mark"), ("text", "surface"), ("brand", "bg")]


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_colours_of_the_palette_have_at_least_4_5_to_1_contrast() -> None:
    palette = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text(encoding="utf-8")))
    low = {f"{fg}/{bg}": round(contrast(palette[fg], palette[bg]), 2) for fg, bg in TEXT_PAIRS
           if contrast(palette[fg], palette[bg]) < 4.5}
    assert not low, f"colour pairs below 4.5:1: {low}"


async def test_static_files_carry_their_digest_and_are_cached_only_under_it(
        client: httpx.AsyncClient) -> None:
    url = static_url("app.css")
    digest = assets()["app.css"].digest
    assert url == f"/static/app.css?v={digest}"
    r = await client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = await client.get("/static/app.css?v=00000000")
    assert stale.headers["cache-control"] == "no-cache"
    again = await client.get(url, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    assert (await client.get("/static/../service/config.py")).status_code == 404
    assert (await client.get("/static/nothing.js")).status_code == 404


async def test_echarts_comes_back_gzip_encoded_smaller_and_still_long_cached(
        client: httpx.AsyncClient) -> None:
    url = static_url("vendor/echarts.min.js")
    plain = await client.get(url, headers={"Accept-Encoding": "identity"})
    packed = await client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert packed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert packed.num_bytes_downloaded < plain.num_bytes_downloaded / 2
    assert packed.content == plain.content  # httpx decoded it: the same script
    assert packed.headers["etag"] != plain.headers["etag"]
    again = await client.get(url, headers={"Accept-Encoding": "gzip",
                                           "If-None-Match": packed.headers["etag"]})
    assert again.status_code == 304
    refused = await client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers


def test_vendored_libraries_are_served_by_the_app() -> None:
    for name in ("vendor/htmx.min.js", "vendor/echarts.min.js"):
        assert name in assets(), f"{name} missing: `npm ci --ignore-scripts` in service/web (make setup)"


async def test_a_browser_without_a_session_is_sent_to_sign_in_and_a_script_gets_401(
        client: httpx.AsyncClient) -> None:
    r = await client.get("/cadres/1?x=1", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fcadres%2F1%3Fx%3D1"
    r = await client.get("/cadres/1")
    assert r.status_code == 401 and r.headers["content-type"].startswith("text/html")
    assert "请先登录" in r.text
    login = await client.get("/login?next=//evil.example/")
    assert login.status_code == 200 and 'data-next="/"' in login.text
    assert "script-src 'self'" in login.headers["content-security-policy"]


async def test_a_bad_page_parameter_is_a_chinese_page_not_json(client: httpx.AsyncClient, api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    r = await client.get("/search?page=0", headers=officer)
    assert r.status_code == 422 and "页面参数不正确" in r.text
    r = await client.get("/search?q=&unit_id=&year=", headers=officer)
    assert r.status_code == 200


async def test_text_people_wrote_is_escaped_on_pages_and_in_highlighted_results(
        client: httpx.AsyncClient, api: Api, indexer: Worker) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    researcher_id, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [researcher_id], [api.units["d1"]])
    nasty = '现场<img src=x onerror="alert(1)">察看'
    r = await client.post("/api/records", headers=researcher, json=record_body(
        campaign, [cadre["id"]], title=nasty, body=f"正文 {nasty}"))
    assert r.status_code == 201, r.text
    await indexer.drain()
    page = await client.get(f"/records/{r.json()['id']}", headers=researcher)
    assert page.status_code == 200
    assert "<img" not in page.text and "&lt;img src=x onerror=" in page.text
    found = await client.get("/search", params={"q": "onerror"}, headers=officer)
    assert found.status_code == 200 and "<mark>onerror</mark>" in found.text
    assert "<img" not in found.text


async def test_an_open_campaign_past_its_end_date_says_so_and_leads_the_officer_to_close_it(
        client: httpx.AsyncClient, api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    researcher_id, researcher = await api.user("researcher")
    ended = (clock.today() - timedelta(days=33)).isoformat()
    r = await client.post("/api/campaigns", headers=officer, json={
        "name": f"专题调研{api.tag}", "starts_on": "2024-01-01", "ends_on": ended, "status": "open",
        "teams": [{"name": "第一调研组", "member_ids": [researcher_id], "unit_ids": [api.units["d1"]]}]})
    assert r.status_code == 201, r.text
    current = await campaign_with_team(api, officer, [researcher_id], [api.units["d1"]])
    overdue = f"进行中（已过结束日期 {ended}）"
    listing = await client.get("/campaigns", headers=officer)
    assert listing.text.count(overdue) == 1
    page = await client.get(f"/campaigns/{r.json()['id']}", headers=officer)
    assert overdue in page.text and 'href="#status-h"' in page.text
    # Stored state is unchanged: still open, so the team may still file what happened in time.
    assert (await client.get(f"/api/campaigns/{r.json()['id']}", headers=officer)).json()["status"] == "open"
    seen = await client.get(f"/campaigns/{r.json()['id']}", headers=researcher)
    assert overdue in seen.text and "是否结束由干部工作人员决定" in seen.text
    fresh = await client.get(f"/campaigns/{current['id']}", headers=officer)
    assert "已过结束日期" not in fresh.text


async def test_secondment_metrics_are_shown_by_their_chinese_names_not_their_codes(
        client: httpx.AsyncClient, api: Api) -> None:
    _, officer = await api.user("officer", [api.units["city"]])
    code = f"visits_{api.tag}"
    r = await client.post("/api/secondments/metrics", headers=officer,
                          json={"code": code, "name": f"走访企业{api.tag}", "unit_label": "家"})
    assert r.status_code == 201, r.text
    page = await client.get("/secondments", headers=officer)
    assert f"走访企业{api.tag}（家）" in page.text
    assert code not in page.text
