"""The search contract shared by the indexer (writer) and the service (reader).

Chinese recall does not rely on Meilisearch's word segmentation: every searchable text is stored
folded (schemas.textfold) with each character as a word of its own, and a query term is sent as a
phrase of its characters, so any contiguous substring of a text finds it. The item's own title
and text, the people it concerns (names, unit path, posts), vocabulary variants, pinyin and Latin
words are separate fields, searched together: a query's terms may match in any of them.
"""

from typing import Literal

from pydantic import BaseModel

from schemas.textfold import fold, has_cjk, latin_words, spaced
from schemas.vocabulary import VOCABULARY_PATH, alternatives, synonym_groups, variants

__all__ = ["FACETS", "FILTERABLE", "SEARCHABLE", "SORTABLE", "VOCABULARY_PATH", "DocType",
           "SearchDoc", "alternatives", "fold", "has_cjk", "latin_words", "normalize", "spaced",
           "synonym_groups", "variants"]

DocType = Literal["cadre", "record", "evidence"]
normalize = fold  # the name older callers use


class SearchDoc(BaseModel):
    """One document of the library index (a cadre, a field record or an evidence item)."""

    id: str
    type: DocType
    entity_id: int
    title: str
    text: str
    title_c: str  # folded title, one word per character
    ctx_c: list[str]  # folded names, unit path and posts of the people concerned
    body_c: list[str]  # folded text
    alt_c: list[str]  # folded vocabulary variants of title, text and context
    pinyin: list[str]
    latin: str
    cadre_id: int | None
    cadre_ids: list[int]
    cadre_names: list[str]
    unit_ids: list[int]
    unit_path: list[str]
    posts: list[str]
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
# Order is Meilisearch's attribute ranking: a match in the title beats one in the people's
# names and units, which beats one in the text.
SEARCHABLE = ["title_c", "ctx_c", "body_c", "alt_c", "pinyin", "latin"]
CHAR_FIELDS = ["title_c", "ctx_c", "body_c", "alt_c"]
FACETS = ["type", "kind", "domain", "ranks", "post_levels", "tiers", "year", "verification"]
