"""Search requests and responses."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from schemas.common import DbId, Domain, PostLevel, Rank, RecordKind, Tier, Verification

Kind = RecordKind | Literal["evidence", "cadre"]


class SearchParams(BaseModel):
    """Query text and filters; every filter narrows what the caller's scope already allows."""

    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    mode: Literal["library", "candidates"] = "library"
    type: list[Literal["cadre", "record", "evidence"]] = []
    kind: list[Kind] = []
    domain: list[Domain] = []
    rank: list[Rank] = []
    post_level: list[PostLevel] = []
    tier: list[Tier] = []
    verification: list[Verification] = []
    unit_id: DbId | None = None
    date_from: date | None = None
    date_to: date | None = None
    year: Annotated[int, Field(ge=1950, le=2100)] | None = None
    sort: Literal["relevance", "date_desc", "date_asc"] = "relevance"
    page: Annotated[int, Field(ge=1, le=500)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 20


class SearchHit(BaseModel):
    """One result; *_html fields are escaped text with <mark> around matches."""

    id: str
    type: str
    entity_id: int
    title: str
    title_html: str
    snippet_html: str
    kind: str
    domain: str | None
    date: date | None
    cadre_ids: list[int]
    cadre_names: list[str]
    unit_path: list[str]
    verification: str | None
    judgement: str | None


class NearResult(BaseModel):
    """相近结果: what the suggested query finds, kept apart from the exact results."""

    suggestion: str
    total: int
    hits: list[SearchHit]


class SearchResult(BaseModel):
    """A page of results with facet counts over everything the caller may see."""

    q: str
    mode: str
    match: str  # "all" (no query), "terms", or "long" (pasted text, searched by segments)
    searched: str  # the terms searched for, e.g. the segments chosen from pasted text
    total: int
    # False when the total also counts matches not checked yet (past the first 100, Meilisearch's
    # character pairs can match look-alikes): an upper bound, made exact once a page has read the
    # whole list.
    total_exact: bool = True
    page: int
    per_page: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    near: NearResult | None = None
