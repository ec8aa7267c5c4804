"""Ranking against a graded judgement set (0–3) over the fixture corpus: nDCG@10 ≥ 0.9.

Grades: 3 the item is about the query (its title says it), 2 it says it several times or in its
own text with strong support (verified), 1 it mentions it once or only through a person, 0 (or
ungraded) not relevant.
"""

import math
from collections import Counter
from typing import Any

from pypinyin import lazy_pinyin

from schemas.pinyin_terms import name_tokens
from schemas.textfold import fold
from service.search import rank
from tests.search import oracle
from tests.search.conftest import Library, search

TARGET = 0.9


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the first k results."""
    dcg = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 1.0


def _judgements(library: Library) -> list[tuple[str, dict[str, Any], dict[str, int]]]:
    i = library.ids
    zhou_items = {d["id"]: 1 for d in library.visible()
                  if d["type"] != "cadre" and "周建国" in d["cadre_names"]}
    zhou_cadres = {d["id"]: 3 for d in library.visible() if d["type"] == "cadre" and d["title"] == "周建国"}
    return [
        ("雁栖湾城中村改造", {}, {i["r-title"]: 3, i["r-title2"]: 3, i["r-body3"]: 2, i["r-body1"]: 1,
                                 i["r-old"]: 1}),
        ("雁栖湾 安置房", {}, {i["r-anzhi"]: 3, i["r-body3"]: 2, i["r-anzhi2"]: 2}),
        ("周建国 雁栖湾", {}, {i["r-title"]: 3, i["r-anzhi2"]: 2}),
        ("雁栖湾", {}, {i["r-title"]: 3, i["r-title2"]: 3, i["r-anzhi"]: 3, i["r-body3"]: 2,
                        i["r-body1"]: 1, i["r-old"]: 1, i["r-apart"]: 1, i["r-anzhi2"]: 1}),
        ("zhou jian guo", {}, {**zhou_items, **zhou_cadres}),
        ("雁栖湾 城中村改造", {"mode": "candidates"},
         {"周建国": 3, "李明": 2, "欧阳志东": 2, "单志刚": 1, "曾国华": 1}),
    ]


async def test_graded_judgements_give_ndcg_at_10_of_at_least_0_9(library: Library) -> None:
    scores = []
    for q, params, grades in _judgements(library):
        body = await search(library.client, q, per_page=20, **params)
        if params.get("mode") == "candidates":
            ranked = [h["cadre_names"][0] for h in body["hits"]]
        else:
            ranked = [h["id"] for h in body["hits"]]
        scores.append((q, round(ndcg(ranked, grades), 4)))
    mean = sum(s for _, s in scores) / len(scores)
    print("\nnDCG@10 per query:", scores, "mean:", round(mean, 4))
    assert mean >= TARGET, scores
    assert all(s >= 0.8 for _, s in scores), scores


async def test_title_phrase_first_then_more_often_then_verified_then_recent(library: Library) -> None:
    i = library.ids
    body = await search(library.client, "雁栖湾城中村改造")
    order = [h["id"] for h in body["hits"]]
    assert order[:5] == [i["r-title"], i["r-title2"], i["r-body3"], i["r-body1"], i["r-old"]]
    assert i["r-apart"] not in order  # the words apart are not the phrase


async def test_a_name_typed_in_pinyin_ranks_like_the_name_typed_in_characters(library: Library) -> None:
    # The person's card first, then the items naming them in their title — also for the people
    # whose name fills the text of many items (those outranked the card when typed in pinyin).
    docs = library.visible()
    cards = [d["title"] for d in docs if d["type"] == "cadre"]
    spelled = Counter(max(name_tokens(n), key=len) for n in cards)
    mentions = Counter({n: sum(d["text"].count(n) for d in docs if d["type"] != "cadre")
                        for n in cards if spelled[max(name_tokens(n), key=len)] == 1})
    for name, _ in [("周建国", 0), *mentions.most_common(3)]:
        full = max(name_tokens(name), key=len)
        for q in (full, " ".join(lazy_pinyin(name)), full.capitalize()):
            hits = (await search(library.client, q, per_page=50))["hits"]
            assert hits[0]["type"] == "cadre" and hits[0]["title"] == name, (q, hits[0]["title"])
            named = [name in h["title"] for h in hits]
            assert named == sorted(named, reverse=True), q


async def test_candidate_mode_puts_the_cadre_with_the_strongest_evidence_first(library: Library) -> None:
    body = await search(library.client, "雁栖湾城中村改造", mode="candidates")
    names = [h["cadre_names"][0] for h in body["hits"]]
    assert names[0] == "周建国" and len(names) == len(set(names)) == body["total"]
    assert body["hits"][0]["id"] == library.ids["r-title"]


async def test_candidate_mode_past_the_evidence_window_counts_and_pages_every_cadre(
        library: Library) -> None:
    # More matching evidence than the window re-ranked in the service: the cadre count and the
    # pages past the window come from Meilisearch's distinct answer (sent beside the first one).
    evidence = [d for d in library.visible() if d["type"] == "evidence"]
    term = next(t for t in ("工作", "推进", "项目", "服务", "群众", "完成")
                if len(oracle.containing(evidence, t)) > rank.CANDIDATE_WINDOW)
    cadres = {d["cadre_id"] for d in oracle.containing(evidence, term)}
    for per_page in (20, 50):  # pages that end inside, across and past the window's cadres
        first = await search(library.client, term, mode="candidates", per_page=per_page)
        assert first["total"] == len(cadres) > per_page
        seen: list[int] = []
        for page in range(1, math.ceil(first["total"] / per_page) + 1):
            body = await search(library.client, term, mode="candidates", per_page=per_page, page=page)
            assert body["total"] == first["total"]
            seen += [h["cadre_ids"][0] for h in body["hits"]]
        assert len(seen) == len(set(seen)), f"a cadre on two pages (per_page {per_page})"
        assert set(seen) == cadres, (per_page, len(seen), len(cadres))


async def test_paging_shows_every_match_exactly_once_in_every_order(library: Library) -> None:
    # Meilisearch orders the hits of an offset past 0 otherwise than the same hits asked for from
    # the start (ties and cut ranking buckets), so pages asked for by offset repeated some hits and
    # skipped others; every page is now cut out of a prefix. Pages at 20 end inside the window
    # re-ranked in the service and past it; at 100 a page is read as ids first (PREFIX_FULL).
    docs = library.visible()
    districts = sorted({d["unit_path"][1] for d in docs if len(d["unit_path"]) > 1})
    queries = [f"{u} {w}" for u in districts for w in ("工作", "推进", "当日", "群众", "服务")
               if 120 <= len(oracle.matching(docs, [fold(u), w])) <= 400][:3]
    assert len(queries) == 3
    for q in queries:
        want = oracle.matching(docs, [fold(t) for t in q.split()])
        for sort in ("relevance", "date_desc"):
            for per_page in (20, 100):
                first = await search(library.client, q, sort=sort, per_page=per_page)
                seen: list[str] = []
                for page in range(1, math.ceil(first["total"] / per_page) + 1):
                    body = await search(library.client, q, sort=sort, per_page=per_page, page=page)
                    seen += [h["id"] for h in body["hits"]]
                assert len(seen) == len(set(seen)), (q, sort, per_page, "an item on two pages")
                assert set(seen) == want, (q, sort, per_page, len(want - set(seen)))
