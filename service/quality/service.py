"""A cadre's data-quality report: consistency findings and 到龄, read within the caller's scope."""

import asyncpg

from schemas.formats import QualityFinding, QualityOut
from service.attachments.store import BlobStore
from service.config import Settings
from service.errors import NotFound
from service.forms.load import load_form
from service.lrmx.dates import dotted
from service.principal import Principal
from service.quality.checks import check_form
from service.quality.retirement import retirement_for, scheme_for
from service.uow import unit_of_work

RULE_TEXT = {"men_60": "男，原退休年龄60岁，每4个月延迟1个月，最高63岁",
             "women_55": "女干部，原退休年龄55岁，每4个月延迟1个月，最高58岁",
             "women_50": "女职工，原退休年龄50岁，每2个月延迟1个月，最高55岁",
             "fixed": "任职年龄界限63岁及以上，不适用渐进式延迟"}


async def quality(pool: asyncpg.Pool, principal: Principal, *, settings: Settings,
                  cadre_id: int) -> QualityOut:
    """The checks of a readable cadre (ID number checks only where the role may read the number)."""
    async with unit_of_work(pool, principal) as uow:
        form = await load_form(uow.conn, principal, store=BlobStore(settings.attachments_dir),
                               cadre_id=cadre_id)
        if form is None:
            raise NotFound("干部不存在")
        uow.audit("cadre.quality.read", "cadre", cadre_id)
    findings = [QualityFinding(code=f.code, field=f.field, message=f.message) for f in check_form(form)]
    retire = (retirement_for(form.birth_date, form.gender or "male", form.retirement_base_age)
              if form.birth_date else None)
    scheme = scheme_for(form.gender or "male", base_age=form.retirement_base_age)
    return QualityOut(cadre_id=cadre_id, findings=findings,
                      retirement=dotted(retire.reached) if retire else "",
                      retirement_age=retire.label() if retire else "",
                      retirement_rule=RULE_TEXT[scheme.value] + "（2025年1月1日起施行）")
