"""Probe: a search matches a record through the people its reader may read, not through others.

A field record about a district-1 and a district-2 cadre is readable by a district-1 officer
through the district-1 cadre. Its search document holds both cadres' names, units and posts, so a
district-1 reader who searched for the district-2 cadre's name (in characters or pinyin), unit or
post found the record — learning that it concerns a cadre they may not read, though the hit no
longer named them; an excluded name (`-name`) dropped it, and the facet counts counted it.
"""

from typing import Any

import pytest

from indexer.worker import Worker
from tests.factories import Api
from tests.security.world import shared_record


async def _search(api: Api, headers: dict[str, str], q: str) -> dict[str, Any]:
    found = await api.client.get("/api/search", headers=headers, params={"q": q})
    assert found.status_code == 200, found.text
    answer: dict[str, Any] = found.json()
    return answer


def _records(answer: dict[str, Any]) -> list[int]:
    return [h["entity_id"] for h in answer["hits"] if h["type"] == "record"]


async def _filtered(api: Api, headers: dict[str, str], q: str, **filters: Any) -> list[int]:
    answer = await api.client.get("/api/search", headers=headers,
                                  params={"q": q, "type": "record", **filters})
    assert answer.status_code == 200, answer.text
    return [h["entity_id"] for h in answer.json()["hits"]]


async def test_a_record_matches_only_through_the_people_its_reader_may_read(
        api: Api, indexer: Worker) -> None:
    _, city = await api.user("officer", [api.units["city"]])
    _, officer1 = await api.user("officer", [api.units["d1"]])
    _, leader1 = await api.user("leader", [api.units["d1"]])
    mine = await api.cadre(city, api.units["d1_bureau"], name="鼓楼庚", post="鼓楼区住建局科员")
    theirs = await api.cadre(city, api.units["d2_bureau"], name="临江辛", post="临江区住建局督察专员")
    title = f"联合走访{api.tag}"
    record = await shared_record(api, indexer, city, title, [mine, theirs])
    hidden = ["临江辛", f"临江辛 {title}", "linjiangxin", f"lin jiang xin {title}", f"临江区 {title}",
              f"督察专员 {title}", f"{title}，临江辛"]
    shown = ["鼓楼庚", f"鼓楼庚 {title}", "gulougeng", f"鼓楼区 {title}", f"科员 {title}", title]
    # The city officer reads both cadres: every query finds the record (the probe can fail).
    for q in hidden + shown:
        assert record in _records(await _search(api, city, q)), q
    for who, headers in (("officer1", officer1), ("leader1", leader1)):
        for q in shown:
            assert record in _records(await _search(api, headers, q)), (who, q)
        for q in hidden:
            answer = await _search(api, headers, q)
            assert record not in _records(answer), (who, q, answer["hits"])
            near = answer.get("near") or {}
            assert record not in [h["entity_id"] for h in near.get("hits", [])], (who, q, near)
        alone = await _search(api, headers, "临江辛")
        assert alone["total"] == 0 and not alone["facets"].get("type", {}).get("record"), (who, alone)
        # An excluded name the reader cannot see drops nothing: the answer is the term's alone.
        without = await _search(api, headers, f"{title} -临江辛")
        assert record in _records(without), (who, without["hits"])
        for q in (f"临江辛 {title}", f"鼓楼庚 {title}"):
            page = await api.client.get("/search", headers={**headers, "Accept": "text/html"},
                                        params={"q": q})
            assert page.status_code == 200, who
            assert (f'href="/records/{record}"' in page.text) is q.startswith("鼓楼庚"), (who, q)
    assert record not in _records(await _search(api, city, f"{title} -临江辛"))


async def test_a_unit_filter_off_the_readers_lines_finds_nothing(api: Api, indexer: Worker) -> None:
    # A unit filter matches a record through any cadre it concerns: a district-1 officer who
    # filtered by a district-2 unit found the records a district-2 cadre shares with theirs.
    _, city = await api.user("officer", [api.units["city"]])
    _, officer1 = await api.user("officer", [api.units["d1"]])
    mine = await api.cadre(city, api.units["d1_bureau"], name="鼓楼壬")
    theirs = await api.cadre(city, api.units["d2_bureau"], name="临江癸")
    title = f"联合督导{api.tag}"
    record = await shared_record(api, indexer, city, title, [mine, theirs])

    async def found(headers: dict[str, str], unit: str, q: str) -> list[int]:
        return await _filtered(api, headers, q, unit_id=api.units[unit])

    for q in (title, ""):
        for unit in ("d2", "d2_bureau", "d1", "city"):
            assert record in await found(city, unit, q), (unit, q)
        for unit in ("d1", "d1_bureau", "city"):
            assert record in await found(officer1, unit, q), (unit, q)
        for unit in ("d2", "d2_bureau"):
            assert await found(officer1, unit, q) == [], (unit, q)


@pytest.mark.parametrize(("name", "mine_value", "theirs_value"), [
    ("tier", "district_managed", "city_managed"),
    ("rank", "principal_clerk_1", "principal_clerk_2"),
    ("post_level", "section_main", "division_deputy"),
])
async def test_a_people_filter_matches_a_record_only_through_a_readable_cadre(
        api: Api, indexer: Worker, name: str, mine_value: str, theirs_value: str) -> None:
    # A record holds the tiers, ranks and post levels of every cadre it concerns: a district-1
    # officer who filtered by a value only a district-2 cadre of the record has found it, and
    # the facets counted it under that value.
    _, city = await api.user("officer", [api.units["city"]])
    _, officer1 = await api.user("officer", [api.units["d1"]])
    _, limited = await api.user("officer", [api.units["city"]], tier="district_managed")
    mine = await api.cadre(city, api.units["d1_bureau"], name="鼓楼子",
                           **{"tier": "district_managed", name: mine_value})
    theirs = await api.cadre(city, api.units["d2_bureau"], name="临江丑",
                             **{"tier": "city_managed", name: theirs_value})
    title = f"联合调研{api.tag}"
    record = await shared_record(api, indexer, city, title, [mine, theirs])

    async def found(headers: dict[str, str], value: str, q: str) -> list[int]:
        return await _filtered(api, headers, q, **{name: value})

    # A tier is matched in Meilisearch's filter; a rank or a post level in the checked window of
    # a query (a filter-only list is not checked: README, Who may read what).
    for q in (title, "") if name == "tier" else (title,):
        for value in (mine_value, theirs_value):
            assert record in await found(city, value, q), (value, q)
        for headers in (officer1, limited):
            assert record in await found(headers, mine_value, q), q
            assert record not in await found(headers, theirs_value, q), q
    # Nor do the facet counts of a search count the other cadre's value.
    facet = {"tier": "tiers", "rank": "ranks", "post_level": "post_levels"}[name]
    for headers, values in ((city, {mine_value, theirs_value}), (officer1, {mine_value}),
                            (limited, {mine_value})):
        answer = await api.client.get("/api/search", headers=headers, params={"q": title})
        assert answer.status_code == 200, answer.text
        assert set(answer.json()["facets"].get(facet, {})) == values, answer.json()["facets"]
