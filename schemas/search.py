"""The search contract shared by the indexer (writer) and the service (reader).

Chinese recall does not rely on Meilisearch's word segmentation: every document also
carries its text as overlapping character bigrams, each encoded as one lowercase Latin
token, and a query of two or more characters is encoded the same way and must match all
of its bigrams. Any contiguous substring of a text therefore finds it. Abbreviations
from the vocabulary file are expanded into the text before encoding.
"""

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.json")
_DROP = re.compile(r"[\W_]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"

DocType = Literal["cadre", "record", "evidence"]
QUERY_WORDS = 10  # Meilisearch ignores query words after the tenth


def normalize(text: str) -> str:
    """Fold width and case, keep only letters, digits and CJK characters."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text).lower())


@lru_cache(maxsize=262144)
def _encode_pair(a: str, b: str) -> str:
    value = (ord(a) << 21) | ord(b)
    letters = []
    for _ in range(9):
        value, digit = divmod(value, 26)
        letters.append(_ALPHABET[digit])
    return "".join(letters)


def bigram_tokens(text: str) -> list[str]:
    """Encoded overlapping bigrams of the normalized text, in order."""
    norm = normalize(text)
    return [_encode_pair(norm[i], norm[i + 1]) for i in range(len(norm) - 1)]


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """The maintained vocabulary: groups of interchangeable terms."""
    data = json.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    return tuple(tuple(group) for group in data["synonyms"])


def expand_synonyms(text: str, context: int | None = None) -> list[str]:
    """The text plus variants with each vocabulary term swapped for its other forms.

    With `context`, a variant is only the swapped term and that many characters either side:
    Meilisearch reads at most ten query words, so a longer stretch could never be asked for.
    """
    variants = [text]
    for group in synonym_groups():
        for term in group:
            start = text.find(term)
            while start != -1:
                lo = 0 if context is None else max(0, start - context)
                hi = len(text) if context is None else start + len(term) + context
                before, after = text[lo:start], text[start + len(term):hi]
                variants.extend(before + other + after for other in group if other != term)
                if context is None:
                    break
                start = text.find(term, start + 1)
    return variants


def gram_field(*texts: str) -> str:
    """The searchable bigram field for some texts, with their synonym variants."""
    tokens: list[str] = []
    for text in texts:
        for variant in expand_synonyms(text, context=QUERY_WORDS + 1):
            tokens.extend(bigram_tokens(variant))
            tokens.append("")  # a gap so bigrams never join across separate texts
    return " ".join(t for t in tokens if t) if tokens else ""


def latin_words(*texts: str) -> str:
    """Lowercase Latin words and numbers of the texts (for queries without Chinese)."""
    return " ".join(w for text in texts for w in _LATIN_WORD.findall(
        unicodedata.normalize("NFKC", text).lower()))


def has_cjk(text: str) -> bool:
    """Whether the text contains a Chinese character."""
    return bool(_CJK.search(text))


class SearchDoc(BaseModel):
    """One document of the library index (a cadre, a field record or an evidence item)."""

    id: str
    type: DocType
    entity_id: int
    title: str
    text: str
    title_grams: str
    grams: str
    pinyin: list[str]
    latin: str
    cadre_id: int | None
    cadre_ids: list[int]
    cadre_names: list[str]
    unit_ids: list[int]
    unit_path: list[str]
    scope_keys: list[str]
    team_id: int | None
    author_id: int | None
    state: str
    kind: str
    domain: str | None
    ranks: list[str]
    post_levels: list[str]
    tiers: list[str]
    date: int | None
    year: int | None
    verification: str | None
    judgement: str | None
    domain_counts: dict[str, int]
    latest_appraisal: str | None
    checksum: str = ""


FILTERABLE = ["type", "cadre_id", "cadre_ids", "unit_ids", "scope_keys", "team_id", "author_id",
              "state", "kind", "domain", "ranks", "post_levels", "tiers", "date", "year",
              "verification", "judgement"]
SORTABLE = ["date", "entity_id"]
SEARCHABLE = ["title_grams", "grams", "pinyin", "latin", "title", "text"]
FACETS = ["type", "kind", "domain", "ranks", "post_levels", "tiers", "year", "verification"]
