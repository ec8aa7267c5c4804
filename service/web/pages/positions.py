"""岗位: create and edit a position to fill, its eligibility rules (each explained in Chinese) and
weights, with a live count of the eligible cadres as the rules change (POST /api/positions/
eligibility-preview). Saving goes to the JSON API; the shortlist pages read the result."""

from typing import Any, get_args

import asyncpg
from fastapi import Request, Response

from schemas.clock import today
from schemas.common import AppraisalGrade, Domain, EducationLevel, PostLevel, Rank, Tier, label
from schemas.positions import Category, PositionOut, Rules
from service.deps import EntityId, OfficerUser, Pool
from service.positions import service as positions_service
from service.principal import Principal
from service.web import repo
from service.web.page_route import page_router
from service.web.render import render

router = page_router()

# What each rule means, shown beside its inputs (the rules themselves: service/positions/eligibility.py).
RULE_HELP = {
    "level": "现任职级或职务层次至少达到所选等级；恰好处在该等级的，须任满所填年限（高于该等级的不看年限）。"
             "同时设置职级和职务层次时，满足其一即可。",
    "max_age": "截至基准日（或所填日期）的周岁年龄不超过上限。",
    "min_education": "最高学历不低于所选学历；勾选“仅限全日制”时只看全日制学历，否则全日制或在职学历均可。",
    "tiers": "只在所选管理层级的干部中产生人选；都不勾选则不限。",
    "grassroots_years": "履历中标为基层的任职累计年限（截至基准日）不少于所填年数。",
    "domains": "在该工作领域已核实的正面实绩不少于所填项数（可限定近几年内）；每个领域一条。",
    "appraisal": "近几个完整年度的年度考核中，没有低于所选等次的结果（没有考核记录的年份不算不合格）。",
    "no_open_penalty": "基准日仍在处分影响期内的干部不能入选。",
    "max_post_level": "现任职务层次高于岗位职务层次的干部（如正处级的区委书记之于正科级的局长岗位）"
                      "不列入候选，因为任该岗位等于降级使用；默认取岗位本身的职务层次。",
    "weights": "候选名单得分 = 实绩×实绩权重 + 年度考核×考核权重 + 所在单位考核排名×排名权重 + "
               "擂台比武×比武权重；实绩按半衰期递减，只计最近若干年内结束的实绩。",
}


def _options(values: Any) -> list[tuple[str, str]]:
    return [(v.value if hasattr(v, "value") else v, label(v.value if hasattr(v, "value") else v))
            for v in values]


async def _form(request: Request, pool: asyncpg.Pool, user: Principal,
                position: PositionOut | None) -> Response:
    async with pool.acquire() as conn:
        units = await repo.scope_units(conn, user)
    rules = position.rules if position else None
    return render(request, "position_form.html", {
        "p": position, "r": rules, "w": position.weights if position else None,
        "units": [(u["id"], "　" * max(0, u["depth"] - 1) + u["name"]) for u in units],
        "ranks": _options(Rank), "levels": _options(PostLevel), "tiers": _options(Tier),
        "educations": _options(EducationLevel), "grades": _options(AppraisalGrade),
        "domains": _options(Domain), "categories": _options(get_args(Category)),
        "help": RULE_HELP, "today": today(),
    }, title="编辑岗位" if position else "新建岗位")


@router.get("/positions/new")
async def new_position(request: Request, pool: Pool, user: OfficerUser) -> Response:
    """An empty position form (officer)."""
    return await _form(request, pool, user, None)


@router.get("/positions/{position_id}/edit")
async def edit_position(position_id: EntityId, request: Request, pool: Pool, user: OfficerUser) -> Response:
    """The position's form filled in, saved as a new version (officer)."""
    position = await positions_service.get_position(pool, user, position_id)
    return await _form(request, pool, user, position)


def describe_rules(rules: Rules) -> list[str]:
    """The position's rules as Chinese sentences (for the shortlist page)."""
    out: list[str] = []
    if rules.min_rank:
        out.append(f"职级不低于{label(rules.min_rank.rank.value)}"
                   f"（恰在该职级的任满 {rules.min_rank.years:g} 年）")
    if rules.min_post_level:
        out.append(f"职务层次不低于{label(rules.min_post_level.post_level.value)}"
                   f"（恰在该层次的任满 {rules.min_post_level.years:g} 年）")
    if rules.min_rank and rules.min_post_level:
        out[-1] += "；职级与职务层次满足其一即可"
    if rules.max_post_level:
        out.append(f"现任职务层次不高于{label(rules.max_post_level.value)}（高于岗位层次的不列入候选）")
    if rules.max_age:
        out.append(f"年龄不超过 {rules.max_age.max_age} 周岁")
    if rules.min_education:
        kind = "全日制" if rules.min_education.fulltime_only else "全日制或在职"
        out.append(f"{kind}学历不低于{label(rules.min_education.level.value)}")
    if rules.tiers:
        out.append("管理层级：" + "或".join(label(t.value) for t in rules.tiers))
    if rules.grassroots_years is not None:
        out.append(f"基层工作经历不少于 {rules.grassroots_years:g} 年")
    for d in rules.domains:
        window = f"近 {d.within_years} 年" if d.within_years else ""
        out.append(f"{window}{label(d.domain.value)}领域已核实正面实绩不少于 {d.min_verified} 项")
    if rules.appraisal:
        out.append(f"近 {rules.appraisal.years} 年年度考核均不低于{label(rules.appraisal.min_grade.value)}")
    if rules.no_open_penalty:
        out.append("不在处分影响期内")
    return out
