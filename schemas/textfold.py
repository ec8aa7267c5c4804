"""Folding of Chinese text for search: one definition for the indexed text, queries and highlights.

Folding maps full-width to half-width forms (NFKC), upper to lower case, traditional and variant
characters to simplified ones (OpenCC's `hk2s` conversion: traditional Chinese plus Hong Kong
variant forms, so 舊/棚戶區/衞 fold to 旧/棚户区/卫), and drops everything that is not a letter,
digit or CJK character. The search index holds every pair of neighbouring folded characters as a
word of its own (schemas.search), so any contiguous substring of two or more characters is a
phrase of those words.
"""

import re
import unicodedata
from functools import lru_cache

import opencc

DROP = re.compile(r"[\W_]+")  # what folding removes (after width and case folding)
_DROP = DROP
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_CONVERTER = opencc.OpenCC("hk2s")


def simplify(text: str) -> str:
    """Traditional and variant forms to simplified; OpenCC keeps the length for these tables."""
    return str(_CONVERTER.convert(text)) if text else text


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    """Width, case and punctuation folding of one character (before OpenCC)."""
    return _DROP.sub("", unicodedata.normalize("NFKC", ch).lower())


@lru_cache(maxsize=65536)
def _simplify_char(ch: str) -> str:
    return simplify(ch)


# Characters that fold to themselves (ASCII lower case and digits, CJK unified ideographs and
# extension A: no NFKC mapping, no case): runs of them are copied as they are.
_PLAIN_RUN = re.compile(r"[a-z0-9\u3400-\u4dbf\u4e00-\u9fff]+")
_DROP_KEEP_LINES = re.compile(r"(?:[^\w\n]|_)+")


def fold(text: str) -> str:
    """The folded form of a text: what is indexed and what a query term is compared with."""
    return simplify(_DROP.sub("", unicodedata.normalize("NFKC", text).lower()))


def fold_lines(text: str) -> str:
    """fold() of every line of a text, joined by newlines, in one pass over the whole text."""
    folded = simplify(_DROP_KEEP_LINES.sub("", unicodedata.normalize("NFKC", text).lower()))
    if folded.count("\n") != text.count("\n"):  # pragma: no cover - no NFKC form holds a newline
        return "\n".join(fold(line) for line in text.split("\n"))
    return folded


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the original character.

    Runs of characters that fold to themselves (most of a Chinese text) are copied whole; the
    others (punctuation, full-width and upper-case forms, ligatures) are folded one at a time
    (cached per character): NFKC over the whole text, or str.translate with a table, cost
    ~0.1-0.2 µs a character on Chinese text. OpenCC then converts the whole folded string at
    once, which keeps its length, so positions carry over unchanged; should a conversion ever
    change the length, each character is converted on its own instead.
    """
    parts: list[str] = []
    positions: list[int] = []
    done = 0
    for run in _PLAIN_RUN.finditer(text):
        start, end = run.span()
        if start > done:
            _fold_each(text, done, start, parts, positions)
        parts.append(run.group())
        positions.extend(range(start, end))
        done = end
    if done < len(text):
        _fold_each(text, done, len(text), parts, positions)
    joined = "".join(parts)
    simple = simplify(joined)
    if len(simple) != len(joined):
        simple = "".join(_simplify_char(c) or c for c in joined)
        if len(simple) != len(joined):  # pragma: no cover - OpenCC tables are one to one
            simple = joined
    return simple, positions


def _fold_each(text: str, lo: int, hi: int, parts: list[str], positions: list[int]) -> None:
    """Fold text[lo:hi] character by character onto parts, each folded character's origin onto positions."""
    for i in range(lo, hi):
        folded = _fold_char(text[i])
        if folded:
            parts.append(folded)
            positions.extend([i] * len(folded))


# Inside the stored pairs, ASCII digits and letters stand as traditional characters that folding
# never outputs (OpenCC turns each into its simplified form): every stored word is then Han
# script alone. Meilisearch's tokenizer cuts a word where the script changes in some contexts
# (`3c` after a Chinese character became `3` and `c`), so a pair such as `实3` or `3c` would
# be found in one text and not in another.
_ASCII = "0123456789abcdefghijklmnopqrstuvwxyz"
STAND_INS = "這們說會來對時個為國過還點開關長無學聽實業經現進動機與問題東門間樣電車馬"
_TO_STORED = str.maketrans(_ASCII, STAND_INS)
_FROM_STORED = str.maketrans(STAND_INS, _ASCII)


def stand_in(folded: str) -> str:
    """A folded text with its digits and Latin letters as their stand-ins (STAND_INS)."""
    return folded.translate(_TO_STORED)


def pairs(folded: str) -> str:
    """A folded text as the index stores it: its overlapping character pairs, each one word.

    `城市更新` is stored as `城市 市更 更新`; a text of one character as that character; digits
    and Latin letters as their stand-ins (STAND_INS).
    """
    text = stand_in(folded)
    if len(text) < 2:
        return text
    return " ".join([text[i:i + 2] for i in range(len(text) - 1)])


def unpairs(stored: str) -> str:
    """The folded text back from its stored pairs (the first pair, then each pair's second character)."""
    return stood_back(unpairs_stood_in(stored))


def stood_back(text: str) -> str:
    """The folded text of one in the stored alphabet (the inverse of stand_in)."""
    return text.translate(_FROM_STORED)


def unpairs_stood_in(stored: str) -> str:
    """The folded text of stored pairs with digits and letters left as stand-ins (see stand_in)."""
    # Every pair is two characters and one space: "ab bc cd"[1::3] is "bcd". This is a slice,
    # where translating back costs ~0.1 µs a character (str.translate has no fast path for
    # Chinese text): the search window compares stood-in needles with these texts instead.
    return stored[:1] + stored[1::3]


def unpairs_lines_stood_in(lines: list[str]) -> str:
    """unpairs_stood_in of every stored line, joined by newlines (one pass, for a hit's text)."""
    return "\n".join([line[:1] + line[1::3] for line in lines])


def has_cjk(text: str) -> bool:
    """Whether the text contains a Chinese character."""
    return bool(_CJK.search(text))


def latin_words(*texts: str) -> str:
    """Lowercase Latin words and numbers of the texts (for whole-word Latin queries)."""
    return " ".join(dict.fromkeys(w for text in texts for w in _LATIN_WORD.findall(
        unicodedata.normalize("NFKC", text).lower())))
