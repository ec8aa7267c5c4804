"""Assemble varied Chinese titles, bodies, details and metrics from the demo vocabulary."""

import random
from datetime import date
from typing import Any

from service.demo import vocab

INTERVIEW_RELATIONS = ("self", "superior", "colleague", "subordinate", "public", "other")
RECTIFICATIONS = (
    "精简{hall}办事材料，取消重复提交的证明", "延长午间和周末服务时间", "增设帮办代办专员",
    "将高频事项纳入“一件事一次办”", "推动窗口数据共享，减少群众跑腿", "规范一次性告知清单",
)
IMPROVEMENTS = (
    "不动产登记与水电气过户联办", "企业开办压缩至0.5个工作日", "社保转移接续全程网办",
    "工程建设项目审批并联办理", "二手房“带押过户”", "个体工商户登记“智能秒批”",
)


NUMBERS = {"n_small": (2, 15), "n_mid": (12, 99), "n_big": (100, 3000), "pct": (70, 99),
           "cnt": (1, 8)}


class Slots(dict[str, str]):
    """Template values: fixed ones given up front, the rest drawn on first use."""

    def __init__(self, rng: random.Random, domain: str, fixed: dict[str, str]) -> None:
        super().__init__(fixed)
        self.rng = rng
        self.domain = domain

    def __missing__(self, key: str) -> str:
        rng = self.rng
        value: str
        if key in NUMBERS:  # numbers are drawn afresh at every use
            lo, hi = NUMBERS[key]
            return str(lo + int(rng.random() * (hi - lo + 1)))
        if key == "n_money":
            return f"{rng.uniform(1.5, 80):.1f}"
        words = vocab.WORDS.get(key)
        if words is not None:
            value = words[int(rng.random() * len(words))]
        elif key == "ent":
            value = (rng.choice(vocab.WORDS["ent_city"]) + rng.choice(vocab.WORDS["ent_name"])
                     + rng.choice(("科技", "实业", "新能源", "智能装备", "供应链")) + "有限公司")
        elif key == "proj":
            value = rng.choice(vocab.PROJECTS[self.domain]).format_map(self)
        elif key == "contest":
            value = rng.choice(vocab.CONTESTS).format_map(self)
        elif key == "score":
            value = f"{rng.uniform(72, 98):.1f}"
        else:  # pragma: no cover - a template names an unknown slot
            raise KeyError(key)
        self[key] = value
        return value


def pick_domain(rng: random.Random, func: str) -> str:
    """A work domain weighted by the unit's function."""
    weights = vocab.DOMAIN_WEIGHTS.get(func, vocab.DEFAULT_WEIGHTS)
    return rng.choices(vocab.DOMAINS, weights)[0]


def _fill(template: str, slots: Slots) -> str:
    return template.format_map(slots)


