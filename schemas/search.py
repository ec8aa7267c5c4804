"""The search contract shared by the indexer (writer) and the service (reader).

Chinese recall does not rely on Meilisearch's word segmentation: every searchable text is stored
folded (schemas.textfold) as its overlapping character pairs, each pair a word of its own
(`城市更新` → `城市 市更 更新`), and a query term is sent as a phrase of its pairs, so any
contiguous substring of two or more characters of a text finds it. The index compares a
phrase's words within one field (`proximityPrecision: byAttribute`): it does not have to keep
every pair of words up to eight positions apart, which was most of its indexing work, and
the service checks every hit for the whole term (service.search.rank.verified). One-character
terms match the `chars` field: the distinct characters of the title and of the names, unit
path and posts of the people concerned. The item's own title and text, the people it concerns,
vocabulary variants, pinyin and Latin words are separate fields, searched together: a query's
terms may match in any of them.
"""

import hashlib
from typing import Literal

from pydantic import BaseModel

from schemas.national_id import DETECTOR
from schemas.textfold import fold, has_cjk, latin_words, pairs, stand_in, unpairs
from schemas.vocabulary import VOCABULARY_PATH, alternatives, synonym_groups, variants

__all__ = ["FACETS", "FILTERABLE", "SEARCHABLE", "SORTABLE", "VOCABULARY_PATH", "DocType",
           "SearchDoc", "alternatives", "fold", "has_cjk", "latin_words", "normalize", "pairs",
           "stand_in", "synonym_groups", "unpairs", "variants"]

DocType = Literal["cadre", "record", "evidence"]
normalize = fold  # the name older callers use


class SearchDoc(BaseModel):
    """One document of the library index (a cadre, a field record or an evidence item)."""

    id: str
    type: DocType
    entity_id: int
    title: str
    text: str
    title_c: str  # folded title in character pairs (schemas.textfold.pairs)
    plain: bool = False  # title and text hold nothing folding changes (service.search.highlight.plain)
    ctx_c: list[str]  # folded names, unit path and posts of the people concerned, in pairs
    # A record's: for each ctx_c entry, the places in cadre_ids of the cadres it belongs to.
    ctx_owners: list[list[int]] = []
    body_c: list[str]  # folded text lines, in pairs
    alt_c: list[str]  # folded vocabulary variants of title, text and context, in pairs
    chars: str  # distinct folded characters of the title and context (one-character terms)
    pinyin: list[str]
    latin: str
    cadre_id: int | None
    cadre_ids: list[int]
    cadre_names: list[str]
    unit_ids: list[int]
    unit_path: list[str]
    posts: list[str]
    scope_keys: list[str]
    # Each of cadre_ids' own scope keys, in the same order: a hit names the cadres its reader may
    # read without asking the database (service.search.naming).
    cadre_scope_keys: list[list[str]] = []
    # Each of cadre_ids' tier, rank and post level ("" for none), in the same order: the facets of
    # a record hit count only the cadres its reader may read (service.search.naming).
    cadre_facets: list[list[str]] = []
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


FILTERABLE = ["id", "type", "cadre_id", "cadre_ids", "unit_ids", "scope_keys", "team_id", "author_id",
              "state", "kind", "domain", "ranks", "post_levels", "tiers", "date", "year",
              "verification", "judgement"]
SORTABLE = ["date", "entity_id"]
# Order is Meilisearch's attribute ranking: a match in the title beats one in the people's
# names and units, which beats one in the text.
SEARCHABLE = ["title_c", "ctx_c", "body_c", "alt_c", "pinyin", "latin", "chars"]
CHAR_FIELDS = ["title_c", "ctx_c", "body_c", "alt_c"]  # texts stored in character pairs
# Tokenized without a language's segmenter: Chinese segmentation (jieba, for `cmn`) would cut a
# stored pair such as 市更 into two words. Index and queries use the same locale.
CHAR_LOCALE = "eng"
MAX_TOTAL_HITS = 10_000  # the index's pagination.maxTotalHits: no offset + limit goes past it
LOCALIZED = [*CHAR_FIELDS, "chars"]
# Written into the build marker: a live index built with another encoding (documents without a
# field the service reads), with another version of the vocabulary (expanded into the documents)
# or masked by another version of the ID number detector, is rebuilt at start.
ENCODING = ("pairs-6:" + hashlib.sha256(VOCABULARY_PATH.read_bytes()).hexdigest()[:12]
            + ":" + DETECTOR)
FACETS = ["type", "kind", "domain", "ranks", "post_levels", "tiers", "year", "verification"]
