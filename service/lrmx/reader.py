"""Reading .lrmx bytes safely and tolerantly into an LrmxDocument.

Safety: no DTD, no entities, no external references (defusedxml refuses them all), and a
size cap before parsing. Tolerance: any element order, missing or unknown elements (kept),
namespaces and letter case of tags ignored, a BOM or a GB2312/GBK declaration, `&#xD;` and
CR LF line ends, spaces inside names.
"""

import base64
import binascii
import io
import re
import xml.etree.ElementTree as ET  # only to serialise elements defusedxml has parsed
from dataclasses import dataclass, field

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from PIL import Image, UnidentifiedImageError

from service.lrmx.document import (
    ELEMENTS,
    FAMILY_FIELDS,
    MULTILINE,
    REFORM_ELEMENTS,
    Extra,
    FamilyItem,
    LrmxDocument,
)

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_PHOTO_BYTES = 2 * 1024 * 1024
MAX_FAMILY = 50
# Far deeper than any form (Person/JiaTingChengYuan/Item/field); unknown elements are kept by
# serialising them, which recurses once per level, so a deeper file is refused instead.
MAX_DEPTH = 32
_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.\-]+)[\"'][^>]*\?>")
_DECL_ANY = re.compile(r"^\s*<\?xml[^>]*\?>")
_KNOWN = {t.lower(): t for t in (*ELEMENTS, *REFORM_ELEMENTS)}
_FAMILY = {t.lower(): t for t in FAMILY_FIELDS}
# Names: every kind of blank removed ("张  三" → "张三").
_BLANKS = re.compile(r"[\s\u3000\u00a0]+")


class LrmxError(ValueError):
    """The file cannot be read as an LRMX document (the message is for the user)."""


@dataclass
class ReadResult:
    """A document and the warnings met while reading it."""

    doc: LrmxDocument
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (element, message)


def decode(data: bytes) -> str:
    """The file as text: BOM first, then the declared encoding, then UTF-8, then GB18030;
    LrmxError when none of them reads it (bytes that are no text must not become a 500)."""
    try:
        return _decode(data)
    except UnicodeDecodeError as exc:
        raise LrmxError("文件编码无法识别（应为 UTF-8 或 GB18030 文本）") from exc


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    declared = _DECL.match(data)
    name = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if name in ("gb2312", "gbk", "gb18030", "x-gbk", "cp936"):
        name = "gb18030"
    try:
        return data.decode(name)
    except (LookupError, UnicodeDecodeError):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("gb18030")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(elem: ET.Element) -> str:
    return "".join(elem.itertext())


def clean(tag: str, value: str) -> str:
    """Normalised element text: line ends to \\n, single-line fields on one line, names unblanked."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if tag in MULTILINE:
        return value.strip("\n")
    value = value.replace("\n", "").strip(" \t\u3000")
    if tag in ("XingMing", "ShenFenZheng", "XingBie", "MinZu"):
        value = _BLANKS.sub("", value)
    if tag == "ShenFenZheng":
        value = value.upper()
    return value


def _photo(value: str) -> bytes | None:
    """The photo as JPEG bytes; PNG and other images are re-encoded, oversized ones refused."""
    raw = re.sub(r"\s+", "", value)
    if raw.startswith("data:"):
        raw = raw.partition(",")[2]
    if not raw:
        return None
    if len(raw) > MAX_PHOTO_BYTES * 4 // 3 + 8:
        raise LrmxError("照片超过 2 MB")
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise LrmxError("照片不是有效的 Base64 编码") from exc
    if data.startswith(b"\xff\xd8\xff"):
        return data
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > 25_000_000:
                raise LrmxError("照片像素过多")
            rgb = img.convert("RGBA")
            # Transparent areas would turn black in JPEG; put the photo on white instead.
            canvas = Image.new("RGB", rgb.size, (255, 255, 255))
            canvas.paste(rgb, mask=rgb.getchannel("A"))
            out = io.BytesIO()
            canvas.save(out, format="JPEG", quality=90)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise LrmxError("照片不是可识别的图片") from exc


def _family(elem: ET.Element) -> list[FamilyItem]:
    items = []
    for item in elem:
        values = {_FAMILY.get(_local(c.tag).lower(), ""): clean("family", _text(c)) for c in item}
        member = FamilyItem(relation=_BLANKS.sub("", values.get("ChengWei", "")),
                            name=_BLANKS.sub("", values.get("XingMing", "")),
                            birth=values.get("ChuShengRiQi", ""),
                            political_status=values.get("ZhengZhiMianMao", ""),
                            work=values.get("GongZuoDanWeiJiZhiWu", ""))
        if any((member.relation, member.name, member.birth, member.political_status, member.work)):
            items.append(member)
    if len(items) > MAX_FAMILY:
        raise LrmxError(f"家庭成员超过 {MAX_FAMILY} 人")
    return items


def _too_deep(root: ET.Element) -> bool:
    """Whether elements nest deeper than MAX_DEPTH (walked without recursion)."""
    level = [root]
    for _ in range(MAX_DEPTH):
        level = [child for elem in level for child in elem]
        if not level:
            return False
    return True


def read(data: bytes) -> ReadResult:
    """Parse one .lrmx file; LrmxError when it is unsafe, malformed or not an LRMX document."""
    if len(data) > MAX_FILE_BYTES:
        raise LrmxError(f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
    text = _DECL_ANY.sub("", decode(data), count=1)
    try:
        root = SafeET.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise LrmxError("文件含有 DTD 或实体声明，出于安全原因拒绝读取") from exc
    except ET.ParseError as exc:
        raise LrmxError(f"XML 格式错误：{exc}") from exc
    if _local(root.tag).lower() != "person":
        raise LrmxError(f"根元素应为 Person，实际为 {_local(root.tag)}")
    if _too_deep(root):
        raise LrmxError(f"XML 元素嵌套超过 {MAX_DEPTH} 层")
    result = ReadResult(LrmxDocument())
    doc = result.doc
    previous = "Person"
    for child in root:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        tag = _KNOWN.get(_local(child.tag).lower())
        if tag is None:
            child.tail = None
            doc.extras.append(Extra(after=previous, xml=ET.tostring(child, encoding="unicode")))
            result.warnings.append((_local(child.tag), f"未知元素 {_local(child.tag)} 已原样保留"))
            continue
        previous = tag
        if tag == "JiaTingChengYuan":
            doc.family = _family(child)
        elif tag == "ZhaoPian":
            doc.photo = _photo(_text(child))
        else:
            if tag in doc.fields:
                result.warnings.append((tag, f"元素 {tag} 出现多次，采用第一次的值"))
                continue
            doc.fields[tag] = clean(tag, _text(child))
    return result
