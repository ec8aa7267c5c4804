"""A hand-written fixture corpus filed through the API on top of the demo data.

Its cadres have names chosen for pinyin cases (compound surname, ü, a surname with several
readings), its texts use traditional and variant characters, full-width letters and digits,
vocabulary abbreviations and full forms, and a made-up place (雁栖湾) so the ranking judgements
know every item that mentions it.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count
from typing import Any

import asyncpg
import httpx

from tests.factories import national_id

_SEQ = count(500)


@dataclass
class Item:
    """One evidence item (or, with kind set, a field record) of a fixture cadre."""

    key: str
    cadre: str
    title: str
    text: str
    day: str = "2024-06-30"
    verification: str = "claimed"
    kind: str | None = None  # a record kind files a field record instead of evidence
    also: list[str] = field(default_factory=list)  # other cadres a record concerns


CADRES = {  # name -> post
    "周建国": "住房和城乡建设局局长",
    "李明": "街道党工委书记",
    "欧阳志东": "城市管理局副局长",
    "吕丽华": "社区党委书记",
    "单志刚": "投资促进局局长",
    "曾国华": "征收安置服务中心主任",
    "叶晓峰": "行政审批局副局长",
}

ITEMS = [
    # Ranking judgements: 雁栖湾 is in no demo text.
    Item("r-title", "周建国", "雁栖湾城中村改造", "完成雁栖湾城中村改造征收签约312户，签约率98%。",
         "2024-09-30", "verified"),
    Item("r-title2", "李明", "雁栖湾城中村改造提速", "推进雁栖湾城中村改造，完成房屋征收187户。",
         "2023-12-31", "claimed"),
    Item("r-body3", "欧阳志东", "片区综合整治成效", "雁栖湾城中村改造中拆除违章建筑2.1万平方米；"
         "雁栖湾城中村改造安置房开工；雁栖湾城中村改造期间零信访。", "2024-03-31", "verified"),
    Item("r-body1", "单志刚", "招商项目服务保障", "为雁栖湾城中村改造引入社会资本，签约项目3个。",
         "2024-06-30", "claimed"),
    Item("r-old", "曾国华", "征收安置工作", "参与雁栖湾城中村改造前期摸底。", "2019-12-31", "disputed"),
    Item("r-apart", "吕丽华", "社区治理创新", "雁栖湾社区开展城中村环境整治和老旧小区改造。",
         "2024-06-30", "verified"),
    Item("r-anzhi", "曾国华", "雁栖湾回迁房交付", "雁栖湾安置项目回迁房交付1200套，群众满意率97%。",
         "2024-12-31", "verified"),
    Item("r-anzhi2", "周建国", "保障性住房建设", "在雁栖湾建成安置房800套。", "2022-12-31", "claimed"),
    # Traditional and variant characters, full width, case.
    Item("t-1", "周建国", "舊城改造項目推進", "完成老城片區棚戶區改造徵收，拆除違章建築1.2萬平方米。"),
    Item("t-2", "欧阳志东", "社區衞生服務站建設", "新建社區衞生服務站３個，覆蓋居民１．２萬人。"),
    Item("t-3", "单志刚", "ＰＰＰ項目簽約",
         "完成ＰＰＰ項目簽約２個，總投資１８．６億元，引進ＥＰＣ總承包單位。"),
    Item("t-4", "叶晓峰", "企業開辦壓縮至０．５個工作日", "推行“一網通辦”，企業開辦全程網辦。"),
    Item("t-5", "李明", "城中村整治攻堅", "統籌推進城中村整治，發動群眾參與，做好矛盾糾紛化解。"),
    # Names with a topic; units and posts.
    Item("p-1", "李明", "城中村整治现场会", "在城中村整治现场会上介绍经验，拆违3.4万平方米。", "2024-04-30",
         "verified"),
    Item("p-2", "吕丽华", "征地补偿款发放", "牵头做好征地补偿款发放，全程公开公示。", "2024-05-31"),
    Item("p-3", "叶晓峰", "窗口服务发现问题", "坐窗口接件，发现征地补偿手续复杂，提出精简材料建议。",
         "2024-07-31", kind="window_service", also=["吕丽华"]),
    # Long pasted text.
    Item("l-1", "单志刚", "产业链招商工作纪实",
         "围绕新能源汽车零部件产业链开展精准招商，全年赴长三角、珠三角等地外出招商二十余次，"
         "拜访企业六十三家，接待客商来访四十一批次。在市投资促进局统筹下，组建产业链招商专班，"
         "建立“一个项目、一名领导、一个专班、一抓到底”的推进机制，推动恒通智能装备、"
         "鑫达供应链等七个项目签约落地，其中两个项目当年开工建设，带动新增就业岗位八百余个。"
         "同时针对企业反映的用地、融资、用工难题，协调相关部门召开现场办公会九次，解决问题二十七项。"),
]


async def _unit(conn: asyncpg.Connection, skip: int) -> int:
    unit: int = await conn.fetchval(
        """SELECT u.id FROM units u WHERE u.depth = 2 AND EXISTS (
             SELECT 1 FROM cadres c WHERE c.unit_id = u.id) ORDER BY u.id OFFSET $1 LIMIT 1""", skip)
    return unit


def _cadre_body(name: str, post: str, unit_id: int) -> dict[str, Any]:
    n = next(_SEQ)
    birth = date(1970, 1, 1) + timedelta(days=(n % 300) * 11)
    return {"name": name, "gender": "male", "birth_date": birth.isoformat(), "native_place": "江西九江",
            "birthplace": "江西九江", "party_join_date": "2000-06-01", "work_start_date": "1998-07-01",
            "health": "健康", "unit_id": unit_id, "post": post, "post_level": "section_main",
            "rank": "principal_clerk_1", "tier": "district_managed",
            "national_id": national_id(birth, n), "career": [], "appraisals": []}


async def load(client: httpx.AsyncClient, conn: asyncpg.Connection, officer: dict[str, str],
               researcher: dict[str, str]) -> dict[str, str]:
    """File the corpus; returns item key (and cadre name) -> search document id."""
    ids: dict[str, str] = {}
    cadre_ids: dict[str, int] = {}
    for i, (name, post) in enumerate(CADRES.items()):
        r = await client.post("/api/cadres", headers=officer,
                              json=_cadre_body(name, post, await _unit(conn, i % 3)))
        assert r.status_code == 201, r.text
        cadre_ids[name] = r.json()["id"]
        ids[name] = f"cadre-{cadre_ids[name]}"
    researcher_id = await conn.fetchval("SELECT id FROM users WHERE username = 'researcher'")
    units = await conn.fetch("SELECT unit_id FROM cadres WHERE id = ANY($1::bigint[])",
                             list(cadre_ids.values()))
    r = await client.post("/api/campaigns", headers=officer, json={
        "name": "检索测试语料调研", "status": "open", "starts_on": "2024-01-01", "ends_on": "2099-12-31",
        "teams": [{"name": "检索测试组", "member_ids": [researcher_id],
                   "unit_ids": sorted({u["unit_id"] for u in units})}]})
    assert r.status_code == 201, r.text
    campaign = r.json()
    for item in ITEMS:
        ids[item.key] = await _file(client, officer, researcher, campaign, cadre_ids, item)
    return ids


async def _file(client: httpx.AsyncClient, officer: dict[str, str], researcher: dict[str, str],
                campaign: dict[str, Any], cadre_ids: dict[str, int], item: Item) -> str:
    if item.kind:
        r = await client.post("/api/records", headers=researcher, json={
            "campaign_id": campaign["id"], "team_id": campaign["teams"][0]["id"], "kind": item.kind,
            "occurred_on": item.day, "place": "区政务服务中心", "title": item.title, "body": item.text,
            "details": {"kind": item.kind, "items_handled": 5, "problems_solved": 1,
                        "rectification_proposals": [], "processes_improved": []},
            "cadre_ids": [cadre_ids[item.cadre], *(cadre_ids[c] for c in item.also)], "submit": True})
        assert r.status_code == 201, r.text
        return f"record-{r.json()['id']}"
    # Filed by the researcher so that the officer may verify it (nobody verifies their own).
    r = await client.post("/api/evidence", headers=researcher, json={
        "cadre_id": cadre_ids[item.cadre], "domain": "urban_renewal", "title": item.title,
        "description": item.text, "period_start": item.day[:4] + "-01-01", "period_end": item.day,
        "campaign_id": campaign["id"], "team_id": campaign["teams"][0]["id"]})
    assert r.status_code == 201, r.text
    body = r.json()
    if item.verification != "claimed":
        v = await client.post(f"/api/evidence/{body['id']}/verification", headers=officer,
                              json={"verification": item.verification, "version": body["version"],
                                    "note": "检索测试"})
        assert v.status_code == 200, v.text
    return f"evidence-{body['id']}"
