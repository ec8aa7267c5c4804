"""实绩 page: the metrics table says what it holds once, not the same word in caption and header."""

import re

import httpx

from tests.evidence.test_evidence_api import evidence_body
from tests.factories import Api


async def test_the_metrics_caption_does_not_repeat_a_column_header(
        client: httpx.AsyncClient, api: Api) -> None:
    # Before, the caption 指标 stood over a first column headed 指标.
    _, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    ev = (await client.post("/api/evidence", headers=officer, json=evidence_body(cadre["id"]))).json()
    page = (await client.get(f"/evidence/{ev['id']}", headers=officer)).text
    table = re.search(r'<table class="metrics">(.*?)</table>', page, re.S)
    assert table, "no metrics table"
    caption = re.findall(r"<caption>([^<]*)</caption>", table.group(1))
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", table.group(1))
    assert caption and headers and "客户接触" in table.group(1)
    assert not set(caption) & set(headers), (caption, headers)
