"""简历 (JianLi): one entry per line, `YYYY.MM--YYYY.MM  text`, with （其间…） sub-entries.

Reading follows what writers in the field produce: any dash, tilde or 至 between the dates,
an open end (`YYYY.MM--` then spaces, or `--至今`), sub-entries in full- or half-width
brackets either at the end of the main line or on their own line, and continuation lines
(a line that does not start with a date continues the previous entry). Writing uses the
standard form: `--`, two spaces after a closed period and nine after an open one, so the
text column starts at the 19th character; sub-entries on their own line.
"""

import re
from dataclasses import dataclass, field
from datetime import date

WS = "\u3000\t "
_D = r"(\d{4})\s*[.．年/\-－]?\s*(\d{1,2})\s*月?"
_SEP = r"\s*(?:--|-|—+|－+|–+|~|～|至)\s*"
_MAIN = re.compile(rf"^\s*{_D}{_SEP}(?:{_D}|至今|今)?\s*(.*)$", re.S)
_SUB_OPEN = re.compile(r"[（(]\s*(?:[其期]间\s*[：:]?)?")
_SUB_SPLIT = re.compile(r"[）)]\s*[（(]|[；;]\s*(?=\d{4})")
_SUB_DATED = re.compile(rf"^\s*{_D}{_SEP}(?:{_D}|至今|今)?\s*(.*)$", re.S)


@dataclass
class SubEntry:
    """A （其间…） entry: studies or a secondment during a main entry."""

    start: date | None
    end: date | None
    text: str


@dataclass
class Entry:
    """One main resume entry with its sub-entries."""

    start: date
    end: date | None
    text: str
    subs: list[SubEntry] = field(default_factory=list)


@dataclass
class Parsed:
    """Entries, and lines that could not be placed (reported as warnings)."""

    entries: list[Entry] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)


def _month(year: str | None, month: str | None) -> date | None:
    if year is None or month is None:
        return None
    m = int(month)
    if not 1 <= m <= 12:
        return None
    return date(int(year), m, 1)


def _split_subs(text: str) -> tuple[str, str]:
    """Main text and the bracketed tail that starts a 其间 part, if any."""
    match = re.search(r"[（(]\s*[其期]间", text)
    if match is None:
        # A bracket right after the text holding a dated period is also a sub-entry.
        match = re.search(rf"[（(]\s*{_D}{_SEP}", text)
    if match is None:
        return text, ""
    return text[: match.start()].rstrip(WS), text[match.start():]


def parse_subs(tail: str) -> list[SubEntry]:
    """The sub-entries in `（其间：A）（B）` or `（其间：A；B）`."""
    body = _SUB_OPEN.sub("", tail.strip(WS), count=1)
    body = re.sub(r"[）)]\s*$", "", body)
    out = []
    for part in _SUB_SPLIT.split(body):
        part = _SUB_OPEN.sub("", part.strip(WS + "；;，,")).strip(WS)
        part = re.sub(r"[）)]\s*$", "", part).strip(WS)
        if not part:
            continue
        dated = _SUB_DATED.match(part)
        start = _month(dated.group(1), dated.group(2)) if dated else None
        if dated and start is not None:
            out.append(SubEntry(start, _month(dated.group(3), dated.group(4)),
                                dated.group(5).strip(WS)))
        else:
            out.append(SubEntry(None, None, part))
    return out


def _normalise(text: str) -> list[str]:
    text = text.replace("&#xD;", "\n").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if len(lines) == 1 and re.search(r" {18,}", text):
        # Some writers put no newlines and pad with spaces to the text column instead.
        lines = re.split(r" {18,}", text)
    return lines


def parse(text: str) -> Parsed:
    """Read a JianLi text into entries."""
    out = Parsed()
    for raw in _normalise(text):
        line = raw.strip(WS)
        if not line:
            continue
        main = _MAIN.match(line)
        start = _month(main.group(1), main.group(2)) if main else None
        if main and start is not None:
            end = _month(main.group(3), main.group(4))
            body = main.group(5).strip(WS)
            own, tail = _split_subs(body)
            entry = Entry(start, end, own)
            if tail:
                entry.subs.extend(parse_subs(tail))
            out.entries.append(entry)
            continue
        if line[0] in "（(" and out.entries:
            out.entries[-1].subs.extend(parse_subs(line))
            continue
        if out.entries:
            last = out.entries[-1]
            if last.subs and not line[0].isdigit():
                last.subs[-1].text += line
            else:
                last.text += line
            continue
        out.unplaced.append(line)
    return out


def _period(start: date, end: date | None) -> str:
    s = f"{start.year:04d}.{start.month:02d}"
    return f"{s}--{end.year:04d}.{end.month:02d}" if end else f"{s}--"


def sub_text(sub: SubEntry) -> str:
    """A sub-entry as written inside the brackets."""
    if sub.start is None:
        return sub.text
    return _period(sub.start, sub.end) + sub.text


def format_entries(entries: list[Entry]) -> str:
    """JianLi text in the standard layout, lines separated by CR LF."""
    lines = []
    for e in entries:
        date_part = _period(e.start, e.end)
        lines.append(date_part + " " * (18 - len(date_part)) + e.text)
        if e.subs:
            lines.append(" " * 18 + "（其间：" + "；".join(sub_text(s) for s in e.subs) + "）")
    return "\r\n".join(lines)
