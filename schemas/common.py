"""Shared vocabulary: enumerations with their Chinese labels, and small reusable models."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from schemas import clock

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
LongText = Annotated[str, StringConstraints(max_length=20000)]
OptText = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=200)]


class Strict(BaseModel):
    """Base for request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Role(StrEnum):
    """Account roles."""

    admin = "admin"
    officer = "officer"
    researcher = "researcher"
    auditor = "auditor"
    leader = "leader"


class UnitKind(StrEnum):
    """Kinds of organization in the unit hierarchy."""

    city = "city"
    district = "district"
    department = "department"
    town = "town"
    street = "street"
    community = "community"
    task_force = "task_force"
    enterprise = "enterprise"


class Tier(StrEnum):
    """Which level's organization department manages the cadre."""

    city_managed = "city_managed"
    district_managed = "district_managed"


class Gender(StrEnum):
    """Gender as on the appointment approval form."""

    male = "male"
    female = "female"


class CadreStatus(StrEnum):
    """Employment status of a cadre."""

    active = "active"
    retired = "retired"
    transferred = "transferred"
    dismissed = "dismissed"


class Rank(StrEnum):
    """Rank ladder (职级), lowest first."""

    clerk_2 = "clerk_2"
    clerk_1 = "clerk_1"
    principal_clerk_4 = "principal_clerk_4"
    principal_clerk_3 = "principal_clerk_3"
    principal_clerk_2 = "principal_clerk_2"
    principal_clerk_1 = "principal_clerk_1"
    researcher_4 = "researcher_4"
    researcher_3 = "researcher_3"
    researcher_2 = "researcher_2"
    researcher_1 = "researcher_1"
    inspector_2 = "inspector_2"
    inspector_1 = "inspector_1"


class PostLevel(StrEnum):
    """Level of a leadership post (职务层次), lowest first."""

    section_deputy = "section_deputy"
    section_main = "section_main"
    division_deputy = "division_deputy"
    division_main = "division_main"
    bureau_deputy = "bureau_deputy"
    bureau_main = "bureau_main"


class EducationLevel(StrEnum):
    """Education levels, lowest first."""

    high_school = "high_school"
    secondary_vocational = "secondary_vocational"
    college = "college"
    bachelor = "bachelor"
    master = "master"
    doctorate = "doctorate"


class AppraisalGrade(StrEnum):
    """Annual appraisal grades (年度考核)."""

    excellent = "excellent"
    competent = "competent"
    basically_competent = "basically_competent"
    incompetent = "incompetent"


class Domain(StrEnum):
    """Work domains of achievement evidence."""

    urban_renewal = "urban_renewal"
    investment_attraction = "investment_attraction"
    livelihood = "livelihood"
    party_building = "party_building"
    risk_prevention = "risk_prevention"
    other = "other"


class RecordKind(StrEnum):
    """Kinds of field record."""

    interview = "interview"
    site_visit = "site_visit"
    window_service = "window_service"
    arena_contest = "arena_contest"
    secondment_log = "secondment_log"
    document_review = "document_review"


class RecordState(StrEnum):
    """Lifecycle of a field record."""

    draft = "draft"
    submitted = "submitted"


class Judgement(StrEnum):
    """Whether evidence speaks for or against the cadre."""

    positive = "positive"
    negative = "negative"


class Verification(StrEnum):
    """Verification state of evidence."""

    claimed = "claimed"
    verified = "verified"
    disputed = "disputed"


LABELS: dict[str, str] = {
    "admin": "系统管理员", "officer": "干部工作人员", "researcher": "调研组成员",
    "auditor": "审计员", "leader": "领导",
    "city": "市", "district": "区", "department": "部门", "town": "镇", "street": "街道",
    "community": "社区", "task_force": "专班", "enterprise": "企业",
    "city_managed": "市管干部", "district_managed": "区管干部",
    "male": "男", "female": "女",
    "active": "在职", "retired": "退休", "transferred": "调出", "dismissed": "免职",
    "clerk_2": "二级科员", "clerk_1": "一级科员",
    "principal_clerk_4": "四级主任科员", "principal_clerk_3": "三级主任科员",
    "principal_clerk_2": "二级主任科员", "principal_clerk_1": "一级主任科员",
    "researcher_4": "四级调研员", "researcher_3": "三级调研员",
    "researcher_2": "二级调研员", "researcher_1": "一级调研员",
    "inspector_2": "二级巡视员", "inspector_1": "一级巡视员",
    "section_deputy": "副科", "section_main": "正科", "division_deputy": "副处",
    "division_main": "正处", "bureau_deputy": "副厅", "bureau_main": "正厅",
    "high_school": "高中", "secondary_vocational": "中专", "college": "大专",
    "bachelor": "大学本科", "master": "硕士研究生", "doctorate": "博士研究生",
    "excellent": "优秀", "competent": "称职", "basically_competent": "基本称职",
    "incompetent": "不称职",
    "urban_renewal": "城市更新", "investment_attraction": "招商引资", "livelihood": "改善民生",
    "party_building": "党的建设", "risk_prevention": "风险防范", "other": "其他",
    "interview": "个别谈话", "site_visit": "实地察看", "window_service": "窗口服务",
    "arena_contest": "擂台比武", "secondment_log": "下沉纪实", "document_review": "查阅资料",
    "draft": "草稿", "submitted": "已提交",
    "positive": "正面", "negative": "负面（短板）",
    "claimed": "待核实", "verified": "已核实", "disputed": "有异议",
    "reward": "奖励", "penalty": "惩处",
    # position categories, contest levels, service kinds, star rules, states of periods,
    # promotion records and campaigns
    "urban_construction": "城市建设", "economy": "经济发展", "social": "社会事业",
    "party_affairs": "党务", "emergency": "应急管理", "general": "综合",
    "district_head": "区县主要负责人", "department_head": "部门主要负责人",
    "community_secretary": "社区党组织书记",
    "mobile_service": "流动服务车", "indicator_top_n": "单项前N名", "indicator_at_least": "单项达到分数线",
    "total_top_n": "总分前N名", "total_at_least": "总分达到分数线",
    "published": "已发布", "locked": "已锁定",
    "in_progress": "进行中", "appointed": "已任职", "on_probation": "试用期", "confirmed": "试用期满转正",
    "removed": "试用期满免职", "cancelled": "已终止",
    "planned": "筹备中", "open": "进行中", "closed": "已结束",
}


def label(code: str | None) -> str:
    """Chinese label of a code (the code itself when unknown)."""
    if code is None:
        return ""
    return LABELS.get(code, code)


class Page(BaseModel):
    """Pagination envelope fields."""

    total: int
    limit: int
    offset: int


class DateRange(BaseModel):
    """An inclusive date range."""

    start: date
    end: date | None = None


# Ids are bigint and versions int in the database: bounded here, so an oversized number is a
# field error (422) rather than a driver overflow.
DbId = Annotated[int, Field(gt=0, le=2**63 - 1)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]
IdList = Annotated[list[DbId], Field(max_length=200)]


def _not_after_today(value: date) -> date:
    today = clock.today()
    if value > today:
        raise ValueError(f"日期不能晚于今天（{today.isoformat()}，北京时间）")
    return value


def _before_today(value: date) -> date:
    today = clock.today()
    if value >= today:
        raise ValueError(f"日期必须早于今天（{today.isoformat()}，北京时间）")
    return value


# Dates of events that already happened: "today" is China's date, from the one business clock.
NotFutureDate = Annotated[date, AfterValidator(_not_after_today)]
PastDate = Annotated[date, AfterValidator(_before_today)]
