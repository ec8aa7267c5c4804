"""Cadres and the fields of the appointment approval form (任免审批表)."""

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from schemas.common import (
    AppraisalGrade,
    CadreStatus,
    DbId,
    EducationLevel,
    Gender,
    Name,
    OptText,
    PastDate,
    PostLevel,
    Rank,
    ShortText,
    Strict,
    Tier,
    Version,
)
from schemas.national_id import check_char
from schemas.posts import unit_post

# One home for ID-number arithmetic and masking (schemas/national_id.py); re-exported here.
national_id_check_char = check_char


def validate_national_id(value: str) -> str:
    """Validate format, birth date and check digit; return the normalized number."""
    v = value.strip().upper()
    if len(v) != 18 or not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        raise ValueError("身份证号应为18位，前17位为数字，末位为数字或X")
    try:
        date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError as exc:
        raise ValueError("身份证号中的出生日期无效") from exc
    if national_id_check_char(v[:17]) != v[17]:
        raise ValueError("身份证号校验位错误")
    return v


def national_id_birth_date(value: str) -> date:
    """The birth date encoded in a valid 18-character national ID number."""
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def national_id_gender(value: str) -> str:
    """`male` or `female`, from the parity of the 17th character (GB 11643)."""
    return "male" if int(value[16]) % 2 == 1 else "female"


def national_id_mismatches(value: str, birth_date: date | None, gender: str | None) -> list[str]:
    """Why a valid ID number disagrees with the stated birth date and gender (empty if it agrees)."""
    problems = []
    encoded = national_id_birth_date(value)
    if birth_date is not None and encoded != birth_date:
        problems.append(f"身份证号中的出生日期为 {encoded:%Y-%m-%d}，与出生日期 "
                        f"{birth_date:%Y-%m-%d} 不一致")
    if gender is not None and national_id_gender(value) != gender:
        stated = {"male": "男", "female": "女"}.get(gender, gender)
        problems.append(f"身份证号编码的性别为{'男' if national_id_gender(value) == 'male' else '女'}，"
                        f"与性别“{stated}”不一致")
    return problems


def field_error(model: str, field: str, message: str, value: object) -> ValidationError:
    """A validation error placed under one field (raised from a model validator)."""
    return ValidationError.from_exception_data(model, [InitErrorDetails(
        type=PydanticCustomError("value_error", message), loc=(field,), input=value)])


NationalId = Annotated[str, AfterValidator(validate_national_id)]
Year = Annotated[int, Field(ge=1950, le=2100)]


class CareerEntryIn(Strict):
    """One line of the resume (简历)."""

    start_date: date
    end_date: date | None = None
    unit_id: DbId | None = None
    unit_name: ShortText
    post: ShortText
    post_level: PostLevel | None = None
    is_grassroots: bool = False
    # Role in the unit's leadership team (一把手 = head); None: derived (service/leadership/rules.py).
    team_role: Literal["head", "member", "none"] | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> "CareerEntryIn":
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("结束日期不能早于开始日期")
        return self


class CareerEntryOut(CareerEntryIn):
    """A resume line as stored."""

    model_config = ConfigDict(extra="ignore")
    id: int
    # Lines read from an approval form keep their printed text; unit and post are then a best
    # effort split of it (either may be empty).
    unit_name: str
    post: str
    form_text: str | None = None
    parent_id: int | None = None
    note: str | None = None
    version: int = 1


class AppraisalIn(Strict):
    """An annual appraisal grade."""

    year: Year
    grade: AppraisalGrade


class RewardPenaltyIn(Strict):
    """A commendation or disciplinary record."""

    kind: Annotated[str, StringConstraints(pattern="^(reward|penalty)$")]
    title: ShortText
    issuer: OptText = None
    decided_on: date
    effective_until: date | None = None
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None

    @field_validator("effective_until")
    @classmethod
    def _not_before_decision(cls, value: date | None, info: ValidationInfo) -> date | None:
        decided = info.data.get("decided_on")
        if value is not None and isinstance(decided, date) and value < decided:
            raise ValueError(f"有效期至不能早于决定日期（{decided.isoformat()}）")
        return value


class RewardPenaltyOut(RewardPenaltyIn):
    """A reward or penalty as stored."""

    model_config = ConfigDict(extra="ignore")
    id: int
    # A penalty shown to a role that may not read it: title "（受限）", issuer and note withheld.
    restricted: bool = False


