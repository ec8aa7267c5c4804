"""An approval form's data ↔ an LRMX document, with every problem met on the way in."""

import io
import re
from dataclasses import dataclass, field
from datetime import date

from PIL import Image

from schemas.cadres import national_id_birth_date, national_id_gender, validate_national_id
from service.forms.model import CadreForm, FamilyRow, ResumeRow, ResumeSub
from service.forms.words import GENDER_CODES, GENDER_WORDS, education_code, education_word
from service.lrmx import appraisals, jianli
from service.lrmx.dates import Precision, parse_form_date, yyyymm, yyyymmdd
from service.lrmx.document import Extra, FamilyItem, LrmxDocument
from service.lrmx.writer import DEFAULT_VERSION
from service.quality.retirement import base_age_label, retirement_for

_PARTY_DATE = re.compile(r"(\d{4})\s*[.．\-－/年]?\s*(\d{1,2})?")
_BASE_AGE = re.compile(r"(50|55|60|63|65|66)\s*岁")


@dataclass
class Issue:
    """A problem with one element of a file: errors stop the import, warnings do not."""

    tag: str
    message: str
    error: bool = False


@dataclass
class Mapped:
    """The form read from a file, and its issues."""

    form: CadreForm
    issues: list[Issue] = field(default_factory=list)

    def warn(self, tag: str, message: str) -> None:
        """Note a warning."""
        self.issues.append(Issue(tag, message))

    def fail(self, tag: str, message: str) -> None:
        """Note an error."""
        self.issues.append(Issue(tag, message, error=True))


def _jpeg(photo: bytes | None) -> bytes | None:
    if photo is None or photo.startswith(b"\xff\xd8\xff"):
        return photo
    with Image.open(io.BytesIO(photo)) as img:
        out = io.BytesIO()
        img.convert("RGB").save(out, format="JPEG", quality=90)
        return out.getvalue()


def party_field(form: CadreForm) -> str:
    """RuDangShiJian: the form's own words when they still hold the date, else yyyyMM."""
    if form.party_text:
        kept = party_date(form.party_text)
        if kept == form.party_join_date:
            return form.party_text
    return yyyymm(form.party_join_date)


def party_date(text: str) -> date | None:
    """The Party-entry month inside a RuDangShiJian value such as `200108；民建` or `民建2001.08`."""
    match = _PARTY_DATE.search(text)
    if match is None or match.group(2) is None or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def to_lrmx(form: CadreForm, *, reference: date, filled_on: date, filled_by: str) -> LrmxDocument:
    """The LRMX document of a form; ages are computed against `reference`."""
    retire = (retirement_for(form.birth_date, form.gender or "male", form.retirement_base_age)
              if form.birth_date else None)
    fields = {
        "XingMing": form.name, "XingBie": GENDER_WORDS.get(form.gender or "", ""),
        "ChuShengNianYue": yyyymm(form.birth_date), "MinZu": form.ethnicity, "JiGuan": form.native_place,
        "ChuShengDi": form.birthplace, "RuDangShiJian": party_field(form),
        "CanJiaGongZuoShiJian": yyyymm(form.work_start_date), "JianKangZhuangKuang": form.health,
        "ZhuanYeJiShuZhiWu": form.professional_title, "ShuXiZhuanYeYouHeZhuanChang": form.expertise,
        "QuanRiZhiJiaoYu_XueLi": education_word(form.ft_level, form.ft_level_text),
        "QuanRiZhiJiaoYu_XueWei": form.ft_degree,
        "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": form.ft_school,
        "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": form.ft_degree_school,
        "ZaiZhiJiaoYu_XueLi": education_word(form.is_level, form.is_level_text),
        "ZaiZhiJiaoYu_XueWei": form.is_degree, "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": form.is_school,
        "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": form.is_degree_school,
        "XianRenZhiWu": form.current_post_text, "NiRenZhiWu": form.proposed_post,
        "NiMianZhiWu": form.removed_post, "JianLi": format_resume(form.resume),
        "JiangChengQingKuang": form.rewards_text, "NianDuKaoHeJieGuo": form.appraisals_text,
        "RenMianLiYou": form.reason, "ChengBaoDanWei": form.reporting_unit,
        "JiSuanNianLingShiJian": yyyymmdd(reference), "TianBiaoShiJian": yyyymm(filled_on),
        "TianBiaoRen": form.filled_by or filled_by, "ShenFenZheng": form.national_id,
        "Version": form.lrmx_version or DEFAULT_VERSION,
        "DaoLingNianYue": yyyymm(retire.reached) if retire else "",
        "GaiGeQianRenZhiNianLingJieXian": (base_age_label(form.retirement_base_age, form.gender or "male")
                                           if form.birth_date else ""),
    }
    family = [FamilyItem(m.relation, m.name, yyyymm(m.birth), m.political_status, m.work)
              for m in form.family]
    extras = [Extra(str(e.get("after", "Version")), str(e.get("xml", ""))) for e in form.extras]
    return LrmxDocument(fields=fields, family=family, photo=_jpeg(form.photo), extras=extras)


