"""Words the approval form uses for enumerated values, both ways."""

from schemas import labels

GENDER_WORDS = labels.GENDER
GENDER_CODES = {"男": "male", "女": "female", "1": "male", "2": "female", "男性": "male", "女性": "female"}

# 学历 as the form writes it (ZB64 names) -> education level code.
EDUCATION_CODES = {
    "博士研究生": "doctorate", "博士": "doctorate",
    "硕士研究生": "master", "硕士": "master", "研究生": "master",
    "大学": "bachelor", "大学本科": "bachelor", "本科": "bachelor",
    "大专": "college", "大学专科": "college", "专科": "college",
    "中专": "secondary_vocational", "中等专科": "secondary_vocational", "中技": "secondary_vocational",
    "职高": "secondary_vocational", "高中": "high_school",
}
EDUCATION_WORDS = {"doctorate": "研究生", "master": "研究生", "bachelor": "大学", "college": "大专",
                   "secondary_vocational": "中专", "high_school": "高中"}


def education_code(word: str, degree: str = "") -> str | None:
    """The education level of a 学历 word ("研究生" with a 博士 degree is a doctorate)."""
    code = EDUCATION_CODES.get(word.strip())
    if code == "master" and word.strip() == "研究生" and "博士" in degree:
        return "doctorate"
    return code


def education_word(code: str | None, kept: str = "") -> str:
    """The word to print for a level: the form's own word while it still means that level."""
    if code is None:
        return ""
    if kept and education_code(kept) in (code, "master" if code == "doctorate" else code):
        return kept
    return EDUCATION_WORDS.get(code, "")
