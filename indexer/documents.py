"""Reading current entity state from PostgreSQL and turning it into search documents."""

import hashlib
import json
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from datetime import date
from typing import Any

import asyncpg

from schemas.national_id import mask_deep
from schemas.pinyin_terms import name_tokens, phrase_tokens
from schemas.search import SearchDoc, fold, latin_words, pairs, stand_in, variants
from schemas.vocabulary import MAX_VARIANTS
from service.performance.facts import PERFORMANCE_SQL, performance_text
from service.search.highlight import plain

# A row as the builders read it: asyncpg's record, or the same with ID numbers masked.
Row = Mapping[str, Any]

_CADRE_SQL = """
SELECT c.id, c.name, c.post, c.rank, c.post_level, c.tier, c.status, u.ancestor_ids,
  (SELECT array_agg(a.name ORDER BY a.depth) FROM units a WHERE a.id = ANY(u.ancestor_ids)) AS unit_path,
  coalesce((SELECT jsonb_object_agg(domain, n) FROM (SELECT domain, count(*) AS n FROM evidence
            WHERE cadre_id = c.id AND verification = 'verified' GROUP BY domain) d), '{}') AS domain_counts,
  (SELECT grade FROM appraisals WHERE cadre_id = c.id ORDER BY year DESC LIMIT 1) AS latest_appraisal,
  """ + PERFORMANCE_SQL + """
FROM cadres c JOIN units u ON u.id = c.unit_id"""

_PEOPLE = """
  coalesce(array_agg(c.id ORDER BY c.id), '{}') AS cadre_ids,
  coalesce(array_agg(c.name ORDER BY c.id), '{}') AS cadre_names,
  coalesce(array_agg(c.post ORDER BY c.id) FILTER (WHERE c.post IS NOT NULL), '{}') AS posts,
  coalesce(array_agg(c.tier ORDER BY c.id), '{}') AS tiers,
  coalesce(array_agg(c.rank ORDER BY c.id) FILTER (WHERE c.rank IS NOT NULL), '{}') AS ranks,
  coalesce(array_agg(c.post_level ORDER BY c.id) FILTER (WHERE c.post_level IS NOT NULL), '{}')
    AS post_levels,
  coalesce(jsonb_agg(jsonb_build_object(
    'tier', c.tier, 'units', u.ancestor_ids, 'name', c.name, 'post', c.post, 'rank', c.rank,
    'post_level', c.post_level,
    'path', (SELECT array_agg(a.name ORDER BY a.depth) FROM units a WHERE a.id = ANY(u.ancestor_ids)))
    ORDER BY c.id) FILTER (WHERE c.id IS NOT NULL), '[]') AS scopes"""

_RECORD_SQL = f"""
SELECT r.id, r.kind, r.title, r.body, r.place, r.occurred_on, r.state, r.team_id, r.author_id,
  r.details, {_PEOPLE}
FROM field_records r
LEFT JOIN field_record_cadres f ON f.record_id = r.id
LEFT JOIN cadres c ON c.id = f.cadre_id LEFT JOIN units u ON u.id = c.unit_id"""

_EVIDENCE_SQL = f"""
SELECT e.id, e.cadre_id, e.domain, e.title, e.description, e.period_end, e.metrics, e.judgement,
  e.verification, {_PEOPLE}
FROM evidence e JOIN cadres c ON c.id = e.cadre_id JOIN units u ON u.id = c.unit_id"""

QUERIES = {
    "cadre": (_CADRE_SQL, "c.id", ""),
    "record": (_RECORD_SQL, "r.id", " GROUP BY r.id"),
    "evidence": (_EVIDENCE_SQL, "e.id", " GROUP BY e.id"),
}


def searchable(title: str, text: str, context: Iterable[str]) -> dict[str, Any]:
    """The folded searchable fields of an item, in character pairs (schemas.search).

    Lines of the text and each context entry (a name, a unit, a post) are separate values, so a
    phrase never runs from one into the next.
    """
    title_f = fold(title)
    lines = [f for f in (fold(line) for line in text.split("\n")) if f]
    ctx = folded_context(context)
    alt: dict[str, None] = {}
    for part in (title_f, *lines, *ctx):
        alt.update(dict.fromkeys(variants(part)))
    return {"title_c": pairs(title_f), "ctx_c": [pairs(c) for c in ctx],
            "body_c": [pairs(line) for line in lines],
            "alt_c": [pairs(v) for v in list(alt)[:MAX_VARIANTS]],
            "chars": " ".join(dict.fromkeys(stand_in("".join([title_f, *ctx]))))}


