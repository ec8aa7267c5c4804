"""The SQL evidence score agrees with a straightforward reference computed from the evidence itself."""

from datetime import date
from typing import Any

from tests.factories import Api
from tests.positions.helpers import REF, cadre, evidence, office, position

HALF_LIFE = 2.0  # the default weights of a position
WINDOW_START = date(2020, 6, 30)  # REF minus the default 5-year window


def _percent_rank(value: float, values: list[float]) -> float:
    """SQL percent_rank(): (number of smaller values) / (n − 1), 0 for a single value."""
    if len(values) == 1:
        return 0.0
    return sum(1 for v in values if v < value) / (len(values) - 1)


def _reference(items: list[dict[str, Any]], relevance: dict[str, float]) -> dict[int, dict[str, float]]:
    """Per counted evidence item: relevance, recency, size and points, from the README formula."""
    ref = date.fromisoformat(REF)
    counted = [e for e in items if e["verification"] == "verified" and e["domain"] in relevance
               and date.fromisoformat(e["period_end"]) >= WINDOW_START
               and date.fromisoformat(e["period_start"]) <= ref]
    by_name: dict[str, list[float]] = {}
    for e in counted:
        for m in e["metrics"]:
            by_name.setdefault(m["name"], []).append(float(m["value"]))
    out = {}
    for e in counted:
        ranks = [_percent_rank(float(m["value"]), by_name[m["name"]]) for m in e["metrics"]]
        size = sum(ranks) / len(ranks) if ranks else 0.5
        age = max(0, (ref - date.fromisoformat(e["period_end"])).days) / 365.25
        recency = 0.5 ** (age / HALF_LIFE)
        sign = -1 if e["judgement"] == "negative" else 1
        rel = relevance[e["domain"]]
        out[e["id"]] = {"relevance": rel, "recency": recency, "size": size,
                        "points": sign * rel * recency * (0.5 + 0.5 * size)}
    return out


async def test_evidence_points_and_sizes_match_the_reference_formula(api: Api) -> None:
    o = await office(api)
    people = [await cadre(o, name=f"参照{i}") for i in range(4)]
    a, b, c, d = (p["id"] for p in people)
    renew, jobs = "改造老旧小区", "新增就业岗位"
    specs: list[tuple[int, dict[str, Any]]] = [
        (a, {"metrics": [{"name": renew, "value": 40, "unit": "个"}, {"name": jobs, "value": 120}]}),
        (a, {"domain": "investment_attraction", "period_start": "2025-01-01", "period_end": "2025-03-31",
             "metrics": []}),
        (b, {"metrics": [{"name": renew, "value": 12, "unit": "个"}]}),
        (b, {"metrics": [{"name": renew, "value": 12, "unit": "个"}], "period_start": "2021-01-01",
             "period_end": "2021-12-31"}),  # a tie with the item above
        (b, {"domain": "livelihood", "title": "短板", "judgement": "negative",
             "metrics": [{"name": jobs, "value": 5}]}),
        (c, {"metrics": [{"name": renew, "value": 3.5}, {"name": jobs, "value": 300}]}),
        (c, {"metrics": [{"name": renew, "value": 99}], "period_start": "2018-01-01",
             "period_end": "2019-12-31"}),  # ended before the window: not counted
        (d, {"metrics": [{"name": renew, "value": -2}]}),
    ]
    items = [await evidence(o, who, **spec) for who, spec in specs]
    items.append(await evidence(o, d, verify=False, metrics=[{"name": renew, "value": 1000}]))
    pos = await position(o)
    r = await api.client.get(f"/api/positions/{pos['id']}/shortlist", headers=o.officer,
                             params={"top_n": 10})
    assert r.status_code == 200, r.text
    body = r.json()
    expected = _reference(items, {k: float(v) for k, v in body["relevance"].items()})
    owner = {e["id"]: e["cadre_id"] for e in items}
    assert {cand["cadre_id"] for cand in body["candidates"]} == {a, b, c, d}
    for cand in body["candidates"]:
        mine = {i: x for i, x in expected.items() if owner[i] == cand["cadre_id"]}
        lines = {line["evidence_id"]: line for line in cand["evidence"]}
        assert set(lines) == set(mine)
        for evidence_id, want in mine.items():
            got = lines[evidence_id]
            for key in ("relevance", "recency", "size"):
                assert abs(got[key] - want[key]) <= 1e-4 / 2 + 1e-9, (evidence_id, key, got, want)
            assert abs(got["points"] - want["points"]) <= 1e-6, (evidence_id, got, want)
        total = sum(x["points"] for x in mine.values())
        assert abs(cand["parts"]["evidence"] - total) <= 1e-6, (cand["cadre_id"], cand["parts"], total)
    sizes = {i: lines_size for cand in body["candidates"]
             for i, lines_size in ((line["evidence_id"], line["size"]) for line in cand["evidence"])}
    # 40 is the largest of (40, 12, 12, 3.5, −2): 1.0; 120 is the middle of (120, 5, 300): 0.5.
    assert sizes[items[0]["id"]] == 0.75
    assert sizes[items[2]["id"]] == sizes[items[3]["id"]] == 0.5  # tied values rank alike


async def test_amended_metrics_reach_the_score_in_the_same_transaction(api: Api) -> None:
    o = await office(api)
    a, b = [await cadre(o, name=f"改值{i}") for i in range(2)]
    renew = "改造老旧小区"
    first = await evidence(o, a["id"], metrics=[{"name": renew, "value": 10}])
    await evidence(o, b["id"], metrics=[{"name": renew, "value": 20}])
    body = {k: first[k] for k in ("domain", "title", "period_start", "period_end")}
    r = await api.client.put(f"/api/evidence/{first['id']}", headers=o.officer,
                             json={**body, "version": first["version"], "reason": "统计口径更正",
                                   "metrics": [{"name": renew, "value": 30}]})
    assert r.status_code == 200, r.text
    r = await api.client.post(f"/api/evidence/{first['id']}/verification", headers=o.checker,
                              json={"verification": "verified", "version": r.json()["version"]})
    assert r.status_code == 200, r.text
    pos = await position(o)
    r = await api.client.get(f"/api/positions/{pos['id']}/shortlist", headers=o.officer)
    assert r.status_code == 200, r.text
    sizes = {line["evidence_id"]: line["size"] for cand in r.json()["candidates"]
             for line in cand["evidence"]}
    assert sizes[first["id"]] == 1.0  # 30 now outranks 20


async def test_typed_metric_columns_keep_only_numeric_values(api: Api) -> None:
    o = await office(api)
    item = await evidence(o, (await cadre(o))["id"], verify=False)
    # Written past the API's schema (as an import or an old row may hold): only numbers are ranked.
    raw: list[Any] = [{"name": "文本", "value": "十二"}, 7, {"name": "户数", "value": 2.5}, {"value": 1},
                      {"name": "空", "value": None}]
    row = await api.pool.fetchrow(
        "UPDATE evidence SET metrics = $2 WHERE id = $1 RETURNING metric_names, metric_values",
        item["id"], raw)
    assert row is not None
    assert (row["metric_names"], row["metric_values"]) == (["户数", None], [2.5, 1.0])
