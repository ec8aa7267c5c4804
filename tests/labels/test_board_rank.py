"""The promotion board's card of a rank promotion names the target rank, not only the unit."""

import re

from schemas import labels
from tests.factories import Api
from tests.labels.test_labels import _visible_text
from tests.positions.helpers import Office, cadre


async def test_a_rank_promotion_card_names_the_target_rank(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    o = Office(api, officer, officer)
    who = await cadre(o)
    r = await api.client.post("/api/promotions", headers=officer, json={
        "cadre_id": who["id"], "kind": "rank_promotion", "target_unit_id": api.units["d1_bureau"],
        "target_post": "局长", "target_rank": "principal_clerk_1"})
    assert r.status_code == 201, r.text
    board = await api.client.get("/promotions", headers=officer)
    assert board.status_code == 200
    card = re.search(rf'<li class="card board-card">(?:(?!</li>).)*?/promotions/{r.json()["id"]}"'
                     r'(?:(?!</li>).)*</li>', board.text, flags=re.S)
    assert card is not None
    text = " ".join(_visible_text(card.group(0)).split())
    assert labels.PROMOTION_KIND["rank_promotion"] in text
    assert labels.RANK["principal_clerk_1"] in text, text