def folded_context(context: Iterable[str]) -> list[str]:
    """The context entries as ctx_c holds them (folded, once each, in order), before pairing."""
    return [f for f in dict.fromkeys(fold(c) for c in context) if f]


def _ctx_owners(r: Row) -> list[list[int]]:
    """For each ctx_c entry, the places in cadre_ids of the cadres it names, describes or places.

    A reader is matched only through the people they may read (service.search.naming); empty
    when the people cannot be told apart (the scopes do not line up with the cadres).
    """
    scopes = r["scopes"]
    if len(scopes) != len(r["cadre_ids"]):
        return []
    own = [set(folded_context([s.get("name") or "", *(s["path"] or []), s.get("post") or ""]))
           for s in scopes]
    return [[i for i, entries in enumerate(own) if entry in entries]
            for entry in folded_context(_context(r))]


def _scope_keys(scopes: Iterable[dict[str, Any]]) -> list[str]:
    keys: set[str] = set()
    for s in scopes:
        for unit in s["units"] or []:
            keys.update((str(unit), f"{unit}:{s['tier']}"))
    return sorted(keys)


def _day(d: date | None) -> int | None:
    return int(d.strftime("%Y%m%d")) if d else None


def _finish(doc: SearchDoc) -> dict[str, Any]:
    # The encoded fields (character pairs, pinyin, Latin tokens) can line the digits of dates
    # and counts up into an ID-number-like run: the stored document is masked again as a whole.
    data: dict[str, Any] = mask_deep(doc.model_dump(exclude={"checksum"}))
    data["plain"] = plain(data["title"]) and plain(data["text"])  # of the texts as stored
    data["checksum"] = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return data


def cadre_doc(r: Row) -> dict[str, Any]:
    """Search document of a cadre."""
    path = r["unit_path"] or []
    # Issue 7: ranks of units led, arena contests, secondments, service totals (service/performance/facts.py).
    performance = performance_text(r["performance"])
    text = " ".join(t for t in [*path, r["post"], performance] if t)
    context = [*path, r["post"]] if r["post"] else list(path)
    pinyin = [*name_tokens(r["name"]), *(t for c in context for t in phrase_tokens(c))]
    return _finish(SearchDoc(
        id=f"cadre-{r['id']}", type="cadre", entity_id=r["id"], title=r["name"], text=text,
        **searchable(r["name"], performance, context), pinyin=list(dict.fromkeys(pinyin)),
        latin=latin_words(text), cadre_id=r["id"], cadre_ids=[r["id"]], cadre_names=[r["name"]],
        unit_ids=list(r["ancestor_ids"]), unit_path=path, posts=[r["post"]] if r["post"] else [],
        scope_keys=_scope_keys([{"tier": r["tier"], "units": r["ancestor_ids"]}]),
        team_id=None, author_id=None, state=r["status"], kind="cadre", domain=None,
        ranks=[r["rank"]] if r["rank"] else [], post_levels=[r["post_level"]] if r["post_level"] else [],
        tiers=[r["tier"]], date=None, year=None, verification=None, judgement=None,
        domain_counts=dict(r["domain_counts"]), latest_appraisal=r["latest_appraisal"]))


def _people(r: Row) -> dict[str, Any]:
    return {"cadre_ids": list(r["cadre_ids"]), "cadre_names": list(r["cadre_names"]),
            "posts": sorted(set(r["posts"])),
            "unit_ids": sorted({u for s in r["scopes"] for u in s["units"] or []}),
            "unit_path": r["scopes"][0]["path"] if r["scopes"] else [],
            "scope_keys": _scope_keys(r["scopes"]),
            "cadre_facets": [[s["tier"], s.get("rank") or "", s.get("post_level") or ""] for s in r["scopes"]]
            if len(r["scopes"]) == len(r["cadre_ids"]) else [],
            "cadre_scope_keys": [_scope_keys([s]) for s in r["scopes"]]
            if len(r["scopes"]) == len(r["cadre_ids"]) else [],
            "ranks": sorted(set(r["ranks"])), "post_levels": sorted(set(r["post_levels"])),
            "tiers": sorted(set(r["tiers"]))}


def _people_pinyin(names: list[str]) -> list[str]:
    return list(dict.fromkeys(p for n in names for p in name_tokens(n)))


