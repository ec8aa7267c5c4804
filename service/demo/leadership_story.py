"""The demo's leadership-team story: five research teams' two-month campaign on the city-managed
leadership teams (talks, site visits, evaluation rounds), a finished archive for one team, and a
promotion record at the inspection stage with its 考察材料 draft. Deterministic from the seed.

Called by load_demo after the bulk load (`add_leadership_story`); it writes with plain INSERTs
(default ids), so it runs after the identity sequences were moved past the copied rows.
"""

import json
import random
from datetime import date, timedelta

import asyncpg

from schemas.common import Role
from service.demo import leadership_sql as sql
from service.inspection import repo as inspection_repo
from service.inspection.service import compile_draft
from service.principal import Principal
from service.uow import UnitOfWork

START, END = date(2026, 9, 1), date(2026, 10, 31)
CAMPAIGN = "2026年市管领导班子专题调研"
TEAMS_STUDIED = 10
DESCRIPTION = ("五个调研组用两个月时间，深入市管领导班子，通过个别谈话、实地察看、民主测评等方式，"
               "了解班子和班子成员的实绩与作风，形成专题调研纪实档案。")
TEAM_NAMES = ("第一调研组", "第二调研组", "第三调研组", "第四调研组", "第五调研组")
RELATIONS = ("superior", "colleague", "colleague", "subordinate", "subordinate", "public")
SAYINGS = ("该同志抓城市更新有思路、有办法，遇到难题敢于碰硬。",
           "班子成员反映其分管工作推进有力，项目一线调度频繁。",
           "谈话对象认为其作风扎实，经常深入基层了解情况。",
           "有同志反映其对新领域业务还不够熟悉，工作统筹有待加强。",
           "服务对象反映窗口办事效率明显提高，问题回应及时。")
SITES = ("老旧小区改造项目现场", "重点招商项目工地", "政务服务中心窗口", "违建拆除点位", "城市更新片区指挥部")


Vote = tuple[int | None, str, str, int]


