"""Who the story promotes: section-level and division-level post promotions, rank promotions in one
district for urban-renewal work, and the records still running."""

from dataclasses import dataclass, field
from datetime import date

import asyncpg

from service.demo.story import Story

SECTION = 23
RANK = 12
DIVISION = 17
RUNNING = 6

CANDIDATES = """
SELECT c.id, c.name, c.post_level, c.rank, u.id AS unit_id, u.kind, u.name AS unit_name,
       greatest((SELECT max(e.start_date) FROM career_entries e WHERE e.cadre_id = c.id),
                c.post_level_since, c.rank_since) AS since,
       coalesce((SELECT d.id FROM units d WHERE d.kind = 'district'
                 AND (d.id = u.id OR d.id = ANY(u.ancestor_ids))), 0) AS district_id
FROM cadres c JOIN units u ON u.id = c.unit_id
WHERE c.status = 'active' AND greatest((SELECT max(e.start_date) FROM career_entries e
                                             WHERE e.cadre_id = c.id), c.post_level_since, c.rank_since)
                               < $1::date - 120
ORDER BY c.id"""


@dataclass(slots=True)
class Pick:
    """One promotion the story runs."""

    cadre_id: int
    name: str
    kind: str
    target_unit_id: int
    target_post: str
    target_level: str | None
    target_rank: str | None
    reason: str
    since: date
    city: bool = False


@dataclass(slots=True)
class Groups:
    """Appointed records in date order, records still running, and the counts by kind."""

    appointed: list[Pick] = field(default_factory=list)
    running: list[Pick] = field(default_factory=list)
    section: int = 0
    rank: int = 0


def _section(c: asyncpg.Record, streets: dict[int, list[asyncpg.Record]], n: int) -> Pick | None:
    if c["kind"] in ("street", "town"):
        unit_id, unit_name, kind = c["unit_id"], c["unit_name"], c["kind"]
    else:
        options = streets.get(c["district_id"]) or []
        if not options:
            return None
        s = options[n % len(options)]
        unit_id, unit_name, kind = s["id"], s["name"], s["kind"]
    post = unit_name + ("办事处主任" if kind == "street" else "镇长")
    return Pick(c["id"], c["name"], "post_promotion", unit_id, post, "section_main", None,
                "在老旧小区改造和项目攻坚中担当作为、实绩突出", c["since"])


async def picks(story: Story) -> Groups:
    """Choose, deterministically, who is promoted how and towards which post."""
    rng = story.rng("selection")
    cadres = await story.rows(CANDIDATES, story.today)
    units = await story.rows("SELECT id, name, kind FROM units WHERE kind IN ('street', 'town', 'district') "
                             "ORDER BY id")
    ancestors = {r["id"]: r["district_id"] for r in await story.rows(
        """SELECT u.id, coalesce((SELECT d.id FROM units d WHERE d.kind = 'district'
                  AND (d.id = u.id OR d.id = ANY(u.ancestor_ids))), 0) AS district_id
           FROM units u WHERE u.kind IN ('street', 'town') ORDER BY u.id""")}
    streets: dict[int, list[asyncpg.Record]] = {}
    for u in units:
        if u["kind"] in ("street", "town"):
            streets.setdefault(ancestors[u["id"]], []).append(u)
    districts = {u["id"]: u["name"] for u in units if u["kind"] == "district"}
    ranks = [r["code"] for r in await story.rows("SELECT code FROM ranks ORDER BY ordinal")]
    used: set[int] = set()
    g = Groups()
    section: list[Pick] = []
    division: list[Pick] = []
    rank: list[Pick] = []
    deputies = [c for c in cadres if c["post_level"] == "section_deputy"
                and c["kind"] in ("street", "town", "department") and c["district_id"]]
    for n, c in enumerate(deputies):  # the records still running first: every stage must show
        if len(g.running) < RUNNING and (p := _section(c, streets, n)) is not None:
            g.running.append(p)
        elif len(section) < SECTION and (p := _section(c, streets, n)) is not None:
            section.append(p)
        else:
            continue
        used.add(c["id"])
    mains = [c for c in cadres if c["post_level"] == "section_main" and c["district_id"]
             and c["kind"] in ("street", "town", "department")]
    for c in mains[:DIVISION]:
        division.append(Pick(c["id"], c["name"], "post_promotion", c["district_id"],
                             districts[c["district_id"]] + "副区长", "division_deputy", None,
                             "统筹城市更新和招商引资成效明显，综合考核连续位居前列", c["since"], city=True))
        used.add(c["id"])
    # District-managed rank promotions stay below 四级调研员 (which would make the cadre city-managed).
    ranked = [c for c in cadres if c["id"] not in used and c["rank"] in ranks[:-1] and c["district_id"]
              and "clerk" in ranks[ranks.index(c["rank"]) + 1]]
    by_district: dict[int, list[asyncpg.Record]] = {}
    for c in ranked:
        by_district.setdefault(c["district_id"], []).append(c)
    # One district's urban-renewal push: the district with the most cadres holding a rank first.
    for d in sorted(by_district, key=lambda d: (-len(by_district[d]), d)):
        for c in by_district[d]:
            if len(rank) < RANK:
                rank.append(Pick(c["id"], c["name"], "rank_promotion", c["unit_id"], c["unit_name"],
                                 None, ranks[ranks.index(c["rank"]) + 1],
                                 f"在{districts[d]}城市更新攻坚中实绩突出，按规定晋升职级", c["since"]))
                used.add(c["id"])
    g.section, g.rank = len(section), len(rank)
    g.appointed = section + division + rank
    rng.shuffle(g.appointed)
    return g
