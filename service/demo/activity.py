"""Demo field records and achievement evidence for one chunk of cadres."""

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from service.demo.people import REF, CadreFacts, rand_date
from service.demo.texts import evidence_text, pick_domain, record_text

KINDS = ("interview", "site_visit", "window_service", "arena_contest", "secondment_log",
         "document_review")
KIND_WEIGHTS = (30, 20, 12, 8, 10, 20)
KIND_WEIGHTS_TASK_FORCE = (25, 20, 5, 8, 30, 12)
KIND_WEIGHTS_SERVICE = (25, 12, 35, 8, 5, 15)
SERVICE_FUNCS = frozenset({"approval", "civil", "hr", "letters", "community"})
LAST_MOMENT = datetime.combine(REF, time(10, 0), tzinfo=UTC)  # 18:00 in Beijing
EARLIEST_PERIOD = date(2022, 1, 1)
VERIFIED_NOTES = ("经核对项目台账和统计数据，情况属实。", "经实地察看和走访群众，数据属实。", "")
DISPUTED_NOTES = ("数据与统计部门口径不一致，需补充佐证材料。",
                  "部分项目尚未竣工验收，实绩认定存在争议。", "同一项目已由其他单位申报，需厘清贡献。")
NULL = "\\N"


@dataclass(slots=True)
class CampaignInfo:
    """A campaign as the generator sees it."""

    id: int
    starts_on: date
    ends_on: date
    is_open: bool
    weight: float
    teams_by_top: dict[int, tuple[int, tuple[int, ...]]] = field(default_factory=dict)


@dataclass(slots=True)
class Context:
    """Fixed parts of the world the activity generator draws on."""

    campaigns: list[CampaignInfo]
    officer_by_district: dict[int, int]
    city_officer: int
    task_forces: list[str]
    district_names: dict[int, str]


@dataclass(slots=True)
class RecordRef:
    """A submitted record evidence may point to."""

    id: int
    campaign_id: int
    team_id: int
    members: tuple[int, ...]
    on: date


