"""Search documents built from rows the API would not write (pure: no database)."""

from datetime import date
from typing import Any

from indexer.documents import evidence_doc


def _evidence_row(metrics: Any) -> dict[str, Any]:
    return {"id": 7, "cadre_id": 3, "domain": "urban_renewal", "title": "城中村改造",
            "description": "完成签约", "period_end": date(2026, 6, 30), "metrics": metrics,
            "judgement": "positive", "verification": "verified", "cadre_ids": [3],
            "cadre_names": ["李明"], "posts": ["副区长"], "ranks": [], "post_levels": [], "tiers": [],
            "scopes": [{"units": [5], "tier": "district_managed", "path": ["青岛市", "城阳区"]}]}


def test_non_numeric_and_malformed_metrics_are_indexed_as_text_not_a_crash() -> None:
    # The jsonb column takes any value (imports, SQL fixes); one odd item must not stop the indexer.
    metrics = [{"name": "户数", "value": 2.5, "unit": "户"}, {"name": "文本", "value": "十二"}, 7,
               {"value": 1}, {"name": "开关", "value": True}]
    doc = evidence_doc(_evidence_row(metrics))
    assert "户数2.5户" in doc["text"] and "文本十二" in doc["text"] and "开关True" in doc["text"]
    assert doc["id"] == "evidence-7"


def test_a_document_records_whether_its_texts_are_plain() -> None:
    # Highlighting skips OpenCC's check of a shown text the index found plain: simplified
    # characters, ASCII and plain punctuation, in the title and the text as stored.
    assert evidence_doc(_evidence_row([]))["plain"] is True
    for title, description in (("舊城改造", "完成签约"), ("城中村改造", "棚戶區改造"),
                               ("城中村改造", "ＡＢ签约")):
        doc = evidence_doc({**_evidence_row([]), "title": title, "description": description})
        assert doc["plain"] is False, (title, description)
