"""The fixed frame of the demo: users and their scopes, the unit tree, campaigns and teams."""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from service.demo.activity import CampaignInfo, Context
from service.demo.people import REF
from service.demo.units import UnitTree, build_tree

DEMO_PASSWORD = "Demo@2024pass"
RESEARCHERS = 10
TEAMS_PER_CAMPAIGN = 5
TEAM_NAMES = ("第一调研组", "第二调研组", "第三调研组", "第四调研组", "第五调研组")
DEMO_USERNAMES = ("admin", "officer", *(f"officer_d{i:02d}" for i in range(1, 11)), "leader",
                  "auditor", "researcher", *(f"researcher{i}" for i in range(2, RESEARCHERS + 1)))
CREATED_AT = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)
# (name, description, starts_on, ends_on, status, share of the field records)
CAMPAIGNS: tuple[tuple[str, str, date, date, str, float], ...] = (
    ("市管领导班子和领导干部纪实调研（2024年）",
     "5个调研组历时2个月，深入市直单位、各区和专班，通过个别谈话、实地察看、查阅资料等方式，"
     "对市管领导班子和领导干部开展纪实调研，形成调研纪实档案。",
     date(2024, 9, 1), date(2024, 10, 31), "closed", 0.30),
    ("擂台比武与窗口服务专项调研（2025年）",
     "结合季度擂台比武和“局长坐窗口”活动，跟踪记录干部在比武现场和服务窗口的表现。",
     date(2025, 4, 1), date(2025, 6, 30), "closed", 0.25),
    ("城市更新攻坚干部实绩专项调研",
     "聚焦城市更新、老旧小区改造、违章建筑拆除和招商引资项目签约落地，"
     "在攻坚一线考察识别干部，记录实绩和短板。",
     date(2026, 10, 1), date(2026, 12, 31), "open", 0.45),
)


@dataclass(slots=True)
class World:
    """Rows of the frame plus what the chunk generators need."""

    tree: UnitTree
    rows: dict[str, list[tuple[Any, ...]]]
    usernames: list[str]
    context: Context
    city_officer: int
    open_teams: list[tuple[int, int]] = field(default_factory=list)  # (team id, team index)
    team_of_top: dict[int, int] = field(default_factory=dict)  # open campaign: top unit -> index


def _display_name(rng: random.Random) -> str:
    surname = rng.choice("王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗")
    return surname + rng.choice("建国志文晓海红永春明俊宏德玉思嘉家振立新") + rng.choice(
        "伟强军磊勇杰涛斌超明芳娜敏静丽艳娟霞婷雪琳慧")


def _users(rng: random.Random, base: int, password_hash: str, tree: UnitTree,
           rows: dict[str, list[tuple[Any, ...]]], scope_base: int) -> dict[str, int]:
    districts = tree.of_kind("district")
    spec: list[tuple[str, str, str]] = [("admin", "系统管理员", "admin"),
                                        ("officer", _display_name(rng), "officer")]
    spec += [(f"officer_d{i:02d}", f"{_display_name(rng)}（{d.name}）", "officer")
             for i, d in enumerate(districts, start=1)]
    spec += [("leader", _display_name(rng), "leader"), ("auditor", _display_name(rng), "auditor")]
    spec += [("researcher" if i == 1 else f"researcher{i}", _display_name(rng), "researcher")
             for i in range(1, RESEARCHERS + 1)]
    assert tuple(u for u, _, _ in spec) == DEMO_USERNAMES
    ids: dict[str, int] = {}
    for offset, (username, display, role) in enumerate(spec, start=1):
        ids[username] = base + offset
        rows["users"].append((base + offset, username, display, password_hash, role))
    scopes = [(ids["officer"], tree.root.id), (ids["leader"], tree.root.id)]
    scopes += [(ids[f"officer_d{i:02d}"], d.id) for i, d in enumerate(districts, start=1)]
    for offset, (user_id, unit_id) in enumerate(scopes, start=1):
        rows["user_scopes"].append((scope_base + offset, user_id, unit_id, None))
    return ids


