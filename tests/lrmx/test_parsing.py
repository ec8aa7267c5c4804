"""Reading LRMX files the way they arrive from the field, and refusing unsafe ones."""

import zipfile
from datetime import date
from io import BytesIO

import pytest

from service.lrmx import appraisals, jianli
from service.lrmx.archive import ArchiveError, build_zip, members
from service.lrmx.dates import Precision, parse_form_date
from service.lrmx.reader import LrmxError, read
from service.lrmx.writer import write
from tests.lrmx.samples import jpeg, lrmx, png_with_alpha


@pytest.mark.parametrize(("text", "value", "precision"), [
    ("198005", date(1980, 5, 1), Precision.month),
    ("19800517", date(1980, 5, 17), Precision.day),
    ("1980.05", date(1980, 5, 1), Precision.month),
    ("1980-05", date(1980, 5, 1), Precision.month),
    ("1980.5", date(1980, 5, 1), Precision.month),
    ("1980.05.17", date(1980, 5, 17), Precision.day),
    ("1980年5月", date(1980, 5, 1), Precision.month),
    (" 1980 ", date(1980, 1, 1), Precision.year),
])
def test_form_dates_are_read_in_every_variant(text: str, value: date, precision: Precision) -> None:
    parsed = parse_form_date(text)
    assert parsed is not None and (parsed.value, parsed.precision) == (value, precision)


@pytest.mark.parametrize("text", ["", "198013", "abc", "19800", "民建"])
def test_non_dates_are_not_dates(text: str) -> None:
    assert parse_form_date(text) is None


def test_jianli_reads_open_rows_sub_entries_and_continuation_lines() -> None:
    parsed = jianli.parse(lrmx_jianli())
    assert [(e.start, e.end) for e in parsed.entries] == [
        (date(1998, 9, 1), date(2002, 7, 1)), (date(2002, 7, 1), date(2008, 3, 1)),
        (date(2008, 3, 1), date(2016, 1, 1)), (date(2016, 1, 1), None)]
    third, fourth = parsed.entries[2], parsed.entries[3]
    assert third.text == "福州市鼓楼区建设局副局长"
    assert [(s.start, s.end) for s in third.subs] == [(date(2009, 9, 1), date(2012, 7, 1))]
    assert third.subs[0].text == "在中共福建省委党校经济管理专业在职研究生学习"
    assert fourth.text.endswith("负责城市更新和老旧小区改造工作")
    assert [(s.start, s.end, s.text) for s in fourth.subs] == [
        (date(2019, 3, 1), date(2020, 3, 1), "挂任某县副县长")]
    assert not parsed.unplaced


@pytest.mark.parametrize("line", [
    "2001.09—2004.07 在某大学学习", "2001.9-2004.7在某大学学习", "2001.09～2004.07  在某大学学习",
    "200109--200407  在某大学学习", "2001.09至2004.07　在某大学学习", "2001.09－－2004.07  在某大学学习",
])
def test_jianli_accepts_every_dash_and_date_style(line: str) -> None:
    [entry] = jianli.parse(line).entries
    assert (entry.start, entry.end, entry.text) == (date(2001, 9, 1), date(2004, 7, 1), "在某大学学习")


def test_jianli_open_end_written_as_zhijin_and_sub_entries_joined_by_semicolons() -> None:
    text = "2016.01--至今  某局局长（其间：2017.03--2017.09在某党校学习；2018.01--2018.12挂职某镇）"
    [entry] = jianli.parse(text).entries
    assert entry.end is None and entry.text == "某局局长"
    assert [s.text for s in entry.subs] == ["在某党校学习", "挂职某镇"]


def test_jianli_written_back_uses_the_standard_columns() -> None:
    parsed = jianli.parse(lrmx_jianli())
    text = jianli.format_entries(parsed.entries)
    lines = text.split("\r\n")
    assert lines[0] == "1998.09--2002.07  福州大学土木工程专业学习"
    assert lines[4].startswith("2016.01--         福州市鼓楼区")
    assert all(len(line) > 18 and line[18] not in " " for line in lines)
    again = jianli.parse(text)
    assert [(e.start, e.end, e.text, [(s.start, s.end, s.text) for s in e.subs]) for e in again.entries] \
        == [(e.start, e.end, e.text, [(s.start, s.end, s.text) for s in e.subs]) for e in parsed.entries]


def lrmx_jianli() -> str:
    return read(lrmx().encode()).doc.get("JianLi")


@pytest.mark.parametrize(("text", "grades"), [
    ("2021、2022年度考核均为称职，2023年度考核为优秀",
     {2021: "competent", 2022: "competent", 2023: "excellent"}),
    ("2020-2022年度考核称职；2023年度优秀", {2020: "competent", 2021: "competent", 2022: "competent",
                                     2023: "excellent"}),
    ("2019年度合格，2020年度基本合格", {2019: "competent", 2020: "basically_competent"}),
    ("2022年度考核基本称职，2023年度不定等次", {2022: "basically_competent"}),
])
def test_annual_appraisal_text_becomes_grades_by_year(text: str, grades: dict[int, str]) -> None:
    assert appraisals.parse(text).grades == grades


def test_appraisal_text_written_back_reads_the_same() -> None:
    grades = {2021: "competent", 2022: "competent", 2023: "excellent"}
    assert appraisals.parse(appraisals.format_grades(grades)).grades == grades