RESTRICTED_TITLE = "（受限）"


class CadreFields(Strict):
    """Profile fields shared by create and update."""

    name: Name
    gender: Gender
    birth_date: PastDate
    ethnicity: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)] = "汉族"
    native_place: OptText = None
    birthplace: OptText = None
    party_join_date: date | None = None
    work_start_date: date | None = None
    health: OptText = None
    professional_title: OptText = None
    edu_fulltime_level: EducationLevel | None = None
    edu_fulltime_school: OptText = None
    edu_fulltime_major: OptText = None
    edu_inservice_level: EducationLevel | None = None
    edu_inservice_school: OptText = None
    edu_inservice_major: OptText = None
    unit_id: DbId
    post: ShortText
    post_level: PostLevel | None = None
    post_level_since: date | None = None
    rank: Rank | None = None
    rank_since: date | None = None
    tier: Tier
    status: CadreStatus = CadreStatus.active
    is_unit_head: bool = False
    photo_attachment_id: DbId | None = None
    national_id: NationalId | None = None

    @model_validator(mode="after")
    def _plausible_dates(self) -> "CadreFields":
        for field in ("party_join_date", "work_start_date"):
            value = getattr(self, field)
            if value is not None and value < self.birth_date:
                raise ValueError(f"{field} 不能早于出生日期")
        if self.national_id is not None:
            problems = national_id_mismatches(self.national_id, self.birth_date, self.gender.value)
            if problems:
                raise field_error(type(self).__name__, "national_id", "；".join(problems),
                                  self.national_id)
        return self


class CadreCreate(CadreFields):
    """A new cadre with optional resume, appraisals and rewards/penalties."""

    career: Annotated[list[CareerEntryIn], Field(max_length=100)] = []
    appraisals: Annotated[list[AppraisalIn], Field(max_length=100)] = []
    rewards_penalties: Annotated[list[RewardPenaltyIn], Field(max_length=200)] = []


class CadreUpdate(CadreFields):
    """A full replacement of the profile fields, based on a version."""

    version: Version | None = None


class CadreOut(BaseModel):
    """A cadre's profile as the caller may see it."""

    id: int
    name: str
    gender: Gender
    birth_date: date
    ethnicity: str
    native_place: str | None
    birthplace: str | None
    party_join_date: date | None
    work_start_date: date | None
    health: str | None
    professional_title: str | None
    edu_fulltime_level: EducationLevel | None
    edu_fulltime_school: str | None
    edu_fulltime_major: str | None
    edu_inservice_level: EducationLevel | None
    edu_inservice_school: str | None
    edu_inservice_major: str | None
    unit_id: int
    unit_name: str
    post: str
    post_level: PostLevel | None
    post_level_since: date | None
    rank: Rank | None
    rank_since: date | None
    tier: Tier
    status: CadreStatus
    is_unit_head: bool
    photo_attachment_id: int | None
    national_id: str | None
    national_id_masked: bool
    version: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unit_post(self) -> str:
        """Unit and post as shown to people (schemas/posts.py: no doubled unit name)."""
        return unit_post(self.unit_name, self.post)


class CadreDetail(CadreOut):
    """A cadre with resume, appraisals and rewards/penalties."""

    career: list[CareerEntryOut]
    appraisals: list[AppraisalIn]
    rewards_penalties: list[RewardPenaltyOut]


class CadreSummary(BaseModel):
    """A cadre in a list."""

    id: int
    name: str
    unit_id: int
    unit_name: str
    post: str
    rank: Rank | None
    post_level: PostLevel | None
    tier: Tier
    status: CadreStatus

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unit_post(self) -> str:
        """Unit and post as shown to people (schemas/posts.py: no doubled unit name)."""
        return unit_post(self.unit_name, self.post)


class CadreFilter(BaseModel):
    """The filters of a cadre listing (None: any; unit_id takes the whole subtree, name a prefix)."""

    unit_id: int | None = None
    name: str | None = None
    tier: Tier | None = None
    status: CadreStatus | None = None


class CadrePage(BaseModel):
    """A page of cadres."""

    items: list[CadreSummary]
    total: int
    limit: int
    offset: int