def record_text(rng: random.Random, kind: str, domain: str, on: date,
                fixed: dict[str, str]) -> tuple[str, str, str, dict[str, Any]]:
    """Title, body, place and details JSON of one field record."""
    slots = Slots(rng, domain, fixed)
    slots["m"], slots["d"] = str(on.month), str(on.day)
    slots["year"], slots["q"] = str(on.year), "一二三四"[(on.month - 1) // 3]
    if kind == "interview":
        place = fixed["unit"] + rng.choice(("会议室", "小会议室", "党员活动室"))
    elif kind == "site_visit":
        place = slots["proj"]
    elif kind == "window_service":
        place = slots["hall"]
    elif kind == "arena_contest":
        place = rng.choice(("江州市委党校报告厅", "江州市民服务中心多功能厅", "{dist}会议中心"))
        place = _fill(place, slots)
    elif kind == "secondment_log":
        place = fixed["tf"]
    else:
        place = fixed["unit"] + "档案室"
    slots["place"] = place
    pool = vocab.SENTENCES[domain]
    count = min(len(pool), rng.randint(3, 6))
    middle = [_fill(s, slots) for s in rng.sample(pool, count)]
    if rng.random() < 0.3:  # a sentence from a neighbouring domain now and then
        other = rng.choice(vocab.DOMAINS)
        middle.append(_fill(rng.choice(vocab.SENTENCES[other]), Slots(rng, other, fixed)))
    paragraphs = [_fill(rng.choice(vocab.OPENERS[kind]), slots), "".join(middle),
                  _fill(rng.choice(vocab.CLOSERS[kind]), slots) if rng.random() < 0.85 else ""]
    body = "\n".join(p for p in paragraphs if p)
    title = _fill(rng.choice(vocab.TITLES[kind]), slots)
    return title, body, place, _details(rng, kind, slots)


def _details(rng: random.Random, kind: str, slots: Slots) -> dict[str, Any]:
    if kind == "interview":
        relation = rng.choices(INTERVIEW_RELATIONS, (10, 20, 30, 20, 15, 5))[0]
        count = rng.randint(1, 3) if relation in ("self", "superior") else rng.randint(1, 12)
        return {"kind": kind, "interviewee_relation": relation, "interviewee_count": count}
    if kind == "window_service":
        handled = rng.randint(3, 80)
        return {
            "kind": kind, "items_handled": handled, "problems_solved": rng.randint(0, handled),
            "rectification_proposals": [_fill(s, slots) for s in
                                        rng.sample(RECTIFICATIONS, rng.randint(0, 3))],
            "processes_improved": rng.sample(IMPROVEMENTS, rng.randint(0, 2)),
        }
    if kind == "arena_contest":
        return {
            "kind": kind, "contest_name": slots["contest"],
            "achievements": _fill(rng.choice(vocab.SENTENCES[slots.domain]), slots),
            "shortcomings": _fill("{weakness}；部分指标与先进区相比仍有差距。", slots),
            "goals": _fill("下季度力争{gs}、{zs}两项指标进入全市前三。", slots),
            "score": float(slots["score"]),
        }
    return {"kind": kind}


def _metric(rng: random.Random, spec: vocab.Metric) -> dict[str, Any]:
    name, unit, lo, hi, decimals = spec
    value: float = round(rng.uniform(lo, hi), decimals) if decimals else rng.randint(
        int(lo), int(hi))
    return {"name": name, "value": value, "unit": unit}


def _phrase(metric: dict[str, Any]) -> str:
    value = metric["value"]
    shown = f"{int(value)}" if isinstance(value, int) else f"{value}"
    return f"{metric['name']}{shown}{metric['unit']}"


def evidence_text(rng: random.Random, domain: str, negative: bool,
                  fixed: dict[str, str]) -> tuple[str, str, list[dict[str, Any]]]:
    """Title, description and metrics of one evidence item."""
    slots = Slots(rng, domain, fixed)
    specs = rng.sample(vocab.METRICS[domain], rng.randint(1, min(4, len(vocab.METRICS[domain]))))
    specs.sort(key=lambda spec: spec[0] not in vocab.METRIC_TITLES)  # a titled metric leads
    metrics = [_metric(rng, s) for s in specs]
    stems = vocab.METRIC_TITLES.get(metrics[0]["name"]) or vocab.EVIDENCE_TITLES[domain]
    base = _fill(rng.choice(stems), slots)
    pool = vocab.SENTENCES[domain]
    sentences = [_fill(s, slots) for s in rng.sample(pool, min(len(pool), rng.randint(2, 4)))]
    if negative:
        bad = _metric(rng, rng.choice(vocab.NEGATIVE_METRICS))
        metrics.insert(0, bad)
        slots["short"] = rng.choice(vocab.SHORTFALLS)
        title = f"{base}推进滞后：{_phrase(bad)}"
        sentences += [_fill(s, slots) for s in vocab.NEGATIVE_SENTENCES]
    else:
        title = f"{base}：{_phrase(metrics[0])}"
    summary = "，".join(_phrase(m) for m in metrics)
    description = "".join(sentences) + f"主要数据：{summary}（来源：{rng.choice(vocab.SOURCES)}）。"
    return title, description, metrics
