"""The demo unit tree: a city, its districts, departments, streets, communities and task forces."""

import random
from dataclasses import dataclass, field

CITY = "江州市"
DISTRICTS = ("鼓楼区", "临江区", "江北区", "东湖区", "西山区",
             "南浦区", "青云区", "滨江区", "清河区", "凤凰区")
RURAL_FROM = 6  # districts from this index on have towns as well as streets

# (code, short name, function key); function keys steer posts and evidence domains.
DISTRICT_DEPTS: tuple[tuple[str, str, str], ...] = (
    ("ZJ", "住建局", "housing"), ("SW", "商务局", "commerce"), ("FG", "发改局", "reform"),
    ("MZ", "民政局", "civil"), ("CG", "城管局", "urban_mgmt"), ("ZR", "自然资源局", "land"),
    ("RS", "人社局", "hr"), ("ZZB", "委组织部", "org"),
)
OPTIONAL_DEPTS: tuple[tuple[str, str, str], ...] = (
    ("SP", "行政审批局", "approval"), ("TC", "投资促进局", "invest"),
    ("XF", "信访局", "letters"), ("YJ", "应急管理局", "emergency"),
)
CITY_DEPTS: tuple[tuple[str, str, str], ...] = (
    ("ZJ", "江州市住建局", "housing"), ("SW", "江州市商务局", "commerce"),
    ("FGW", "江州市发改委", "reform"), ("MZ", "江州市民政局", "civil"),
    ("CG", "江州市城管局", "urban_mgmt"), ("ZRGH", "江州市自然资源和规划局", "land"),
    ("RS", "江州市人社局", "hr"), ("ZZB", "中共江州市委组织部", "org"),
    ("CZ", "江州市财政局", "finance"), ("JY", "江州市教育局", "education"),
    ("WJW", "江州市卫健委", "health"), ("JT", "江州市交通运输局", "transport"),
    ("SP", "江州市行政审批局", "approval"), ("TC", "江州市投资促进局", "invest"),
    ("SJ", "江州市市场监管局", "market"), ("YJ", "江州市应急管理局", "emergency"),
    ("XF", "江州市信访局", "letters"), ("HB", "江州市生态环境局", "environment"),
)
TASK_FORCES: tuple[tuple[str, str], ...] = (
    ("城市更新专班", "tf_renewal"), ("招商引资专班", "tf_invest"),
    ("重点项目专班", "tf_project"), ("老旧小区改造专班", "tf_oldcomm"),
    ("拆违控违专班", "tf_illegal"), ("营商环境优化专班", "tf_business"),
)
ENTERPRISES: tuple[tuple[str, str], ...] = (
    ("江州城市建设投资集团有限公司", "ent_renewal"), ("江州国有资本运营集团有限公司", "ent_invest"),
    ("江州水务集团有限公司", "ent_water"), ("江州文化旅游发展集团有限公司", "ent_tourism"),
)
PLACE_FIRST = tuple("东西南北新和安福康丰华金银玉青秀锦春桃梅兰竹松柳荷凤龙泰乐盛")
PLACE_SECOND = tuple("苑园湖桥庄坊里山岭塘河湾亭门阳霞林峰溪洲")
STREET_WORDS = (
    "城关", "鼓东", "鼓西", "华林", "水部", "安泰", "温泉", "五凤", "洪山", "建新", "金山",
    "盖山", "城门", "螺洲", "新店", "岳峰", "宦溪", "桂湖", "青口", "南街", "北关", "西门",
    "东街", "茶亭", "义洲", "上渡", "仓山", "对湖", "临江", "三叉街", "白湖亭", "江滨",
    "凤凰池", "洪塘", "浦口", "滨湖", "望城", "长岭", "石门", "白沙", "梅岭", "莲塘",
    "沙井", "湖坊", "青云谱", "象湖", "蛟桥", "樟树", "罗家", "向塘", "黄马", "幽兰",
    "塘南", "泾口", "南新", "昌东", "麦园", "乐化", "溪霞", "厚田", "石岗", "生米",
)


