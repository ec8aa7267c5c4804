"""年度考核结果 free text ↔ appraisal grades per year.

Typical texts: "2021、2022年度考核均为称职，2023年度考核为优秀", "2020-2022年度考核称职；2023年度
优秀", "2019年度合格". A grade word applies to every year named since the previous grade word;
years followed by 不定等次 / 未参加 / 未确定 get no grade. 事业单位 grades (合格 …) map to the
civil-service grades of the same rank.
"""

import re
from dataclasses import dataclass, field

GRADES = {"优秀": "excellent", "基本称职": "basically_competent", "不称职": "incompetent",
          "称职": "competent", "基本合格": "basically_competent", "不合格": "incompetent",
          "合格": "competent"}
GRADE_WORDS = {"excellent": "优秀", "competent": "称职", "basically_competent": "基本称职",
               "incompetent": "不称职"}
_TOKEN = re.compile(
    r"(?P<range>(?P<a>(?:19|20)\d{2})\s*年?\s*(?:[-—－~～至到]+)\s*(?P<b>(?:19|20)\d{2}))"
    r"|(?P<year>(?:19|20)\d{2})"
    r"|(?P<none>不定等次|未参加|未参评|未确定等次|不参加)"
    r"|(?P<grade>优秀|基本称职|不称职|称职|基本合格|不合格|合格)"
)


@dataclass
class ParsedAppraisals:
    """Grades by year, and whether every year named got one."""

    grades: dict[int, str] = field(default_factory=dict)
    ungraded_years: list[int] = field(default_factory=list)


def parse(text: str) -> ParsedAppraisals:
    """Grades by year found in the text (later mentions of a year win)."""
    out = ParsedAppraisals()
    pending: list[int] = []
    for m in _TOKEN.finditer(text):
        if m.group("range"):
            a, b = int(m.group("a")), int(m.group("b"))
            if a <= b <= a + 30:
                pending.extend(range(a, b + 1))
        elif m.group("year"):
            pending.append(int(m.group("year")))
        elif m.group("none"):
            out.ungraded_years.extend(pending)
            pending = []
        else:
            for year in pending:
                out.grades[year] = GRADES[m.group("grade")]
            pending = []
    out.ungraded_years.extend(y for y in pending if y not in out.grades)
    return out


def format_grades(grades: dict[int, str]) -> str:
    """"2022、2023年度考核均为称职，2024年度考核为优秀": consecutive years with one grade grouped."""
    groups: list[tuple[list[int], str]] = []
    for year in sorted(grades):
        grade = grades[year]
        if groups and groups[-1][1] == grade:
            groups[-1][0].append(year)
        else:
            groups.append(([year], grade))
    parts = []
    for years, grade in groups:
        word = GRADE_WORDS.get(grade, grade)
        if len(years) == 1:
            parts.append(f"{years[0]}年度考核为{word}")
        else:
            parts.append("、".join(str(y) for y in years) + f"年度考核均为{word}")
    return "，".join(parts)