def _esc(value: str) -> str:
    """Escape a value for COPY text format (str.replace is much faster than translate here)."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\t" in value or "\r" in value:
        value = value.replace("\t", "\\t").replace("\r", "\\r")
    return value


def _ts(moment: datetime) -> str:
    return moment.isoformat(sep=" ")


def _moment(rng: random.Random, day: date) -> datetime:
    """A working-hours moment on `day` (Beijing 08:30-21:00), never after the reference day."""
    moment = datetime.combine(day, time(0, 30), tzinfo=UTC) + timedelta(
        minutes=rng.randint(0, 750))
    return min(moment, LAST_MOMENT)


def draw_count(rng: random.Random, mean: float) -> int:
    """A count that averages `mean` with some spread."""
    x = mean * rng.uniform(0.4, 1.6)
    n = int(x)
    return n + (rng.random() < x - n)


class Activity:
    """Generates records and evidence as COPY text lines plus link rows."""

    def __init__(self, ctx: Context, records_per_cadre: float, evidence_per_cadre: float) -> None:
        self.ctx = ctx
        self.rpc = records_per_cadre
        self.epc = evidence_per_cadre

    def _fixed(self, rng: random.Random, cadre: CadreFacts) -> dict[str, str]:
        unit = cadre.unit
        return {
            "name": cadre.name, "unit": unit.name,
            "dist": self.ctx.district_names.get(unit.district_id, "江州市"),
            "tf": unit.name if unit.kind == "task_force" else rng.choice(self.ctx.task_forces),
        }

    def generate(self, rng: random.Random, facts: list[CadreFacts],
                 out: dict[str, list[Any]], ids: dict[str, int]) -> None:
        """Records for every cadre in the chunk, then evidence linking some of them."""
        by_top: dict[int, list[CadreFacts]] = {}
        for cadre in facts:
            by_top.setdefault(cadre.unit.top_id, []).append(cadre)
        submitted: dict[int, list[RecordRef]] = {}
        for cadre in facts:
            for _ in range(draw_count(rng, self.rpc)):
                self._record(rng, cadre, by_top[cadre.unit.top_id], out, ids, submitted)
        for cadre in facts:
            for _ in range(draw_count(rng, self.epc)):
                self._evidence(rng, cadre, submitted.get(cadre.id, []), out, ids)

    def _record(self, rng: random.Random, cadre: CadreFacts, peers: list[CadreFacts],
                out: dict[str, list[Any]], ids: dict[str, int],
                submitted: dict[int, list[RecordRef]]) -> None:
        settled = cadre.work_start + timedelta(days=180)
        camps = [c for c in self.ctx.campaigns if c.ends_on > settled] or self.ctx.campaigns[-1:]
        camp = rng.choices(camps, [c.weight for c in camps])[0]
        team_id, members = camp.teams_by_top[cadre.unit.top_id]
        author = rng.choice(members)
        on = rand_date(rng, camp.starts_on, min(camp.ends_on, REF))
        func = cadre.unit.func
        weights = (KIND_WEIGHTS_TASK_FORCE if cadre.unit.kind == "task_force"
                   else KIND_WEIGHTS_SERVICE if func in SERVICE_FUNCS else KIND_WEIGHTS)
        kind = rng.choices(KINDS, weights)[0]
        title, body, place, details = record_text(rng, kind, pick_domain(rng, func), on,
                                                  self._fixed(rng, cadre))
        created = _moment(rng, on)
        is_draft = camp.is_open and rng.random() < 0.15
        sub_at = None if is_draft else min(created + timedelta(
            hours=rng.randint(1, 96), minutes=rng.randint(0, 59)), LAST_MOMENT)
        ids["field_records"] += 1
        rid = ids["field_records"]
        out["field_records"].append("\t".join((
            str(rid), str(camp.id), str(team_id), str(author), kind, on.isoformat(), _esc(place),
            _esc(title), _esc(body), _esc(json.dumps(details, ensure_ascii=False)),
            "draft" if is_draft else "submitted", _ts(sub_at) if sub_at else NULL,
            _ts(created), _ts(sub_at or created),
        )))
        concerned = [cadre]
        extra = rng.choices((0, 1, 2), (60, 28, 12))[0]
        if extra and len(peers) > 1:
            for peer in rng.sample(peers, min(len(peers), extra + 1)):
                if peer is not cadre and len(concerned) <= extra:
                    concerned.append(peer)
        for person in concerned:
            out["field_record_cadres"].append((rid, person.id))
            if not is_draft:
                submitted.setdefault(person.id, []).append(
                    RecordRef(rid, camp.id, team_id, members, on))

    def _period(self, rng: random.Random, start_floor: date, hi: date) -> tuple[date, date]:
        floor = min(max(EARLIEST_PERIOD, start_floor), hi - timedelta(days=30))
        first_year = floor.year + (floor != date(floor.year, 1, 1))
        shape = rng.random()
        if shape < 0.4 or hi.year - 1 < first_year:  # a quarter, or a custom span
            end = rand_date(rng, min(floor + timedelta(days=60), hi), hi)
            if shape < 0.4:
                q_end = date(end.year, ((end.month - 1) // 3) * 3 + 1, 1) - timedelta(days=1)
                if q_end >= floor + timedelta(days=80):
                    return date(q_end.year, q_end.month - 2, 1), q_end
            return max(floor, end - timedelta(days=rng.randint(30, 330))), end
        year = rng.randint(first_year, hi.year - 1)
        if shape < 0.65:  # a half year
            half = rng.randint(0, 1)
            start, end = date(year, 1 + 6 * half, 1), date(year, 6 + 6 * half, 30 + half)
        else:
            start, end = date(year, 1, 1), date(year, 12, 31)
        return start, end

    def _checker(self, drawn: int, creator: int) -> int | None:
        """Who verifies: the officer drawn, unless that is the filer (nobody verifies what they
        filed, as the service enforces); then the city officer, whose scope covers every cadre;
        None when the filer is the city officer (a city-level cadre: no second officer in scope)."""
        if drawn != creator:
            return drawn
        return self.ctx.city_officer if creator != self.ctx.city_officer else None

    def _evidence(self, rng: random.Random, cadre: CadreFacts, refs: list[RecordRef],
                  out: dict[str, list[Any]], ids: dict[str, int]) -> None:
        district_officer = self.ctx.officer_by_district.get(cadre.unit.district_id,
                                                            self.ctx.city_officer)
        linked: list[RecordRef] = []
        if refs and rng.random() < 0.55:
            first = rng.choice(refs)
            same = [r for r in refs if r.team_id == first.team_id and r is not first]
            linked = [first, *rng.sample(same, min(len(same), rng.randint(0, 1)))]
        hi = min(r.on for r in linked) if linked else REF - timedelta(days=1)
        start, end = self._period(rng, cadre.work_start, hi)
        domain = pick_domain(rng, cadre.unit.func)
        negative = rng.random() < 0.12
        title, description, metrics = evidence_text(rng, domain, negative, self._fixed(rng, cadre))
        if linked:
            created = _moment(rng, linked[0].on + timedelta(days=rng.randint(0, 6)))
            creator = rng.choice(linked[0].members)
            camp, team = str(linked[0].campaign_id), str(linked[0].team_id)
        else:
            created = _moment(rng, min(end + timedelta(days=rng.randint(5, 45)), REF))
            creator = district_officer
            camp = team = NULL
        state = rng.choices(("claimed", "verified", "disputed"), (45, 45, 10))[0]
        verifier = verified_at = note = NULL
        updated = created
        if state != "claimed":
            checker = self._checker(district_officer if rng.random() < 0.7 else self.ctx.city_officer,
                                    creator)
            changed = min(created + timedelta(days=rng.randint(2, 60), minutes=rng.randint(0, 600)),
                          LAST_MOMENT)
            said = rng.choice(VERIFIED_NOTES if state == "verified" else DISPUTED_NOTES) or NULL
            if checker is None:  # the filer is the only officer whose scope covers the cadre
                state = "claimed"
            else:
                verifier, updated, verified_at, note = str(checker), changed, _ts(changed), said
        ids["evidence"] += 1
        eid = ids["evidence"]
        out["evidence"].append("\t".join((
            str(eid), str(cadre.id), domain, _esc(title), _esc(description), start.isoformat(),
            end.isoformat(), _esc(json.dumps(metrics, ensure_ascii=False)),
            "negative" if negative else "positive", state, verifier, verified_at, note, camp, team,
            str(creator), _ts(created), _ts(updated),
        )))
        for ref in linked:
            out["evidence_records"].append((eid, ref.id))