@dataclass(slots=True)
class Unit:
    """One unit row plus the hints the generator needs."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    path: str
    ancestor_ids: list[int]
    depth: int
    func: str = ""
    top_id: int = 0  # the child of the city this unit lies under (itself at depth 1)
    district_id: int = 0  # the district this unit lies in, 0 for city-level units
    children: list[int] = field(default_factory=list)


class UnitTree:
    """Builds the tree with consecutive ids starting after `base_id`."""

    def __init__(self, base_id: int) -> None:
        self.units: list[Unit] = []
        self.by_id: dict[int, Unit] = {}
        self._next = base_id + 1

    def add(self, code: str, name: str, kind: str, parent: Unit | None, func: str = "") -> Unit:
        """Append a unit below `parent` with consistent path, ancestors and depth."""
        uid = self._next
        self._next += 1
        ancestors = [*parent.ancestor_ids, uid] if parent else [uid]
        unit = Unit(uid, code, name, kind, parent.id if parent else None,
                    "/" + "/".join(map(str, ancestors)) + "/", ancestors, len(ancestors) - 1, func)
        if parent is not None:
            unit.top_id = uid if parent.parent_id is None else parent.top_id
            unit.district_id = uid if kind == "district" else parent.district_id
            parent.children.append(uid)
        self.units.append(unit)
        self.by_id[uid] = unit
        return unit

    @property
    def root(self) -> Unit:
        """The city."""
        return self.units[0]

    def of_kind(self, *kinds: str) -> list[Unit]:
        """Units of the given kinds, in id order."""
        return [u for u in self.units if u.kind in kinds]


def _place_names(rng: random.Random, count: int) -> list[str]:
    combos = [a + b for a in PLACE_FIRST for b in PLACE_SECOND]
    rng.shuffle(combos)
    return combos[:count]


def build_tree(rng: random.Random, base_id: int) -> UnitTree:
    """The whole demo tree, deterministic for the generator's random state."""
    tree = UnitTree(base_id)
    city = tree.add("C", CITY, "city", None)
    streets = list(STREET_WORDS)
    rng.shuffle(streets)
    communities = iter(_place_names(rng, 400))
    for d_index, d_name in enumerate(DISTRICTS, start=1):
        dcode = f"C-D{d_index:02d}"
        district = tree.add(dcode, d_name, "district", city, "district")
        depts = list(DISTRICT_DEPTS) + rng.sample(OPTIONAL_DEPTS, rng.randint(0, 2))
        for code, suffix, func in depts:
            tree.add(f"{dcode}-{code}", d_name + suffix, "department", district, func)
        for s_index in range(1, rng.randint(4, 6) + 1):
            word = streets.pop()
            is_town = d_index > RURAL_FROM and rng.random() < 0.5
            street = tree.add(f"{dcode}-S{s_index:02d}", word + ("镇" if is_town else "街道"),
                              "town" if is_town else "street", district, "grassroots")
            for c_index in range(1, rng.randint(2, 4) + 1):
                tree.add(f"{street.code}-C{c_index:02d}", next(communities) + "社区",
                         "community", street, "community")
    for code, name, func in CITY_DEPTS:
        tree.add(f"C-{code}", name, "department", city, func)
    for t_index, (name, func) in enumerate(TASK_FORCES, start=1):
        tree.add(f"C-TF{t_index:02d}", CITY + name, "task_force", city, func)
    for e_index, (name, func) in enumerate(ENTERPRISES, start=1):
        tree.add(f"C-E{e_index:02d}", name, "enterprise", city, func)
    return tree


# Post templates: (title as written in a resume, suffix appended to the unit name for the
# current post, post level, rank choices, relative weight). The first entry of each list is
# the unit head's post.
Post = tuple[str, str, str | None, tuple[str, ...], float]
_DIV_MAIN = ("researcher_1", "researcher_2")
_DIV_DEP = ("researcher_3", "researcher_4")
_SEC_MAIN = ("principal_clerk_1", "principal_clerk_2")
_SEC_DEP = ("principal_clerk_3", "principal_clerk_4")
_STAFF = ("clerk_1", "principal_clerk_4", "principal_clerk_3", "principal_clerk_2")

