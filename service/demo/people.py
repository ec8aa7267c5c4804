"""Demo cadres: profile, national ID, resume, annual appraisals, rewards and penalties."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from schemas.cadres import national_id_check_char
from service.demo import names
from service.demo.units import Post, Unit, UnitTree, adapt_title, post_table

REF = date(2026, 11, 1)  # "today" of the demo data
APPRAISAL_YEARS = range(2021, 2026)
LEVELS = (None, "section_deputy", "section_main", "division_deputy", "division_main")
AGES = {None: (28, 59), "section_deputy": (30, 55), "section_main": (34, 57),
        "division_deputy": (40, 58), "division_main": (45, 59)}
MIN_YEARS = {"section_deputy": 4, "section_main": 7, "division_deputy": 12, "division_main": 15}
TASK_FORCES_SINCE = 2020
JUNIOR_POSTS = ("科员", "一级科员", "一级科员", "四级主任科员")
OLD_JUNIOR_POSTS = ("科员", "科员", "办事员")  # before the 2019 rank reform
GRASSROOTS = frozenset({"street", "town", "community"})
EDU_BY_AGE = {  # high_school, secondary_vocational, college, bachelor, master, doctorate
    "old": (6, 10, 25, 50, 8, 1), "mid": (2, 4, 15, 60, 17, 2), "young": (0, 0, 6, 60, 32, 2),
}
EDU_LEVELS = ("high_school", "secondary_vocational", "college", "bachelor", "master", "doctorate")
GRAD_AGE = {"high_school": 18, "secondary_vocational": 19, "college": 21, "bachelor": 22,
            "master": 25, "doctorate": 28}
CAREER_KINDS: dict[int, tuple[tuple[str, float], ...]] = {
    0: (("street", 3), ("town", 1), ("community", 1), ("department", 3), ("outside", 2)),
    1: (("street", 3), ("town", 1), ("department", 3), ("task_force", 0.5)),
    2: (("street", 2), ("town", 1), ("department", 3), ("task_force", 0.5)),
    3: (("district", 3), ("department", 2), ("task_force", 0.5), ("enterprise", 0.5)),
    4: (("district", 2), ("department", 2), ("task_force", 0.3)),
}
OUTSIDE = (("人民政府", "乡村振兴专干", True), ("人民政府", "科员", True),
           ("中学", "教师", False), ("卫生院", "办公室干事", True))


def _reachable(work_start: date, on: date) -> int:
    """The highest level index a cadre can plausibly hold `on`, given when they started."""
    years = (on - work_start).days / 365.25
    return max([0] + [LEVELS.index(lv) for lv, need in MIN_YEARS.items() if years >= need])


def add_years(d: date, years: int) -> date:
    """The same calendar day `years` later (28 Feb for 29 Feb in common years)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def rand_date(rng: random.Random, lo: date, hi: date) -> date:
    """A uniformly chosen day in [lo, hi] (lo when the range is empty)."""
    span = (hi - lo).days
    return lo + timedelta(days=rng.randint(0, span)) if span > 0 else lo


@dataclass(slots=True)
class CadreFacts:
    """What later generators need to know about a cadre."""

    id: int
    name: str
    unit: Unit
    post: str
    work_start: date
    index: int