def _votes(rng: random.Random, cadre_id: int | None, approval: bool) -> list[Vote]:
    out: list[Vote] = []
    for category, n in (("leadership", rng.randint(6, 9)), ("middle", rng.randint(18, 30)),
                        ("staff", rng.randint(25, 45))):
        if approval:
            yes = round(n * rng.uniform(0.82, 0.97))
            no = rng.randint(0, max(0, (n - yes) // 2))
            grades = {"approve": yes, "disapprove": no, "unknown": n - yes - no}
        else:
            ex = round(n * rng.uniform(0.45, 0.8))
            comp = round((n - ex) * rng.uniform(0.7, 1.0))
            grades = {"excellent": ex, "competent": comp, "basically_competent": n - ex - comp,
                      "incompetent": 0}
        out += [(cadre_id, category, g, v) for g, v in grades.items()]
    return out


async def add_leadership_story(conn: asyncpg.Connection, seed: int) -> dict[str, int]:
    """Write the campaign, its records, rounds, one finished archive and one draft; rows per table."""
    before = await sql.table_counts(conn)
    # The services this story reuses (draft compilation) read and write jsonb as Python values,
    # as on the service's pooled connections; the loader's own connection goes back as it came.
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(typ, encoder=lambda v: json.dumps(v, ensure_ascii=False, default=str),
                                  decoder=json.loads, schema="pg_catalog")
    try:
        await _story(conn, seed)
    finally:
        for typ in ("json", "jsonb"):
            await conn.reset_type_codec(typ, schema="pg_catalog")
    after = await sql.table_counts(conn)
    return {t: after[t] - before[t] for t in after}


async def _story(conn: asyncpg.Connection, seed: int) -> dict[str, int]:
    rng = random.Random(seed * 7919 + 18)
    ids = await sql.user_ids(conn, ["officer", "researcher", *(f"researcher{i}" for i in range(2, 11))])
    officer = ids["officer"]
    researchers = [ids[k] for k in sorted(ids, key=lambda k: (len(k), k)) if k.startswith("researcher")]
    units = await sql.city_managed_teams(conn, END)
    studied = sorted(rng.sample(units, min(TEAMS_STUDIED, len(units))), key=units.index)
    if not studied or len(researchers) < len(TEAM_NAMES):
        return {}
    root = await sql.root_unit(conn)
    campaign_id = await sql.insert_campaign(conn, CAMPAIGN, root, DESCRIPTION, START, END, officer)
    counts = {"teams": 0, "records": 0, "rounds": 0, "conclusions": 0, "drafts": 0}
    finished: tuple[int, list[asyncpg.Record]] | None = None
    for index, name in enumerate(TEAM_NAMES):
        group = researchers[index * 2:index * 2 + 2] or researchers[index:index + 1]
        team_units = studied[index::len(TEAM_NAMES)]
        team_id = await sql.insert_team(conn, campaign_id, name, group[0], group, team_units, officer)
        counts["teams"] += 1
        for unit_id in team_units:
            people = await sql.members(conn, unit_id, START, END)
            if not people:
                continue
            for m in people[:6]:
                for _ in range(rng.randint(1, 2)):
                    day = START + timedelta(days=rng.randint(3, 50))
                    relation = rng.choice(RELATIONS)
                    await sql.insert_record(
                        conn, campaign_id, team_id, rng.choice(group), "interview", day, "谈话室",
                        f"{m['name']}同志个别谈话纪实", rng.choice(SAYINGS),
                        {"kind": "interview", "interviewee_relation": relation,
                         "interviewee_count": rng.randint(1, 5)}, [m["cadre_id"]])
                    counts["records"] += 1
            site = rng.choice(SITES)
            await sql.insert_record(
                conn, campaign_id, team_id, group[0], "site_visit",
                START + timedelta(days=rng.randint(10, 55)),
                site, f"{site}实地察看", f"调研组到{site}实地察看，听取班子成员现场汇报，查看推进台账。",
                {"kind": "site_visit"}, [p["cadre_id"] for p in people[:3]])
            counts["records"] += 1
            held = END - timedelta(days=rng.randint(5, 15))
            votes = _votes(rng, None, False)
            for m in people[:8]:
                votes += _votes(rng, m["cadre_id"], m["member_from"] > held - timedelta(days=365))
            await sql.insert_round(conn, unit_id, campaign_id, "领导班子和班子成员民主测评", held, officer,
                                   votes)
            counts["rounds"] += 1
            if finished is None:
                finished = (unit_id, people)
    if finished is not None:
        unit_id, people = finished
        for m in people[:8]:
            await sql.insert_conclusion(
                conn, campaign_id, unit_id, m["cadre_id"],
                f"经个别谈话、实地察看和民主测评，{m['name']}同志履职情况已记入本档案，具体表现见所引记录和测评结果。",
                officer)
            counts["conclusions"] += 1
        await sql.insert_conclusion(conn, campaign_id, unit_id, None,
                                    "班子整体运行情况见调研发现和民主测评结果；各成员表现见个人部分。",
                                    officer)
        counts["conclusions"] += 1
        counts["drafts"] += await _draft(conn, officer, [m["cadre_id"] for m in people], unit_id)
    return counts


async def _draft(conn: asyncpg.Connection, officer: int, cadre_ids: list[int], unit_id: int) -> int:
    cadre_id = await sql.free_cadre(conn, cadre_ids[1:] + cadre_ids[:1])
    if cadre_id is None:
        return 0
    motion = {"stage": "motion", "date": "2026-11-03", "proposed_by": "市委组织部",
              "reason": "根据专题调研情况，拟提拔使用"}
    recommendation = {"stage": "recommendation", "date": "2026-11-10", "participants": 45,
                      "ballots_issued": 45, "ballots_returned": 44,
                      "votes": [{"cadre_id": cadre_id, "votes": 38}]}
    promotion_id = await sql.insert_promotion_at_inspection(conn, cadre_id, unit_id, "党组书记、局长", None,
                                                            officer, motion, recommendation)
    principal = Principal(user_id=officer, username="officer", display_name="演示干部工作人员",
                          role=Role.officer)
    row = await inspection_repo.promotion(conn, principal, promotion_id)
    if row is None:  # the demo officer's scope does not cover it: no draft rather than a wrong one
        return 0
    uow = UnitOfWork(conn, principal)
    await compile_draft(uow, cadre_id, row)
    await uow.flush()
    return 1