def build_world(seed: int, password_hash: str, bases: dict[str, int]) -> World:
    """Users, units, scopes, campaigns, teams, members and unit assignments."""
    rng = random.Random(seed)
    rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in (
        "users", "units", "user_scopes", "campaigns", "teams", "team_members",
        "team_assignments")}
    tree = build_tree(rng, bases["units"])
    for u in tree.units:
        rows["units"].append((u.id, u.code, u.name, u.kind, u.parent_id, u.path, u.ancestor_ids,
                              u.depth, CREATED_AT, CREATED_AT))
    ids = _users(rng, bases["users"], password_hash, tree, rows, bases["user_scopes"])
    researchers = [ids["researcher"]] + [ids[f"researcher{i}"] for i in range(2, RESEARCHERS + 1)]
    tops = [u for u in tree.units if u.depth == 1]
    campaigns: list[CampaignInfo] = []
    team_id, assignment_id = bases["teams"], bases["team_assignments"]
    world_open: list[tuple[int, int]] = []
    team_of_top: dict[int, int] = {}
    for c_index, (name, desc, starts, ends, status, share) in enumerate(CAMPAIGNS):
        cid = bases["campaigns"] + c_index + 1
        created = datetime.combine(starts - timedelta(days=14), time(2, 0), tzinfo=UTC)
        updated = datetime.combine(min(ends + timedelta(days=7), REF), time(2, 0), tzinfo=UTC) \
            if status == "closed" else created
        # Run for the whole city by the city officer, who also grants every assignment.
        rows["campaigns"].append((cid, name, desc, starts, ends, status, ids["officer"],
                                  created, updated, tree.root.id))
        info = CampaignInfo(cid, starts, ends, status == "open", share)
        order = list(researchers)
        if status != "open":
            rng.shuffle(order)
        team_ids: list[tuple[int, tuple[int, ...]]] = []
        for t_index in range(TEAMS_PER_CAMPAIGN):
            team_id += 1
            members = tuple(order[2 * t_index: 2 * t_index + 2])
            rows["teams"].append((team_id, cid, TEAM_NAMES[t_index], members[0]))
            rows["team_members"].extend((team_id, m) for m in members)
            team_ids.append((team_id, members))
            if status == "open":
                world_open.append((team_id, t_index))
        for position, top in enumerate(tops):
            t_index = (position + c_index) % TEAMS_PER_CAMPAIGN
            info.teams_by_top[top.id] = team_ids[t_index]
            assignment_id += 1
            rows["team_assignments"].append((assignment_id, team_ids[t_index][0], top.id, None,
                                             ids["officer"]))
            if status == "open":
                team_of_top[top.id] = t_index
        campaigns.append(info)
    officers = {d.id: ids[f"officer_d{i:02d}"]
                for i, d in enumerate(tree.of_kind("district"), start=1)}
    context = Context(campaigns, officers, ids["officer"],
                      [u.name for u in tree.of_kind("task_force")],
                      {d.id: d.name for d in tree.of_kind("district")})
    world = World(tree, rows, list(ids), context, ids["officer"], world_open, team_of_top)
    return world


def cadre_assignments(seed: int, world: World, cadres: list[tuple[int, int]],
                      next_id: int) -> list[tuple[Any, ...]]:
    """A few cross-checks in the open campaign: each team also studies cadres of other teams.

    `cadres` holds (cadre id, top unit id) pairs; returns team_assignments rows.
    """
    rng = random.Random(f"{seed}:cross-check")
    rows: list[tuple[Any, ...]] = []
    for team_id, t_index in world.open_teams:
        others = [c for c, top in cadres if world.team_of_top.get(top) != t_index]
        for cadre_id in sorted(rng.sample(others, min(3, len(others)))):
            next_id += 1
            rows.append((next_id, team_id, None, cadre_id, world.city_officer))
    return rows