def format_resume(rows: list[ResumeRow]) -> str:
    """JianLi text of resume rows."""
    return jianli.format_entries([
        jianli.Entry(r.start, r.end, r.text, [jianli.SubEntry(s.start, s.end, s.text) for s in r.subs])
        for r in rows])


def _date(m: Mapped, doc: LrmxDocument, tag: str, label: str) -> date | None:
    text = doc.get(tag)
    if not text:
        return None
    parsed = parse_form_date(text)
    if parsed is None:
        m.fail(tag, f"{label}“{text}”不是有效的日期（应为 yyyyMM，如 198005）")
        return None
    return parsed.value


def _identity(m: Mapped, doc: LrmxDocument) -> None:
    form = m.form
    raw_id = doc.get("ShenFenZheng")
    birth_text = doc.get("ChuShengNianYue")
    birth = parse_form_date(birth_text) if birth_text else None
    if birth_text and birth is None:
        m.fail("ChuShengNianYue", f"出生年月“{birth_text}”不是有效的日期（应为 yyyyMM，如 198005）")
    if not raw_id:
        m.warn("ShenFenZheng", "文件没有身份证号，无法与已登记的干部比对，将作为新干部导入")
    else:
        try:
            form.national_id = validate_national_id(raw_id)
        except ValueError as exc:
            m.fail("ShenFenZheng", f"身份证号“{raw_id}”无效：{exc}")
    encoded = national_id_birth_date(form.national_id) if form.national_id else None
    if birth is not None:
        form.birth_date = birth.value
        if encoded is not None:
            same_month = (encoded.year, encoded.month) == (birth.value.year, birth.value.month)
            if not same_month or (birth.precision is Precision.day and encoded != birth.value):
                m.fail("ShenFenZheng",
                       f"身份证号中的出生日期 {encoded:%Y.%m.%d} 与出生年月 {birth_text} 不一致")
            elif birth.precision is not Precision.day:
                form.birth_date = encoded  # the day the ID number gives
    elif encoded is not None:
        form.birth_date = encoded
        m.warn("ChuShengNianYue", "出生年月为空，已按身份证号取出生日期")
    if form.birth_date is None:
        m.fail("ChuShengNianYue", "缺少出生年月")
    gender_text = doc.get("XingBie")
    form.gender = GENDER_CODES.get(gender_text)
    if gender_text and form.gender is None:
        m.fail("XingBie", f"性别“{gender_text}”无法识别（应为 男 或 女）")
    if form.national_id:
        encoded_gender = national_id_gender(form.national_id)
        if form.gender is None and not gender_text:
            form.gender = encoded_gender
            m.warn("XingBie", "性别为空，已按身份证号确定")
        elif form.gender is not None and form.gender != encoded_gender:
            m.fail("ShenFenZheng",
                   f"身份证号编码的性别为{GENDER_WORDS[encoded_gender]}，与性别“{gender_text}”不一致")
    if form.gender is None and not any(i.tag == "XingBie" for i in m.issues):
        m.fail("XingBie", "缺少性别")


def _education(m: Mapped, doc: LrmxDocument, prefix: str,
               label: str) -> tuple[str | None, str, str, str, str]:
    word = doc.get(f"{prefix}_XueLi")
    degree = doc.get(f"{prefix}_XueWei")
    code = education_code(word, degree) if word else None
    if word and code is None:
        m.warn(f"{prefix}_XueLi", f"{label}学历“{word}”无法对应到学历等级，已按原文保留")
    return (code, word, degree, doc.get(f"{prefix}_XueLi_BiYeYuanXiaoXi"),
            doc.get(f"{prefix}_XueWei_BiYeYuanXiaoXi"))


