"""Writing an LrmxDocument as a standard .lrmx file (UTF-8, 3.2.1.x element order)."""

import base64

from service.lrmx.document import (
    ELEMENTS,
    FAMILY_FIELDS,
    MULTILINE,
    REFORM_ELEMENTS,
    FamilyItem,
    LrmxDocument,
)

DEFAULT_VERSION = "3.2.1.16"


def escape(text: str) -> str:
    """XML text escaping; CR is written as &#xD; as the official (.NET) editor does."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#xD;"))


def _item(member: FamilyItem) -> str:
    values = (member.relation, member.name, member.birth, member.political_status, member.work)
    cells = "".join(f"<{tag}>{escape(v)}</{tag}>" for tag, v in zip(FAMILY_FIELDS, values, strict=True))
    return f"    <Item>{cells}</Item>"


def write(doc: LrmxDocument, *, reform: bool = True) -> bytes:
    """The file's bytes; unknown elements kept from an import are written back where they were."""
    order: list[str] = []
    for tag in ELEMENTS:
        order.append(tag)
        if reform:
            order.extend(r for r, after in REFORM_ELEMENTS.items() if after == tag)
    extras_after: dict[str, list[str]] = {}
    for extra in doc.extras:
        anchor = extra.after if extra.after in order else "Version"
        extras_after.setdefault(anchor, []).append(extra.xml)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<Person>"]
    lines += [f"  {x}" for x in extras_after.get("Person", [])]
    for tag in order:
        if tag == "JiaTingChengYuan":
            if doc.family:
                lines.append("  <JiaTingChengYuan>")
                lines += [_item(m) for m in doc.family]
                lines.append("  </JiaTingChengYuan>")
            else:
                lines.append("  <JiaTingChengYuan></JiaTingChengYuan>")
        elif tag == "ZhaoPian":
            photo = base64.b64encode(doc.photo).decode("ascii") if doc.photo else ""
            lines.append(f"  <ZhaoPian>{photo}</ZhaoPian>")
        else:
            value = doc.get(tag) or (DEFAULT_VERSION if tag == "Version" else "")
            if tag in MULTILINE:
                # Lines end in CR LF, as the official editor writes them.
                value = value.replace("\r\n", "\n").replace("\n", "\r\n")
            lines.append(f"  <{tag}>{escape(value)}</{tag}>")
        lines += [f"  {x}" for x in extras_after.get(tag, [])]
    lines.append("</Person>")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