POSTS: dict[str, list[Post]] = {
    "district": [
        ("区委书记", "委书记", "division_main", _DIV_MAIN, 0),
        ("区长", "区长", "division_main", _DIV_MAIN, 0.5),
        ("区委副书记", "委副书记", "division_deputy", _DIV_DEP, 1),
        ("常务副区长", "常务副区长", "division_deputy", _DIV_DEP, 0.7),
        ("副区长", "副区长", "division_deputy", _DIV_DEP, 4),
        ("区委常委、组织部部长", "委常委、组织部部长", "division_deputy", _DIV_DEP, 0.7),
        ("区委常委、宣传部部长", "委常委、宣传部部长", "division_deputy", _DIV_DEP, 0.7),
        ("区委常委、纪委书记", "委常委、纪委书记", "division_deputy", _DIV_DEP, 0.7),
        ("区人大常委会副主任", "人大常委会副主任", "division_deputy", _DIV_DEP, 1.5),
        ("区政协副主席", "政协副主席", "division_deputy", _DIV_DEP, 1.5),
        ("二级调研员", "二级调研员", None, ("researcher_2",), 1),
        ("四级调研员", "四级调研员", None, ("researcher_4",), 2),
    ],
    "district_department": [
        ("党组书记、局长", "党组书记、局长", "section_main", _SEC_MAIN, 0),
        ("副局长", "副局长", "section_deputy", _SEC_DEP, 4),
        ("党组成员、副局长", "党组成员、副局长", "section_deputy", _SEC_DEP, 2),
        ("办公室主任", "办公室主任", None, ("principal_clerk_3", "principal_clerk_2"), 2),
        ("一级主任科员", "一级主任科员", None, ("principal_clerk_1",), 1.5),
        ("三级主任科员", "三级主任科员", None, ("principal_clerk_3",), 2),
        ("一级科员", "一级科员", None, ("clerk_1",), 2),
    ],
    "city_department": [
        ("党组书记、局长", "党组书记、局长", "division_main", _DIV_MAIN, 0),
        ("副局长", "副局长", "division_deputy", _DIV_DEP, 4),
        ("一级调研员", "一级调研员", None, ("researcher_1",), 0.8),
        ("四级调研员", "四级调研员", None, ("researcher_4",), 1.5),
        ("办公室主任", "办公室主任", "section_main", _SEC_MAIN, 1.5),
        ("综合科科长", "综合科科长", "section_main", _SEC_MAIN, 1.5),
        ("项目推进科科长", "项目推进科科长", "section_main", _SEC_MAIN, 1.5),
        ("政策法规科副科长", "政策法规科副科长", "section_deputy", _SEC_DEP, 2),
        ("二级主任科员", "二级主任科员", None, ("principal_clerk_2",), 2),
        ("一级科员", "一级科员", None, ("clerk_1",), 1.5),
    ],
    "street": [
        ("街道党工委书记", "党工委书记", "section_main", _SEC_MAIN, 0),
        ("街道办事处主任", "办事处主任", "section_main", _SEC_MAIN, 1),
        ("街道党工委副书记", "党工委副书记", "section_deputy", _SEC_DEP, 1.5),
        ("街道办事处副主任", "办事处副主任", "section_deputy", _SEC_DEP, 4),
        ("街道党工委委员、武装部部长", "党工委委员、武装部部长", "section_deputy", _SEC_DEP, 1),
        ("街道纪工委书记", "纪工委书记", "section_deputy", _SEC_DEP, 1),
        ("四级主任科员", "四级主任科员", None, ("principal_clerk_4",), 2),
        ("一级科员", "一级科员", None, ("clerk_1",), 2),
    ],
    "town": [
        ("镇党委书记", "党委书记", "section_main", _SEC_MAIN, 0),
        ("镇长", "镇长", "section_main", _SEC_MAIN, 1),
        ("镇党委副书记", "党委副书记", "section_deputy", _SEC_DEP, 1.5),
        ("副镇长", "副镇长", "section_deputy", _SEC_DEP, 4),
        ("镇人大主席", "人大主席", "section_main", _SEC_MAIN, 0.8),
        ("二级主任科员", "二级主任科员", None, ("principal_clerk_2",), 2),
        ("一级科员", "一级科员", None, ("clerk_1",), 2),
    ],
    "community": [
        ("社区党委书记、居委会主任", "党委书记、居委会主任", None, (), 0),
        ("社区党委副书记", "党委副书记", None, (), 2),
        ("社区党委第一书记（选派）", "党委第一书记（选派）", None, _SEC_DEP, 1),
        ("社区居委会委员", "居委会委员", None, (), 2),
    ],
    "task_force": [
        ("常务副组长", "常务副组长", "division_main", _DIV_MAIN, 0),
        ("副组长", "副组长", "division_deputy", _DIV_DEP, 1),
        ("综合协调组组长", "综合协调组组长", "section_main", _SEC_MAIN, 1.5),
        ("项目攻坚组组长", "项目攻坚组组长", "section_main", _SEC_MAIN, 1.5),
        ("项目攻坚组副组长", "项目攻坚组副组长", "section_deputy", _SEC_DEP, 2),
        ("专职工作人员（选派）", "专职工作人员（选派）", None, _STAFF, 5),
    ],
    "enterprise": [
        ("党委书记、董事长", "党委书记、董事长", "division_main", (), 0),
        ("党委副书记、总经理", "党委副书记、总经理", "division_main", (), 0.6),
        ("副总经理", "副总经理", "division_deputy", (), 3),
        ("纪委书记", "纪委书记", "division_deputy", (), 1),
        ("投资发展部经理", "投资发展部经理", None, (), 2),
        ("工程管理部经理", "工程管理部经理", None, (), 2),
    ],
}
ORG_TITLES = {"局长": "部长", "副局长": "副部长", "党组书记、": "", "党组成员、": "部务委员、"}
CITY_DEPT_TITLES = {"局长": "主任", "副局长": "副主任"}  # for 委 (commissions)


def post_table(unit: Unit) -> list[Post]:
    """Post templates that fit a unit."""
    if unit.kind == "department":
        return POSTS["district_department" if unit.district_id else "city_department"]
    return POSTS[unit.kind]


def adapt_title(unit: Unit, title: str) -> str:
    """Rename bureau titles for party departments (部长) and commissions (主任)."""
    if unit.func == "org":
        for old, new in ORG_TITLES.items():
            title = title.replace(old, new)
    elif unit.kind == "department" and unit.name.endswith("委"):
        for old, new in CITY_DEPT_TITLES.items():
            title = title.replace(old, new)
    return title
