"""The query language: terms, "exact phrases", -exclusions, pinyin, pasted text.

- Spaces, punctuation (，、；。 etc.) and math symbols (`+`, `|`) separate terms; every term
  must match somewhere in the item (its title, text, the names, unit path and posts of the
  people it concerns, pinyin), each one as a contiguous substring of the folded text.
- `"…"` (or “…” 「…」) keeps spaces and punctuation inside one exact term; it is never read as
  pinyin. A phrase ends at a line break even without its closing quote.
- `-term` or `-"…"` excludes items containing it.
- Latin words are read as pinyin or Latin words: tone marks and numbers are dropped, case is
  folded, and consecutive words are joined when the first one is made of whole syllables
  (`zhou jian guo` → `zhoujianguo`). A Latin vocabulary term (PPP, GDP) is read as characters.
- A query of more than LONG_CHARS folded characters or MAX_TERMS terms is pasted text: it is cut
  at punctuation and spaces (and every SEGMENT_CHARS characters) into segments, and the
  LONG_SEGMENTS most telling ones must all appear: those holding figures, then the longest
  (vocabulary terms stay whole, and come first among segments of their length).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from schemas.pinyin_terms import is_syllables, query_word
from schemas.textfold import fold, pairs
from schemas.vocabulary import alternatives, is_term

LONG_CHARS = 40
MAX_TERMS = 8  # Meilisearch reads ten terms; two are left for exclusions in pasted text
SEGMENT_CHARS = 16
LONG_SEGMENTS = 6
_QUOTE_END = re.compile(r'["\n\r\u2028\u2029]')
_QUOTES = str.maketrans({c: '"' for c in "“”„‟「」『』＂"})


@dataclass(frozen=True)
class Term:
    """One term: folded characters (substring semantics) or a pinyin/Latin word."""

    text: str
    kind: Literal["chars", "pinyin"]
    quoted: bool = False

    def forms(self) -> list[str]:
        """The folded strings that count as this term (vocabulary variants included)."""
        return list(_forms(self.text)) if self.kind == "chars" else [self.text]


@lru_cache(maxsize=1024)
def _forms(text: str) -> tuple[str, ...]:
    # Asked for every hit of the window (checks, ranking, highlighting): the vocabulary is
    # scanned once per term, not once per hit.
    return tuple(alternatives(text))


@dataclass
class Query:
    """A parsed query."""

    terms: list[Term] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    long: bool = False

    @property
    def empty(self) -> bool:
        """Whether there is nothing to search for (only filters)."""
        return not self.terms and not self.excluded

    def meili(self) -> str:
        """The Meilisearch query string: every term a phrase, so nothing matches as a prefix."""
        return " ".join([_meili_term(t) for t in self.terms] +
                        ["-" + _meili_term(t) for t in self.excluded])

    def text(self) -> str:
        """The query as terms, the way a user could type it again."""
        out = [f'"{t.text}"' if t.quoted else t.text for t in self.terms]
        return " ".join(out + [f"-{t.text}" for t in self.excluded])


def _meili_term(term: Term) -> str:
    # A character term as the index stores text: its character pairs (schemas.search).
    if term.kind == "chars":
        return '"' + pairs(term.text) + '"'
    return f'"{term.text}"'


def _separates(ch: str) -> bool:
    # Punctuation and math symbols (`+`, `|`, `~`, as people join terms for other search engines).
    cat = unicodedata.category(ch)
    return ch.isspace() or cat == "Sm" or (cat.startswith("P") and ch not in '"-')


def _pieces(q: str) -> list[tuple[str, bool, bool]]:
    """(raw text, quoted, excluded) for every piece of the query."""
    q = unicodedata.normalize("NFKC", q.translate(_QUOTES))
    out: list[tuple[str, bool, bool]] = []
    i, n = 0, len(q)
    while i < n:
        if _separates(q[i]):
            i += 1
            continue
        negative = q[i] == "-" and i + 1 < n and not _separates(q[i + 1])
        if negative:
            i += 1
        if q[i] == '"':
            # A phrase ends at its closing quote or at a line break: the index holds every line
            # on its own, and pasted text often starts or ends inside a quotation.
            close = _QUOTE_END.search(q, i + 1)
            end = close.start() if close else n
            out.append((q[i + 1:end], True, negative))
            i = end + 1
            continue
        j = i
        while j < n and not _separates(q[j]) and q[j] != '"':
            j += 1
        out.append((q[i:j], False, negative))
        i = j
    return out


def _vocabulary_runs(pieces: list[tuple[str, bool, bool]]) -> list[tuple[str, bool, bool]]:
    """Pieces that together spell a vocabulary term (违法用地、违法建设) joined into one."""
    out: list[tuple[str, bool, bool]] = []
    i = 0
    while i < len(pieces):
        joined = None
        for j in range(min(len(pieces), i + 8), i + 1, -1):
            run = pieces[i:j]
            text = "".join(r for r, _, _ in run)
            if all(not q and n == run[0][2] for _, q, n in run) and is_term(fold(text)):
                joined = (text, False, run[0][2])
                i = j
                break
        if joined is None:
            joined = pieces[i]
            i += 1
        out.append(joined)
    return out


def _joined_syllables(raw: str) -> str:
    """`Jian-jun` as `Jianjun`: a hyphen between whole pinyin syllables joins them (a given name
    as it is often romanised); any other hyphenated word stays as typed (`e-government`)."""
    parts = raw.split("-")
    if len(parts) < 2:
        return raw
    words = [query_word(p) for p in parts]
    return "".join(parts) if all(w and is_syllables(w) for w in words) else raw


def _terms(pieces: list[tuple[str, bool, bool]]) -> tuple[list[Term], list[Term]]:
    terms: list[Term] = []
    excluded: list[Term] = []
    joining = False  # the previous term is pinyin that started with whole syllables
    for raw, quoted, negative in pieces:
        # A Latin vocabulary term (PPP, GDP) stands for Chinese words too: search it as characters.
        word = None if quoted or is_term(fold(raw)) else query_word(_joined_syllables(raw))
        if word is not None:
            if joining and not negative and terms and terms[-1].kind == "pinyin":
                terms[-1] = Term(terms[-1].text + word, "pinyin")
                continue
            term = Term(word, "pinyin")
            joining = not negative and is_syllables(word)
        else:
            joining = False
            folded = fold(raw)
            if not folded:
                continue
            term = Term(folded, "chars", quoted)
        (excluded if negative else terms).append(term)
    return terms, excluded


def _figured(segment: str) -> bool:
    """Whether a segment of pasted text holds a figure and some words around it."""
    return len(segment) >= 4 and any(ch.isdigit() for ch in segment)


def _segments(terms: list[Term]) -> list[Term]:
    """The longest segments of pasted text (earlier ones first among equals).

    Segments holding figures come first: reports written the same way differ in their figures
    (新增停车位82个). A vocabulary term stays whole (its other forms would not contain a piece of
    it); it comes before a segment of its length, not before longer ones, so a paste full of
    common terms (雨污分流, 加装电梯) is told apart by its longer stretches.
    """
    chunks: list[tuple[str, bool]] = []
    for t in terms:
        if t.kind != "chars":
            continue
        if is_term(t.text):
            chunks.append((t.text, True))
        else:
            chunks += [(t.text[i:i + SEGMENT_CHARS], False) for i in range(0, len(t.text), SEGMENT_CHARS)]
    chunks = [c for c in dict.fromkeys(chunks) if len(c[0]) >= 2]
    ranked = sorted(range(len(chunks)), key=lambda i: (not _figured(chunks[i][0]),
                                                       -min(len(chunks[i][0]), SEGMENT_CHARS),
                                                       not chunks[i][1], i))
    return [Term(chunks[i][0], "chars") for i in sorted(ranked[:LONG_SEGMENTS])]


def parse(q: str) -> Query:
    """Parse what the user typed."""
    terms, excluded = _terms(_vocabulary_runs(_pieces(q)))
    size = sum(len(t.text) for t in terms if t.kind == "chars")
    if size > LONG_CHARS or len(terms) > MAX_TERMS:
        segments = _segments(terms)
        if segments:
            return Query(segments, excluded[:2], long=True)
        return Query(terms[:MAX_TERMS], excluded[:2])
    return Query(terms, excluded)
