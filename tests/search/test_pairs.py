"""Character pairs in the index (schemas.search): one-character terms, and pages past the window
the service re-ranks, where hits Meilisearch finds by pairs but the whole term does not match
are dropped."""

from typing import Any

from indexer.worker import Worker
from service.search import near, rank
from tests.factories import Api, campaign_with_team, record_body


async def _file(api: Api, researcher: dict[str, str], campaign: dict[str, Any], cadre_id: int,
                title: str, body: str) -> str:
    r = await api.client.post("/api/records", headers=researcher, json=record_body(
        campaign, [cadre_id], title=title, body=body, place="区会议室"))
    assert r.status_code == 201, r.text
    return f"record-{r.json()['id']}"


async def _filing_setup(api: Api) -> tuple[dict[str, str], dict[str, str], dict[str, Any], dict[str, Any]]:
    """An officer of d1, a researcher on a campaign team there, and a cadre of its bureau."""
    _, officer = await api.user("officer", [api.units["d1"]])
    rid, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    return officer, researcher, cadre, campaign


async def test_one_character_term_finds_titles_and_people_not_text(api: Api, indexer: Worker) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    rid, researcher = await api.user("researcher")
    named = await api.cadre(officer, api.units["d1_bureau"], name="鹮志东")
    other = await api.cadre(officer, api.units["d1_bureau"], name="欧阳立新")
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    about = await _file(api, researcher, campaign, named["id"], "谈话纪实", "围绕德能勤绩廉听取意见。")
    in_text = await _file(api, researcher, campaign, other["id"], "谈话纪实", "提到鹮类保护区。")
    await indexer.drain()
    r = await api.client.get("/api/search", headers=officer, params={"q": "鹮", "per_page": 100})
    assert r.status_code == 200, r.text
    got = {h["id"] for h in r.json()["hits"]}
    assert {f"cadre-{named['id']}", about} <= got
    assert in_text not in got and f"cadre-{other['id']}" not in got
    # Two characters or more: any place, the text included.
    r = await api.client.get("/api/search", headers=officer, params={"q": "鹮类", "per_page": 100})
    assert {h["id"] for h in r.json()["hits"]} == {in_text}


async def test_pages_past_the_window_hold_every_match_once(api: Api, indexer: Worker) -> None:
    officer, researcher, cadre, campaign = await _filing_setup(api)
    # Titles holding both pairs of 鹭鸥雁 but not the term: Meilisearch ranks these title matches
    # first, so they fill the window and the service drops them.
    for i in range(10):
        await _file(api, researcher, campaign, cadre["id"], f"鹭鸥与鸥雁观察{i}", "湿地巡查。")
    matching = {await _file(api, researcher, campaign, cadre["id"], "湿地巡查纪实", f"记录鹭鸥雁第{i}群。")
                for i in range(rank.WINDOW + 11)}
    await indexer.drain()
    seen: list[str] = []
    page, per_page = 1, 20
    while True:
        r = await api.client.get("/api/search", headers=officer,
                                 params={"q": "鹭鸥雁", "page": page, "per_page": per_page})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == len(matching)
        # More hits than the window: an upper bound until a page past the window reads them all.
        if page == 1 or page * per_page >= len(matching):
            assert body["total_exact"] is (page > 1), page
        hits = [h["id"] for h in body["hits"]]
        if page * per_page < body["total"]:
            assert len(hits) == per_page, (page, len(hits))
        seen += hits
        if page * per_page >= body["total"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) and set(seen) == matching


async def test_pages_are_full_when_look_alikes_fall_past_the_window(api: Api, indexer: Worker) -> None:
    officer, researcher, cadre, campaign = await _filing_setup(api)
    # The real matches hold the term in their titles, so Meilisearch ranks them first and the
    # look-alikes (both pairs of 鹳鹬鸻 in the text, not the term) come after the window.
    matching = {await _file(api, researcher, campaign, cadre["id"], f"鹳鹬鸻观察{i}", "湿地巡查。")
                for i in range(rank.WINDOW + 25)}
    for i in range(30):
        await _file(api, researcher, campaign, cadre["id"], "湿地巡查纪实", f"记录鹳鹬与鹬鸻第{i}群。")
    await indexer.drain()
    for per_page in (20, 50):
        seen: list[str] = []
        page = 1
        while True:
            r = await api.client.get("/api/search", headers=officer,
                                     params={"q": "鹳鹬鸻", "page": page, "per_page": per_page})
            assert r.status_code == 200, r.text
            body = r.json()
            hits = [h["id"] for h in body["hits"]]
            seen += hits
            if page == 1:  # look-alikes past the window are counted until they are read
                assert body["total"] > len(matching) and body["total_exact"] is False
            if page * per_page >= body["total"]:
                break
            assert len(hits) == per_page, (per_page, page, len(hits))  # no short page on the way
            page += 1
        assert body["total"] == len(matching), "the last page counts exactly"
        assert body["total_exact"] is True
        assert len(seen) == len(set(seen)) and set(seen) == matching
    # The search page says an upper bound is one (共约 N 条).
    html = await api.client.get("/search", headers=officer, params={"q": "鹳鹬鸻"})
    assert html.status_code == 200 and "共约 <strong>" in html.text