def test_any_order_missing_and_unknown_elements_and_cr_entities_are_tolerated() -> None:
    text = lrmx(name="张　 三", extra="<ZiDingYi>保留我</ZiDingYi>")
    # Move XingBie to the end and drop TianBiaoRen.
    text = text.replace("  <XingBie>男</XingBie>\n", "").replace("<TianBiaoRen>王五</TianBiaoRen>", "")
    text = text.replace("</Person>", "<XingBie>男</XingBie></Person>")
    result = read(text.encode())
    doc = result.doc
    assert doc.get("XingMing") == "张三" and doc.get("XingBie") == "男" and doc.get("TianBiaoRen") == ""
    assert "\r" not in doc.get("JianLi") and doc.get("JianLi").count("\n") == 5
    assert [e.xml for e in doc.extras] == ["<ZiDingYi>保留我</ZiDingYi>"]
    assert doc.extras[0].after == "Version"
    assert [m.name for m in doc.family] == ["李四", "张大"]


def test_bom_and_gbk_declaration_are_decoded() -> None:
    assert read(b"\xef\xbb\xbf" + lrmx().encode()).doc.get("XingMing") == "张三"
    gbk = lrmx(declaration='<?xml version="1.0" encoding="gb2312"?>').encode("gb18030")
    assert read(gbk).doc.get("ChengBaoDanWei") == "中共福州市鼓楼区委"


def test_png_photo_is_reencoded_as_jpeg_and_jpeg_kept_as_is() -> None:
    assert read(lrmx(photo=png_with_alpha()).encode()).doc.photo[:3] == b"\xff\xd8\xff"  # type: ignore[index]
    photo = jpeg()
    assert read(lrmx(photo=photo).encode()).doc.photo == photo


XXE = """<?xml version="1.0"?>
<!DOCTYPE Person [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Person><XingMing>&xxe;</XingMing></Person>"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Person><XingMing>&lol3;</XingMing></Person>"""


@pytest.mark.parametrize("payload", [XXE, LAUGHS, '<!DOCTYPE Person SYSTEM "http://x/y.dtd"><Person/>'])
def test_dtds_entities_and_external_references_are_refused(payload: str) -> None:
    with pytest.raises(LrmxError, match="DTD"):
        read(payload.encode())


@pytest.mark.parametrize(("payload", "message"), [
    (b"<Person><XingMing>x</Person>", "XML 格式错误"), (b"<Root/>", "根元素应为 Person"),
    (b"not xml at all", "XML 格式错误"), (b"<Person>" + b" " * (9 * 1024 * 1024) + b"</Person>", "超过"),
])
def test_malformed_files_are_refused_with_a_reason(payload: bytes, message: str) -> None:
    with pytest.raises(LrmxError, match=message):
        read(payload)


def test_written_file_reads_back_with_the_same_fields_in_standard_order() -> None:
    doc = read(lrmx(photo=jpeg(), extra="<ZiDingYi a='1'>x</ZiDingYi>").encode()).doc
    data = write(doc)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    again = read(data).doc
    def filled(fields: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in fields.items() if v}

    assert filled(again.fields) == filled(doc.fields)
    assert again.family == doc.family and again.photo == doc.photo
    assert [e.xml for e in again.extras] == [e.xml for e in doc.extras]
    text = data.decode()
    positions = [text.index(f"<{t}>") for t in ("XingMing", "CanJiaGongZuoShiJian", "DaoLingNianYue",
                                                  "JianLi", "ChengBaoDanWei", "Version")]
    assert positions == sorted(positions)
    assert "&#xD;" in text


def test_zip_entry_names_in_gbk_are_decoded_and_other_entries_ignored() -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ABCD.lrmx", lrmx().encode())
        archive.writestr("readme.txt", "x")
    # As Chinese Windows writes it: GBK bytes in the name, no UTF-8 flag.
    data = buffer.getvalue().replace(b"ABCD.lrmx", "张三.lrmx".encode("gbk"))
    found = members(data, "上传.zip")
    assert [m.name for m in found] == ["张三.lrmx"]
    assert [m.name for m in members(build_zip([("李四.lrmx", b"<Person/>")]), "x.zip")] == ["李四.lrmx"]


def test_zip_bombs_and_zips_without_forms_are_refused() -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.lrmx", b"<Person>" + b" " * 4_000_000 + b"</Person>")
    with pytest.raises(ArchiveError, match="压缩比"):
        members(buffer.getvalue(), "x.zip")
    with pytest.raises(ArchiveError, match="没有"):
        members(build_zip([("a.txt", b"x")]), "x.zip")


def test_elements_nested_deeper_than_any_form_are_refused_not_a_recursion_error() -> None:
    # An unknown element is kept by serialising it, which recursed once per level (a 500).
    deep = b"<Person><XingMing>x</XingMing>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</Person>"
    with pytest.raises(LrmxError, match="嵌套"):
        read(deep)
    assert read(lrmx(extra="<ZiDingYi><a><b>x</b></a></ZiDingYi>").encode()).doc.extras


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_zip_member_with_damaged_compressed_data_is_refused(method: int) -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        archive.writestr("a.lrmx", lrmx().encode() * 20)
    data = bytearray(buffer.getvalue())
    start = 30 + len("a.lrmx")  # the member's compressed bytes follow its local header
    for k in range(start + 3, start + 60):
        data[k] ^= 0x5A
    with pytest.raises(ArchiveError, match="无法解压"):
        members(bytes(data), "x.zip")
