"""Pinyin of names, units and posts as the index stores it, and pinyin typed in a query.

A cadre's name is indexed as full pinyin (`zhoujianguo`), initials (`zjg`), the given name alone
(`jianguo`) and surname + initials of the given name (`zhoujg`), with every reading of the surname
(单: dan/shan/chan) and both spellings of ü (`lv`, `lu`). Unit names and posts are indexed as full
pinyin and initials, and by their last three or more syllables (phrase_tokens). A query word
loses tone marks (`zhōu`) and tone numbers (`zhou1`) and is lowercased; consecutive words
starting with whole syllables are joined (`zhou jian guo`).
"""

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.contrib.tone_convert import to_normal
from pypinyin.pinyin_dict import pinyin_dict

COMPOUND_SURNAMES = frozenset((
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
    "司徒", "令狐", "夏侯", "独孤", "南宫", "西门", "端木", "轩辕", "澹台", "呼延", "赫连",
))
_TONED = re.compile(r"(?:[a-zv]+[0-5])+[a-zv]*")
_LETTERS = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (from pypinyin's character dictionary), ü written as v."""
    out: set[str] = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            out.add(to_normal(reading).replace("ü", "v"))
    return frozenset(s for s in out if _LETTERS.fullmatch(s))


def is_syllables(word: str) -> bool:
    """Whether a word is a sequence of whole pinyin syllables (`jianguo`, not `jg`)."""
    known = syllables()
    ok = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        ok[end] = any(ok[start] and word[start:end] in known for start in range(max(0, end - 6), end))
    return ok[len(word)]


def _u_forms(token: str) -> list[str]:
    return [token, token.replace("v", "u")] if "v" in token else [token]


def _syllables_of(text: str) -> list[str]:
    return [s for s in lazy_pinyin(text, errors="ignore") if s]


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    """Pinyin tokens of a person's name."""
    name = "".join(ch for ch in name if not ch.isspace())
    split = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    surname, given = name[:split], name[split:]
    given_py = _syllables_of(given)
    if split == 1:
        readings = [r for r in pinyin(surname, style=Style.NORMAL, heteronym=True)[0] if r]
    else:
        readings = ["".join(_syllables_of(surname))]
    initials_of_surname = "".join(s[:1] for s in _syllables_of(surname)) if split == 2 else None
    out: list[str] = []
    for reading in readings or ["".join(_syllables_of(surname))]:
        sur_initials = initials_of_surname or reading[:1]
        out += [reading + "".join(given_py), sur_initials + "".join(s[:1] for s in given_py),
                "".join(given_py), reading + "".join(s[:1] for s in given_py)]
    return tuple(dict.fromkeys(u for t in out if t for u in _u_forms(t.lower())))


_PART_BREAK = re.compile(r"[^\w]+|_")
# A tail of three syllables or more: a shorter one (`quzhang`, `weiyuan`) would also be a given
# name that people search for alone.
TAIL_SYLLABLES = 3


def _phrase_forms(text: str) -> list[str]:
    """Full pinyin and initials of a text, in both spellings of ü (none for a text without any)."""
    syl = [s.lower() for s in _syllables_of(text)]
    if not syl:
        return []
    return [u for t in ("".join(syl), "".join(s[:1] for s in syl)) for u in _u_forms(t)]


@lru_cache(maxsize=65536)
def phrase_tokens(text: str) -> tuple[str, ...]:
    """Pinyin of a unit name or a post: full pinyin and initials of the whole and of each part
    between punctuation, and each part's full pinyin from any later syllable on (TAIL_SYLLABLES
    or more).

    The tail forms find a post or unit by its last words, as people say them without the unit:
    `fuquzhang` (副区长) finds 清河区副区长, `minzhengju` 西山区民政局, `fubuzhang` the post
    江北区委组织部部务委员、副部长: the pinyin counterpart of a substring, at syllable edges.
    """
    out = list(_phrase_forms(text))
    for part in _PART_BREAK.split(text):
        syl = [s.lower() for s in _syllables_of(part)]
        out += _phrase_forms(part)
        out += [u for i in range(1, len(syl) - TAIL_SYLLABLES + 1) for u in _u_forms("".join(syl[i:]))]
    return tuple(dict.fromkeys(out))


def query_word(word: str) -> str | None:
    """A query word as pinyin letters (tone marks and numbers removed), or None if it is not."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word)
                    if not unicodedata.combining(c)).lower().replace("ü", "v")
    if _TONED.fullmatch(plain):
        plain = re.sub(r"[0-5]", "", plain)
    return plain if _LETTERS.fullmatch(plain) else None


def phrase_piece(text: str, word: str) -> str | None:
    """The piece of a unit name or post that a pinyin word found by phrase_tokens stands for:
    the whole, a part between punctuation, or a part's tail (`fuquzhang` in 清河区副区长 is 副区长);
    None if the word is not one of its tokens."""
    if word not in phrase_tokens(text):
        return None
    for piece in [text, *(p[i:] for p in _PART_BREAK.split(text) for i in range(len(p)))]:
        if word in _phrase_forms(piece):
            return piece
    return text