async def test_a_near_match_next_to_a_common_piece_is_found_among_many_candidates(
        api: Api, indexer: Worker) -> None:
    officer, researcher, cadre, campaign = await _filing_setup(api)
    # 鹳鹬 stands in many titles (ranked first), 鹳鹬鸻鹭 in one text: the typed 鹳鹬恒鹭 (恒 for 鸻,
    # the same sound) leaves 鹳鹬 as its only piece of two characters, whose first candidates
    # are all titles.
    for i in range(near.CANDIDATES + 20):
        await _file(api, researcher, campaign, cadre["id"], f"鹳鹬观察{i}", "湿地巡查。")
    target = await _file(api, researcher, campaign, cadre["id"], "湿地巡查纪实", "记录鹳鹬鸻鹭一群。")
    await indexer.drain()
    r = await api.client.get("/api/search", headers=officer, params={"q": "鹳鹬恒鹭"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 0 and body["near"] is not None
    assert body["near"]["suggestion"] == "鹳鹬鸻鹭"
    assert [h["id"] for h in body["near"]["hits"]] == [target]


async def test_a_name_found_in_a_few_items_is_not_corrected_to_another_person(
        api: Api, indexer: Worker) -> None:
    # 鹮丽坤 is found in two items about 鹮志考: fewer than near.NEAR_BELOW, so near matches are
    # looked for; 鹮坤 (one character less) is another person with three such items. Offering
    # "您是不是要找 鹮坤 年度考核" would send the officer to the wrong person. (年度考核 itself
    # has a look-alike, 年终考核, which finds the same two items: no suggestion either.)
    _, officer = await api.user("officer", [api.units["d1"]])
    rid, researcher = await api.user("researcher")
    typed = await api.cadre(officer, api.units["d1_bureau"], name="鹮丽坤")
    other = await api.cadre(officer, api.units["d1_bureau"], name="鹮坤")
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    wanted = {await _file(api, researcher, campaign, typed["id"], f"鹮丽坤年度考核纪实{i}", "考核谈话。")
              for i in range(2)}
    for i in range(3):
        await _file(api, researcher, campaign, other["id"], f"鹮坤年度考核纪实{i}", "考核谈话。")
    await indexer.drain()
    r = await api.client.get("/api/search", headers=officer,
                             params={"q": "鹮丽坤 年度考核", "type": "record"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {h["id"] for h in body["hits"]} == wanted
    assert body["near"] is None
    # Found nowhere, the same name may still be a slip for another one.
    r = await api.client.get("/api/search", headers=officer, params={"q": "鹮丽坤 年度考核纪实9"})
    assert r.status_code == 200 and r.json()["total"] == 0


async def test_terms_with_digits_and_letters_are_checked_ranked_and_corrected(
        api: Api, indexer: Worker) -> None:
    # The window is checked in the stored alphabet (digits and letters stood in), so these
    # terms go through the same comparisons as Chinese ones, near matches included.
    officer, researcher, cadre, campaign = await _filing_setup(api)
    twice = await _file(api, researcher, campaign, cadre["id"], "鹳站纪实",
                        "推进7Q鹳站建设，7Q鹳站建设年内完成。")
    once = await _file(api, researcher, campaign, cadre["id"], "鹳站纪实", "推进7Q鹳站建设。")
    apart = await _file(api, researcher, campaign, cadre["id"], "鹳站纪实", "7Q鹳与鹳站建设分开。")
    await indexer.drain()
    r = await api.client.get("/api/search", headers=officer, params={"q": "７q鹳站建设"})
    assert r.status_code == 200, r.text
    assert [h["id"] for h in r.json()["hits"]] == [twice, once]
    assert "<mark>7Q鹳站建设</mark>" in r.json()["hits"][0]["snippet_html"]
    r = await api.client.get("/api/search", headers=officer, params={"q": "7q鹳占建设"})
    body = r.json()
    assert r.status_code == 200 and body["total"] == 0, r.text
    assert body["near"]["suggestion"] == "7q鹳站建设"
    assert {h["id"] for h in body["near"]["hits"]} == {twice, once}
    assert apart not in {h["id"] for h in body["near"]["hits"]}


async def test_an_excluded_term_drops_items_by_their_own_text_not_their_variants(
        api: Api, indexer: Worker) -> None:
    # 党建 is indexed with its vocabulary form 党的建设 too (alt_c): `-建设` must not drop an item
    # that says 党建 and never 建设, in relevance or date order, in the total and the facets.
    officer, researcher, cadre, campaign = await _filing_setup(api)
    tag = f"编号{api.tag}"
    party = await _file(api, researcher, campaign, cadre["id"], "谈话纪实", f"推进基层党建工作，{tag}。")
    building = await _file(api, researcher, campaign, cadre["id"], "谈话纪实", f"推进城市建设工作，{tag}。")
    plain = await _file(api, researcher, campaign, cadre["id"], "谈话纪实", f"走访群众，{tag}。")
    await indexer.drain()

    async def found(q: str, **params: Any) -> dict[str, Any]:
        r = await api.client.get("/api/search", headers=officer, params={"q": q, "per_page": 100, **params})
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    for sort in ("relevance", "date_desc", "date_asc"):
        got = await found(f"{tag} -建设", sort=sort)
        assert {h["id"] for h in got["hits"]} == {party, plain}, sort
        assert got["total"] == 2 and got["total_exact"] and got["facets"]["type"] == {"record": 2}
    # An excluded term counts in any of its forms: the item that says 党建 is dropped for 党的建设.
    for q in (f"{tag} -党建", f"{tag} -党的建设"):
        assert {h["id"] for h in (await found(q))["hits"]} == {building, plain}, q