def _resume(m: Mapped, doc: LrmxDocument) -> None:
    parsed = jianli.parse(doc.get("JianLi"))
    for line in parsed.unplaced:
        m.warn("JianLi", f"简历中无法识别起止时间的一行未导入：“{line[:40]}”")
    for e in parsed.entries:
        if e.end is not None and e.end < e.start:
            m.fail("JianLi", f"简历“{e.text[:20]}”的结束时间早于开始时间")
    m.form.resume = [ResumeRow(e.start, e.end, e.text, [ResumeSub(s.start, s.end, s.text) for s in e.subs])
                     for e in parsed.entries]


def _family(m: Mapped, doc: LrmxDocument) -> None:
    for n, item in enumerate(doc.family, start=1):
        if not item.name or not item.relation:
            m.warn("JiaTingChengYuan", f"第 {n} 位家庭成员缺少称谓或姓名，未导入")
            continue
        birth = parse_form_date(item.birth) if item.birth else None
        if item.birth and birth is None:
            m.warn("JiaTingChengYuan", f"家庭成员{item.name}的出生日期“{item.birth}”无法识别，已留空")
        m.form.family.append(FamilyRow(item.relation[:20], item.name[:50], birth.value if birth else None,
                                       item.political_status[:50], item.work[:200]))


def from_lrmx(doc: LrmxDocument) -> Mapped:
    """The form a file describes, with errors (which stop its import) and warnings."""
    m = Mapped(CadreForm())
    form = m.form
    form.name = doc.get("XingMing")
    if not form.name:
        m.fail("XingMing", "缺少姓名")
    elif len(form.name) > 50:
        m.fail("XingMing", "姓名不能超过 50 个字")
    _identity(m, doc)
    form.ethnicity, form.native_place, form.birthplace = (doc.get("MinZu"), doc.get("JiGuan"),
                                                          doc.get("ChuShengDi"))
    party = doc.get("RuDangShiJian")
    if party:
        form.party_join_date = party_date(party)
        if parse_form_date(party) is None:
            form.party_text = party  # a party name, or a date with one (民建, 200108；民建)
    form.work_start_date = _date(m, doc, "CanJiaGongZuoShiJian", "参加工作时间")
    form.health, form.professional_title = doc.get("JianKangZhuangKuang"), doc.get("ZhuanYeJiShuZhiWu")
    form.expertise = doc.get("ShuXiZhuanYeYouHeZhuanChang")
    (form.ft_level, form.ft_level_text, form.ft_degree, form.ft_school,
     form.ft_degree_school) = _education(m, doc, "QuanRiZhiJiaoYu", "全日制")
    (form.is_level, form.is_level_text, form.is_degree, form.is_school,
     form.is_degree_school) = _education(m, doc, "ZaiZhiJiaoYu", "在职")
    form.current_post_text = doc.get("XianRenZhiWu")
    form.proposed_post, form.removed_post = doc.get("NiRenZhiWu"), doc.get("NiMianZhiWu")
    _resume(m, doc)
    form.rewards_text = doc.get("JiangChengQingKuang")
    form.appraisals_text = doc.get("NianDuKaoHeJieGuo")
    grades = appraisals.parse(form.appraisals_text)
    form.appraisals = grades.grades
    if grades.ungraded_years:
        m.warn("NianDuKaoHeJieGuo", "以下年度未能识别考核等次："
               + "、".join(str(y) for y in sorted(set(grades.ungraded_years))))
    form.reason, form.reporting_unit = doc.get("RenMianLiYou"), doc.get("ChengBaoDanWei")
    form.filled_by = doc.get("TianBiaoRen")
    _family(m, doc)
    form.photo = doc.photo
    form.lrmx_version = doc.get("Version")
    base = _BASE_AGE.search(doc.get("GaiGeQianRenZhiNianLingJieXian"))
    form.retirement_base_age = int(base.group(1)) if base else None
    if form.retirement_base_age == (60 if form.gender == "male" else 55):
        form.retirement_base_age = None  # the default for the gender: nothing to keep
    form.extras = [{"after": e.after, "xml": e.xml} for e in doc.extras]
    _check_retirement(m, doc)
    return m


def _check_retirement(m: Mapped, doc: LrmxDocument) -> None:
    written = doc.get("DaoLingNianYue")
    form = m.form
    if not written or form.birth_date is None or form.gender is None:
        return
    computed = retirement_for(form.birth_date, form.gender, form.retirement_base_age).reached
    parsed = parse_form_date(written)
    if parsed is None or (parsed.value.year, parsed.value.month) != (computed.year, computed.month):
        m.warn("DaoLingNianYue", f"文件中的到龄年月 {written} 与按 2025 年渐进式延迟退休规定计算的 "
               f"{yyyymm(computed)} 不一致，以计算结果为准")