def _context(r: Row) -> list[str]:
    """Names, unit paths and posts of the people an item concerns (searchable with it)."""
    out: list[str] = list(r["cadre_names"])
    for scope in r["scopes"]:
        out += scope["path"] or []
    return out + list(r["posts"])


def record_doc(r: Row) -> dict[str, Any]:
    """Search document of a field record."""
    details = r["details"] or {}
    extra = " ".join(str(v) for k, v in details.items()
                     if k in ("contest_name", "achievements", "shortcomings", "goals"))
    extra += " " + " ".join(details.get("rectification_proposals", []) +
                            details.get("processes_improved", []))
    text = "\n".join(t for t in (r["body"], extra.strip(), r["place"]) if t)
    names = list(r["cadre_names"])
    return _finish(SearchDoc(
        id=f"record-{r['id']}", type="record", entity_id=r["id"], title=r["title"], text=text,
        **searchable(r["title"], text, _context(r)), ctx_owners=_ctx_owners(r),
        pinyin=_people_pinyin(names), latin=latin_words(r["title"], text),
        cadre_id=None, **_people(r), team_id=r["team_id"], author_id=r["author_id"],
        state=r["state"], kind=r["kind"], domain=None, date=_day(r["occurred_on"]),
        year=r["occurred_on"].year, verification=None, judgement=None, domain_counts={},
        latest_appraisal=None))


def _metric_text(m: dict[str, Any]) -> str:
    # The API stores numbers only, but the column is plain jsonb (older imports, SQL fixes): a
    # value of another type is indexed as its text rather than stopping the indexer.
    value = m.get("value")
    shown = f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
    return f"{m.get('name', '')}{shown}{m.get('unit', '')}"


def evidence_doc(r: Row) -> dict[str, Any]:
    """Search document of an evidence item."""
    metrics = " ".join(_metric_text(m) for m in r["metrics"] or [] if isinstance(m, dict))
    text = "\n".join(t for t in (r["description"], metrics) if t)
    names = list(r["cadre_names"])
    return _finish(SearchDoc(
        id=f"evidence-{r['id']}", type="evidence", entity_id=r["id"], title=r["title"], text=text,
        **searchable(r["title"], text, _context(r)),
        pinyin=_people_pinyin(names), latin=latin_words(r["title"], text), cadre_id=r["cadre_id"],
        **_people(r), team_id=None, author_id=None, state="submitted", kind="evidence",
        domain=r["domain"], date=_day(r["period_end"]), year=r["period_end"].year,
        verification=r["verification"], judgement=r["judgement"], domain_counts={},
        latest_appraisal=None))


def _masked(builder: Callable[[Row], dict[str, Any]]) -> Callable[[asyncpg.Record], dict[str, Any]]:
    """The builder fed with every text of the row ID-masked: no search document (nor its
    bigrams, pinyin or checksum) ever holds a whole national ID number typed into free text."""
    def build_masked(r: asyncpg.Record) -> dict[str, Any]:
        return builder({k: mask_deep(v) for k, v in r.items()})
    return build_masked


BUILDERS = {"cadre": _masked(cadre_doc), "record": _masked(record_doc),
            "evidence": _masked(evidence_doc)}


async def build(conn: asyncpg.Connection, entity_type: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Current documents of the given entities; missing ids are absent from the result."""
    sql, key, group = QUERIES[entity_type]
    rows = await conn.fetch(f"{sql} WHERE {key} = ANY($1::bigint[]){group}", ids)
    builder = BUILDERS[entity_type]
    return {r["id"]: builder(r) for r in rows}


async def build_all(conn: asyncpg.Connection, entity_type: str,
                    batch: int = 1000) -> AsyncIterator[list[dict[str, Any]]]:
    """Every document of a type, in id order, a batch at a time (keyset pagination)."""
    sql, key, group = QUERIES[entity_type]
    builder = BUILDERS[entity_type]
    after = 0
    while True:
        rows = await conn.fetch(f"{sql} WHERE {key} > $1{group} ORDER BY {key} LIMIT $2", after, batch)
        if not rows:
            return
        yield [builder(r) for r in rows]
        after = rows[-1]["id"]


async def count_all(conn: asyncpg.Connection) -> dict[str, int]:
    """How many entities of each type PostgreSQL holds."""
    row = await conn.fetchrow("""SELECT (SELECT count(*) FROM cadres) AS cadre,
      (SELECT count(*) FROM field_records) AS record, (SELECT count(*) FROM evidence) AS evidence""")
    return dict(row)
