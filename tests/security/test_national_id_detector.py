"""The one ID-number detector (schemas/national_id.py): every form a person may type, and no more."""

import pytest

from schemas.national_id import (
    check_char,
    contains_national_id,
    find_national_ids,
    mask_deep,
    mask_national_ids_in,
)


def _id(first17: str) -> str:
    return first17 + check_char(first17)


ENDS_IN_X = next(_id(f"35020319900101{n:03d}") for n in range(1000)
                 if _id(f"35020319900101{n:03d}").endswith("X"))
PLAIN = _id("11010519491231002")
FULL_WIDTH = PLAIN.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
LEGACY = "110105491231002"


@pytest.mark.parametrize("text", [
    PLAIN,
    f"身份证号{PLAIN}，住址",
    ENDS_IN_X,
    ENDS_IN_X.lower(),
    f"证件号码：{ENDS_IN_X}abc（尾号字母后紧跟字母）",
    FULL_WIDTH,
    f"号码{FULL_WIDTH.lower()}。",
    f"{PLAIN[:6]} {PLAIN[6:14]} {PLAIN[14:]}",
    f"{PLAIN[:6]}-{PLAIN[6:14]}-{PLAIN[14:]}",
    f"{PLAIN[:3]} {PLAIN[3:6]} {PLAIN[6:10]} {PLAIN[10:14]} {PLAIN[14:]}",
    " ".join(PLAIN),
    "-".join(PLAIN),
    f"{PLAIN[:6]}\t{PLAIN[6:]}",
    f"{PLAIN[:6]}\n{PLAIN[6:]}",
    f"{PLAIN[:6]}\u3000{PLAIN[6:]}",
    f"{PLAIN[:6]}－{PLAIN[6:]}",
    f"{PLAIN[:6]} - {PLAIN[6:]}",
    f"电话 1 {PLAIN}",
    LEGACY,
    f"旧证{LEGACY}号",
    f"{LEGACY[:6]} {LEGACY[6:12]} {LEGACY[12:]}",
    # A mistyped check digit still leaves a whole person's number: masked too (the date is real).
    PLAIN[:17] + ("0" if PLAIN[17] != "0" else "1"),
    # Invisible characters inside (pasted from a word processor or a web page): the number reads
    # as a whole on a page, in a PDF and in a search snippet.
    f"{PLAIN[:6]}\u200b{PLAIN[6:]}",
    f"{PLAIN[:6]}\u200c{PLAIN[6:14]}\u200d{PLAIN[14:]}",
    f"{PLAIN[:6]}\u2060{PLAIN[6:]}",
    f"{PLAIN[:6]}\u00ad{PLAIN[6:]}",
    f"{PLAIN[:6]}\ufeff{PLAIN[6:]}",
    "\u200b".join(PLAIN),
    f"{FULL_WIDTH[:6]}\u200b{FULL_WIDTH[6:]}",
    # Dots, slashes and underscores between the groups.
    f"{PLAIN[:6]}.{PLAIN[6:14]}.{PLAIN[14:]}",
    f"{PLAIN[:6]}/{PLAIN[6:14]}/{PLAIN[14:]}",
    f"{PLAIN[:6]}_{PLAIN[6:]}",
    f"{PLAIN[:6]}．{PLAIN[6:14]}·{PLAIN[14:]}",
    # A run of spaces reads as one space on a page.
    f"{PLAIN[:6]}      {PLAIN[6:14]}\n\n  {PLAIN[14:]}",
])
def test_every_typed_form_of_an_id_number_is_found_and_masked(text: str) -> None:
    assert contains_national_id(text), text
    masked = mask_national_ids_in(text)
    assert not contains_national_id(masked), masked
    assert "*" in masked
    # What stays readable is the start (region) and the end, never the birth date.
    digits = "".join(c for c in masked if c.isdigit())
    assert "1949123" not in digits and "491231" not in digits[6:]


@pytest.mark.parametrize("text", [
    "完成老旧小区改造12个，投资3.5亿元",
    "联系电话13800138000",
    "2024-01-01至2024-12-31",
    "合同编号 20240101 20240102",
    "银行卡号 6222021234567890123",  # 19 digits: not an ID number
    "1234567890123456789012",  # a 22-digit run
    "11010599991399002X",  # no real date and a wrong check character
    "123456789012345",  # 15 digits without a real date
    # Placement dates and counts in a search document's token field: 18 digits with a right check
    # character by chance, but spaced, with no province code and no real birth date.
    "2024 01 01 2024 03 31 2024 10 01 2024 10 31 1 0 9 1",
    "12 2024 01 01 2024 03 31 2024 10 01 2024 10 31 1 0 9 1",
    # Dotted dates and amounts: no province code, no real birth date where one would stand.
    "2024.01.01-2024.03.31/2024.10.01",
    "权重 1.5/2.5/3.5/4.5/5.5/6.5/7.5/8.5/9.5",
    "地址 192.168.100.200 端口 8080_8081",
    "\u200b".join("2024010120240331"),
    "",
])
def test_other_numbers_are_left_alone(text: str) -> None:
    assert not contains_national_id(text)
    assert mask_national_ids_in(text) == text


def test_masked_form_keeps_region_and_last_characters() -> None:
    assert mask_national_ids_in(f"号{PLAIN}号") == f"号{PLAIN[:6]}********{PLAIN[-4:]}号"
    assert mask_national_ids_in(FULL_WIDTH) == f"{PLAIN[:6]}********{PLAIN[-4:]}"
    assert mask_national_ids_in(LEGACY) == "110105******002"


def test_two_numbers_in_one_text_are_both_found() -> None:
    text = f"甲{PLAIN}乙{ENDS_IN_X}丙"
    assert [c for _, _, c in find_national_ids(text)] == [PLAIN, ENDS_IN_X]
    assert not contains_national_id(mask_national_ids_in(text))


def test_deep_masking_reaches_every_string_of_a_json_value() -> None:
    value = {"q": PLAIN, "list": [1, f"x{LEGACY}", {"note": ENDS_IN_X}], PLAIN: True, "n": 5}
    masked = mask_deep(value)
    assert not contains_national_id(repr(masked))
    assert masked["n"] == 5 and masked["list"][0] == 1