class People:
    """Generates cadres for the tree; keeps the state that must hold across chunks."""

    def __init__(self, tree: UnitTree, creator_id: int) -> None:
        self.tree = tree
        self.creator_id = creator_id
        self.national_ids: set[str] = set()
        self.heads: set[int] = set()
        weights = {"district": 8, "department": 6, "street": 6, "town": 6, "community": 0.6,
                   "task_force": 6, "enterprise": 5, "city": 0}
        self.placeable = [u for u in tree.units if weights[u.kind] > 0]
        self.place_weights = [float(weights[u.kind]) for u in self.placeable]
        self.by_kind: dict[str, list[Unit]] = {}
        self.by_district_kind: dict[tuple[int, str], list[Unit]] = {}
        for u in tree.units:
            self.by_kind.setdefault(u.kind, []).append(u)
            self.by_district_kind.setdefault((u.district_id, u.kind), []).append(u)
        self._surnames = [s for s, _ in names.SURNAMES]
        self._surname_w = [w for _, w in names.SURNAMES]
        self._eth = [e for e, _ in names.ETHNICITIES]
        self._eth_w = [w for _, w in names.ETHNICITIES]

    def name(self, rng: random.Random, gender: str) -> str:
        """A plausible Chinese full name."""
        male = gender == "male"
        pool = names.GIVEN_MALE if male else names.GIVEN_FEMALE
        if rng.random() < 0.78:
            given = rng.choice(names.GIVEN_FIRST + pool) + rng.choice(pool)
        else:
            given = rng.choice(names.GIVEN_SINGLE_MALE if male else pool)
        return rng.choices(self._surnames, self._surname_w)[0] + given

    def _national_id(self, rng: random.Random, area4: str, birth: date, gender: str) -> str:
        while True:
            area = area4 + rng.choice(names.COUNTY_SUFFIXES)
            seq = rng.randrange(0, 100) * 10 + rng.randrange(0, 10, 2) + (gender == "male")
            first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
            nid = first17 + national_id_check_char(first17)
            if nid not in self.national_ids:
                self.national_ids.add(nid)
                return nid

    def _post(self, rng: random.Random, unit: Unit) -> tuple[Post, bool]:
        table = post_table(unit)
        if unit.id not in self.heads and rng.random() < 0.35:
            self.heads.add(unit.id)
            return table[0], True
        return rng.choices(table[1:], [p[4] for p in table[1:]])[0], False

    def make(self, rng: random.Random, cadre_id: int, index: int,
             out: dict[str, list[tuple[Any, ...]]], ids: dict[str, int]) -> CadreFacts:
        """Generate one cadre with resume, appraisals and rewards/penalties into `out`."""
        unit = rng.choices(self.placeable, self.place_weights)[0]
        (title, suffix, level, ranks, _), is_head = self._post(rng, unit)
        title, suffix = adapt_title(unit, title), adapt_title(unit, suffix)
        rank = rng.choice(ranks) if ranks else None
        lo_age, hi_age = AGES[level]
        if rank is not None and rank.startswith("researcher"):
            lo_age = max(lo_age, 45)
        age = rng.randint(lo_age, hi_age)
        birth = rand_date(rng, add_years(REF, -age - 1) + timedelta(days=1), add_years(REF, -age))
        gender = "male" if rng.random() < (0.78 if level else 0.6) else "female"
        home = rng.randrange(names.HOME_PLACES) if rng.random() < 0.7 else rng.randrange(
            len(names.PLACES))
        prov, city, area4 = names.PLACES[home]
        born = names.PLACES[home] if rng.random() < 0.8 else rng.choice(names.PLACES)
        bucket = "old" if age > 50 else "mid" if age >= 40 else "young"
        edu = rng.choices(EDU_LEVELS, EDU_BY_AGE[bucket])[0]
        grad_age = GRAD_AGE[edu] + (rng.random() < 0.3)
        work_start = min(date(birth.year + grad_age, rng.choice((7, 8)), rng.randint(1, 28)),
                         REF - timedelta(days=60))
        school, major = self._school(rng, edu)
        in_level, in_school, in_major = self._inservice(rng, edu)
        party = None
        if rng.random() < 0.93:
            party = min(rand_date(rng, add_years(birth, 19), add_years(birth, 34)),
                        REF - timedelta(days=200))
        hi = REF - timedelta(days=60)
        level_since = None
        if level is not None:
            lo = max(add_years(work_start, MIN_YEARS[level]), add_years(REF, -8))
            level_since = rand_date(rng, min(lo, hi), hi)
        rank_since = None
        if rank is not None:  # leaders usually get the matching rank with or after the post
            lo = level_since or max(add_years(work_start, 1), add_years(REF, -6))
            rank_since = rand_date(rng, min(lo, hi), REF - timedelta(days=30))
        city_rank = rank is not None and (rank.startswith(("researcher", "inspector")))
        tier = "city_managed" if (level or "").startswith("division") or city_rank \
            else "district_managed"
        nid = self._national_id(rng, area4, birth, gender)
        out["cadres"].append((
            cadre_id, self.name(rng, gender), gender, birth,
            rng.choices(self._eth, self._eth_w)[0], prov + city, born[0] + born[1], party,
            work_start, "健康" if rng.random() < 0.97 else "良好",
            rng.choice(names.PROFESSIONAL_TITLES) if rng.random() < 0.2 else None,
            edu, school, major, in_level, in_school, in_major, unit.id, unit.name + suffix,
            level, level_since, rank, rank_since, tier, "active" if rng.random() < 0.985
            else rng.choice(("transferred", "retired")), nid, is_head, self.creator_id,
        ))
        cur_start = level_since or rand_date(rng, min(max(work_start, add_years(REF, -8)), hi), hi)
        self._career(rng, cadre_id, unit, title, level, work_start, cur_start, out, ids)
        penalty_years = self._rewards(rng, cadre_id, work_start, out, ids)
        self._appraisals(rng, cadre_id, work_start, penalty_years, out, ids)
        return CadreFacts(cadre_id, out["cadres"][-1][1], unit, unit.name + suffix, work_start,
                          index)

    def _school(self, rng: random.Random, edu: str) -> tuple[str, str | None]:
        if edu == "high_school":
            return rng.choice(names.HIGH_SCHOOLS), None
        if edu == "secondary_vocational":
            return rng.choice(names.SECONDARY), rng.choice(("财会", "建筑施工", "文秘", "农学"))
        if edu == "college":
            return rng.choice(names.COLLEGES), rng.choice(names.MAJORS)
        majors = names.MAJORS if edu == "bachelor" else names.MASTER_MAJORS
        return rng.choice(names.UNIVERSITIES), rng.choice(majors)

    def _inservice(self, rng: random.Random, edu: str) -> tuple[str | None, str | None,
                                                                str | None]:
        if edu in ("high_school", "secondary_vocational", "college") and rng.random() < 0.65:
            level = "bachelor" if edu == "college" or rng.random() < 0.6 else "college"
            school = rng.choice(names.PARTY_SCHOOLS + names.INSERVICE_UNIS)
            return level, school, rng.choice(names.INSERVICE_MAJORS)
        if edu == "bachelor" and rng.random() < 0.35:
            school = rng.choice(names.PARTY_SCHOOLS[:2] + names.INSERVICE_UNIS)
            return "master", school, rng.choice(("公共管理", "行政管理", "工商管理", "法律"))
        return None, None, None

    def _career(self, rng: random.Random, cadre_id: int, unit: Unit, title: str,
                level: str | None, work_start: date, cur_start: date,
                out: dict[str, list[tuple[Any, ...]]], ids: dict[str, int]) -> None:
        cur_start = max(cur_start, work_start)
        span = (cur_start - work_start).days
        n = min(rng.randint(3, 7), max(3, 1 + span // 540)) if span >= 400 else 1 + (span >= 200)
        starts = [work_start]
        if n >= 2:
            inner = sorted(rng.sample(range(120, span - 60), n - 2)) if n > 2 else []
            starts += [work_start + timedelta(days=d) for d in inner] + [cur_start]
        top = LEVELS.index(level)
        past = sorted(rng.randint(0, top) for _ in range(len(starts) - 1))
        if past:
            past[0] = 0
        rows = out["career_entries"]
        kept: list[tuple[date, tuple[int | None, str, str, str | None, bool]]] = []
        last: tuple[int | None, str] = (None, "")
        for i, start in enumerate(starts[:-1]):
            for _ in range(4):  # the line before the current post should be a different post
                step = self._step(rng, unit, min(past[i], _reachable(work_start, start)), start,
                                  first=i == 0)
                if i + 2 < len(starts) or (step[0], step[2]) != (unit.id, title):
                    break
            if (step[0], step[2]) != last:  # the same post again just makes one longer line
                kept.append((start, step))
                last = (step[0], step[2])
        current_start = starts[-1] if kept else starts[0]
        ends = [s for s, _ in kept[1:]] + [current_start] if kept else []
        for (start, (uid, uname, post, plevel, grass)), nxt in zip(kept, ends, strict=True):
            ids["career_entries"] += 1
            rows.append((ids["career_entries"], cadre_id, start, nxt - timedelta(days=1), uid,
                         uname, post, plevel, grass))
        ids["career_entries"] += 1
        rows.append((ids["career_entries"], cadre_id, current_start, None, unit.id, unit.name, title,
                     level, unit.kind in GRASSROOTS))

    def _step(self, rng: random.Random, home: Unit, level: int, start: date, first: bool
              ) -> tuple[int | None, str, str, str | None, bool]:
        kinds = CAREER_KINDS[level] if first else CAREER_KINDS[level][:4]
        for _ in range(6):
            kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            if kind == "outside":
                break
            if kind == "task_force" and start.year < TASK_FORCES_SINCE:
                continue
            pool = self.by_district_kind.get((home.district_id, kind)) if (
                home.district_id and rng.random() < 0.7) else None
            unit = rng.choice(pool or self.by_kind[kind])
            want = LEVELS[level]
            fits = [p for p in post_table(unit) if p[2] == want and (want or p[4] > 0)]
            if fits:
                post = adapt_title(unit, rng.choice(fits)[0])
                if want is None and unit.kind != "community":
                    post = rng.choice(JUNIOR_POSTS if start.year >= 2019 else OLD_JUNIOR_POSTS)
                return unit.id, unit.name, post, want, unit.kind in GRASSROOTS
        prov, _, _ = rng.choice(names.PLACES[: names.HOME_PLACES])
        place, post, grass = rng.choice(OUTSIDE[1:] if start.year < 2018 else OUTSIDE)
        county = rng.choice(("修水县", "武宁县", "永修县", "德安县", "都昌县", "湖口县", "彭泽县"))
        unit_name = f"{prov}省{county}{rng.choice(('城关镇', '白沙乡', '东岭乡', '新塘乡'))}{place}"
        return None, unit_name, post, None, grass

    def _rewards(self, rng: random.Random, cadre_id: int, work_start: date,
                 out: dict[str, list[tuple[Any, ...]]], ids: dict[str, int]) -> set[int]:
        rows = out["rewards_penalties"]
        lo, hi = add_years(work_start, 1), REF - timedelta(days=30)
        for _ in range(rng.choices((0, 1, 2, 3), (65, 25, 8, 2))[0]):
            title, issuer = rng.choice(names.REWARDS)
            ids["rewards_penalties"] += 1
            rows.append((ids["rewards_penalties"], cadre_id, "reward", title, issuer,
                         rand_date(rng, min(lo, hi), hi), None, None))
        years: set[int] = set()
        if rng.random() < 0.035:
            title, issuer, months = rng.choice(names.PENALTIES)
            decided = rand_date(rng, min(max(lo, add_years(REF, -6)), hi), REF - timedelta(days=20))
            until = decided + timedelta(days=months * 30) if months else None
            ids["rewards_penalties"] += 1
            rows.append((ids["rewards_penalties"], cadre_id, "penalty", title, issuer, decided,
                         until, "因" + rng.choice(names.PENALTY_REASONS)))
            years.add(decided.year)
        return years

    def _appraisals(self, rng: random.Random, cadre_id: int, work_start: date,
                    penalty_years: set[int], out: dict[str, list[tuple[Any, ...]]],
                    ids: dict[str, int]) -> None:
        merit = rng.random()
        grades = ("excellent", "competent", "basically_competent", "incompetent")
        for year in APPRAISAL_YEARS:
            if year < work_start.year + (work_start.month > 6):
                continue
            if year in penalty_years:
                grade = rng.choices(grades[1:], (60, 35, 5))[0]
            else:
                grade = rng.choices(grades, (10 + 25 * merit, 76, 2.5, 0.4))[0]
            ids["appraisals"] += 1
            out["appraisals"].append((ids["appraisals"], cadre_id, year, grade))
