"""The labelled query set: queries generated from the documents, one category per capability.

Every query is labelled by tests.search.oracle (what an officer expects under the documented
semantics). Categories: substring, multi_term, phrase, exclude, person_topic, traditional,
width_case, near (one wrong, missing or extra character in a text, or a homophone in a cadre's
name; judged on the 相近结果), pinyin, long,
vocabulary, filtered.
"""

import random
import re
from dataclasses import dataclass, field
from typing import Any

import opencc
from pypinyin import Style, lazy_pinyin, pinyin

from schemas.textfold import fold, has_cjk, unpairs
from schemas.vocabulary import groups
from tests.search import oracle

CATEGORIES = ("substring", "multi_term", "phrase", "exclude", "person_topic", "traditional",
              "width_case", "near", "pinyin", "long", "vocabulary", "filtered")
SEPARATORS = (" ", "，", "、", "；", "　", "  ")
_S2T = opencc.OpenCC("s2t")
_S2HK = opencc.OpenCC("s2hk")
_FULL = {c: chr(ord(c) + 0xFEE0) for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"}


@dataclass
class Labelled:
    """One query with the ids that must come back."""

    category: str
    q: str
    relevant: set[str]
    params: dict[str, Any] = field(default_factory=dict)


def _cjk_run(text: str, rng: random.Random, n: int) -> str | None:
    """A random substring of n characters, all Chinese, of a folded text."""
    if len(text) < n:
        return None
    for _ in range(10):
        start = rng.randrange(0, len(text) - n + 1)
        piece = text[start:start + n]
        if all(has_cjk(c) for c in piece):
            return piece
    return None


_FOLDED: dict[tuple[str, str], str] = {}


def _folded(doc: dict[str, Any], key: str) -> str:
    """A document's field, folded once (the builder draws from the same documents thousands of times)."""
    cached = _FOLDED.get((doc["id"], key))
    if cached is None:
        cached = _FOLDED[doc["id"], key] = fold(doc[key])
    return cached


def _own(doc: dict[str, Any]) -> list[str]:
    return [t for t in (_folded(doc, "title"), _folded(doc, "text")) if t]


class Builder:
    """Generates the labelled set from the visible documents."""

    def __init__(self, docs: list[dict[str, Any]], seed: int) -> None:
        self.docs = docs
        self.rng = random.Random(seed)
        self.items = [d for d in docs if d["type"] != "cadre"]
        self.cadres = [d for d in docs if d["type"] == "cadre"]
        self.out: list[Labelled] = []
        self.by_id = {d["id"]: d for d in docs}

    def add(self, category: str, q: str, terms: list[str], excluded: tuple[str, ...] = (),
            params: dict[str, Any] | None = None, most: int = 150) -> bool:
        """Label a query by the oracle; keep it when it finds something and not too much."""
        relevant = oracle.matching(self.docs, terms, excluded)
        if params and "type" in params:
            relevant = {i for i in relevant if i.startswith(params["type"] + "-")}
        if not relevant or len(relevant) > most:
            return False
        self.out.append(Labelled(category, q, relevant, params or {}))
        return True

    def count(self, category: str) -> int:
        """Queries of a category so far."""
        return sum(1 for q in self.out if q.category == category)

    def substring(self, n: int) -> None:
        """Any contiguous piece of a title or text."""
        while self.count("substring") < n:
            text = self.rng.choice(_own(self.rng.choice(self.items)))
            size = self.rng.choice((2, 3, 4, 6, 8, 12, 16, 24))
            if len(text) > size + 1:
                start = self.rng.randrange(0, len(text) - size)
                q = text[start:start + size]
                if has_cjk(q):
                    self.add("substring", q, [q])

    def multi_term(self, n: int) -> None:
        """Two or three pieces from different places of one item, any separator."""
        while self.count("multi_term") < n:
            doc = self.rng.choice(self.items)
            sources = _own(doc) + [unpairs(c) for c in doc["ctx_c"]]
            picks = [_cjk_run(self.rng.choice(sources), self.rng, self.rng.choice((2, 3, 4)))
                     for _ in range(self.rng.choice((2, 3)))]
            terms = [p for p in picks if p]
            if len(set(terms)) >= 2:
                q = "".join(t + self.rng.choice(SEPARATORS) for t in terms).strip(" 　")
                self.add("multi_term", q, terms)

    def phrase(self, n: int) -> None:
        """A quoted stretch of text (with its punctuation, or a space inside)."""
        while self.count("phrase") < n:
            doc = self.rng.choice(self.items)
            raw = doc["text"] or doc["title"]
            size = self.rng.randrange(4, 11)
            if len(raw) <= size:
                continue
            start = self.rng.randrange(0, len(raw) - size)
            piece = raw[start:start + size].replace("\n", " ")
            piece = "".join(c for c in piece if c not in '"“”「」『』')
            if self.rng.random() < 0.3:
                cut = self.rng.randrange(1, len(piece))
                piece = piece[:cut] + " " + piece[cut:]
            quote = self.rng.choice((('"', '"'), ("“", "”"), ("「", "」")))
            if fold(piece) and has_cjk(piece):
                self.add("phrase", quote[0] + piece + quote[1], [fold(piece)])

    def exclude(self, n: int) -> None:
        """A term and -another that some of its items contain."""
        while self.count("exclude") < n:
            term = _cjk_run(self.rng.choice(_own(self.rng.choice(self.items))), self.rng, 2)
            if not term:
                continue
            found = oracle.containing(self.docs, term)
            if not 3 <= len(found) <= 150:
                continue
            other = _cjk_run(self.rng.choice(_own(self.rng.choice(found))), self.rng, 2)
            if other and other != term and term not in other:
                self.add("exclude", f"{term} -{other}", [term], (other,))

    def person_topic(self, n: int) -> None:
        """A cadre's name, unit or post plus a topic from an item concerning them."""
        while self.count("person_topic") < n:
            doc = self.rng.choice(self.items)
            if not doc["cadre_names"]:
                continue
            who = self.rng.choice([*doc["cadre_names"], *doc["cadre_names"],
                                   *(fold(u) for u in doc["unit_path"][1:]), *doc["posts"]])
            topic = _cjk_run(self.rng.choice(_own(doc)), self.rng, self.rng.choice((2, 3, 4)))
            if topic and fold(who):
                self.add("person_topic", f"{who} {topic}", [fold(who), topic])

    def traditional(self, n: int) -> None:
        """Pieces written in traditional characters or Hong Kong variant forms."""
        while self.count("traditional") < n:
            text = self.rng.choice(_own(self.rng.choice(self.items)))
            piece = _cjk_run(text, self.rng, self.rng.choice((2, 3, 4, 5, 6)))
            if not piece:
                continue
            converted = (_S2T if self.rng.random() < 0.7 else _S2HK).convert(piece)
            if converted != piece and fold(converted) == piece:
                self.add("traditional", converted, [piece])

    def width_case(self, n: int) -> None:
        """Pieces with digits or Latin letters typed full width or in another case."""
        pool = [d for d in self.items if any(c.isdigit() for c in d["text"])]
        while self.count("width_case") < n:
            text = fold(self.rng.choice(pool)["text"])
            spots = [i for i, c in enumerate(text) if c.isascii() and c.isalnum()]
            if not spots:
                continue
            at = self.rng.choice(spots)
            piece = text[max(0, at - 2):at + 3]
            typed = "".join(_FULL.get(c.upper(), c) for c in piece)
            if typed != piece:
                self.add("width_case", typed, [piece])

    def near(self, n: int, homophones: dict[str, list[str]]) -> None:
        """A piece with one character wrong (a homophone), missing or extra."""
        while self.count("near") < n:
            piece = _cjk_run(self.rng.choice(_own(self.rng.choice(self.items))), self.rng,
                             self.rng.choice((4, 5, 6)))
            if not piece:
                continue
            how = self.rng.choice(("homophone", "homophone", "missing", "extra"))
            at = self.rng.randrange(1, len(piece) - 1)
            if how == "homophone":
                options = [c for c in homophones.get(piece[at], []) if c != piece[at]]
                if not options:
                    continue
                typed = piece[:at] + self.rng.choice(options) + piece[at + 1:]
            elif how == "missing":
                if len(piece) < 5:  # a missing character is guessed in terms of 4 or more
                    continue
                typed = piece[:at] + piece[at + 1:]
            else:
                typed = piece[:at] + self.rng.choice("的了和在是") + piece[at:]
            if oracle.containing(self.docs, typed):
                continue
            relevant = oracle.matching(self.docs, [piece])
            if 1 <= len(relevant) <= 20:
                self.out.append(Labelled("near", typed, relevant))

    def near_ends(self, n: int, homophones: dict[str, list[str]]) -> None:
        """A piece with its first or last character a homophone, or one character typed twice."""
        added = 0
        while added < n:
            piece = _cjk_run(self.rng.choice(_own(self.rng.choice(self.items))), self.rng,
                             self.rng.choice((4, 5, 6)))
            if not piece:
                continue
            at = self.rng.choice((0, len(piece) - 1))
            if self.rng.random() < 0.5:
                options = [c for c in homophones.get(piece[at], []) if c != piece[at]]
                if not options:
                    continue
                typed = piece[:at] + self.rng.choice(options) + piece[at + 1:]
            else:
                typed = piece[:at] + piece[at] + piece[at:]
            if oracle.containing(self.docs, typed):
                continue
            relevant = oracle.matching(self.docs, [piece])
            if 1 <= len(relevant) <= 20:
                self.out.append(Labelled("near", typed, relevant))
                added += 1

    def near_names(self, n: int, homophones: dict[str, list[str]]) -> None:
        """A cadre's two- or three-character name typed with one homophone, in any of its places."""
        people = [d for d in self.cadres
                  if len(d["title"]) in (2, 3) and all(has_cjk(c) for c in d["title"])]
        self.rng.shuffle(people)
        added = 0
        for doc in people:
            if added == n:
                break
            name = doc["title"]
            at = self.rng.randrange(len(name))
            options = [c for c in homophones.get(name[at], []) if c != name[at]]
            if not options:
                continue
            typed = name[:at] + self.rng.choice(options) + name[at + 1:]
            relevant = oracle.matching(self.docs, [name])
            if oracle.containing(self.docs, typed) or not 1 <= len(relevant) <= 20:
                continue
            self.out.append(Labelled("near", typed, relevant))
            added += 1

    def pinyin_names(self, n: int) -> None:
        """Cadres' names, units and posts in pinyin as people type it."""
        people = self.rng.sample(self.cadres, n)
        for doc in people:
            name = doc["title"]
            syl = lazy_pinyin(name)
            toned = [p[0] for p in pinyin(name, style=Style.TONE)]
            numbered = [p[0] for p in pinyin(name, style=Style.TONE3)]
            given = "".join(lazy_pinyin(name[1:]))
            forms = [" ".join(syl), " ".join(toned).title(), " ".join(numbered), given,
                     syl[0] + "".join(s[0] for s in syl[1:]), "".join(s[0] for s in syl).upper(),
                     " ".join(syl).upper()]
            for q in forms:
                folded = q.replace(" ", "").lower()
                folded = "".join(c for c in folded if c.isalpha())
                self._pinyin(q, _strip_tones(folded))
            path = [u for u in doc["unit_path"][1:] if u]
            if path:
                unit = self.rng.choice(path)
                self._pinyin(" ".join(lazy_pinyin(unit)), "".join(lazy_pinyin(unit)))
            if doc["posts"]:
                self._pinyin("".join(lazy_pinyin(doc["posts"][0])), "".join(lazy_pinyin(doc["posts"][0])))
                # The post by its last words, without its unit (副区长 of 清河区副区长).
                part = [p for p in re.split(r"[^\w]+", doc["posts"][0]) if p][-1]
                syl = lazy_pinyin(part, errors="ignore")
                if len(syl) >= 4:
                    tail = "".join(syl[self.rng.randrange(1, len(syl) - 2):])
                    self._pinyin(tail, tail)

    def _pinyin(self, q: str, form: str) -> None:
        relevant = {d["id"] for d in self.cadres
                    if form in oracle.name_forms(d["title"])
                    or any(form in oracle.phrase_forms(u) for u in [*d["unit_path"], *d["posts"]])}
        if relevant:
            self.out.append(Labelled("pinyin", q, relevant, {"type": "cadre"}))

    def long(self, n: int) -> None:
        """Pasted stretches of 100 to 500 characters of an item's text."""
        pool = [d for d in self.items if len(d["text"]) >= 100]
        while self.count("long") < n:
            text = self.rng.choice(pool)["text"]
            size = self.rng.randrange(100, min(500, len(text)) + 1)
            start = self.rng.randrange(0, len(text) - size + 1)
            pasted = text[start:start + size]
            needle = fold(pasted)
            relevant = {d["id"] for d in self.docs if needle in _folded(d, "text")}
            self.out.append(Labelled("long", pasted, relevant))

    def vocabulary(self) -> None:
        """Every term of every vocabulary group."""
        for group in groups():
            for term in group.terms:
                self.add("vocabulary", term, [fold(term)], most=300)

    def filtered(self, n: int) -> None:
        """A piece of an evidence title with its domain as a filter."""
        evidence = [d for d in self.items if d["type"] == "evidence"]
        while self.count("filtered") < n:
            doc = self.rng.choice(evidence)
            q = fold(doc["title"])[:3]
            relevant = {i for i in oracle.matching(self.docs, [q])
                        if i.startswith("evidence-") and self.by_id[i]["domain"] == doc["domain"]}
            self.out.append(Labelled("filtered", q, relevant, {"domain": doc["domain"], "type": "evidence"}))


def _strip_tones(word: str) -> str:
    return "".join(c for c in word if c.isalpha())


def homophones(docs: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Characters of the corpus grouped by their (toneless) reading."""
    by_sound: dict[str, set[str]] = {}
    chars = {c for d in docs for c in fold(d["title"] + d["text"]) if has_cjk(c)}
    for c in chars:
        for reading in pinyin(c, style=Style.NORMAL, heteronym=False)[0]:
            by_sound.setdefault(reading, set()).add(c)
    out: dict[str, list[str]] = {}
    for same in by_sound.values():
        for c in same:
            out[c] = sorted(same - {c})
    return out


def build(docs: list[dict[str, Any]], seed: int = 20241) -> list[Labelled]:
    """The whole labelled set."""
    b = Builder(docs, seed)
    b.substring(40)
    b.multi_term(40)
    b.phrase(25)
    b.exclude(25)
    b.person_topic(40)
    b.traditional(30)
    b.width_case(20)
    sounds = homophones(docs)
    b.near(30, sounds)
    b.near_names(14, sounds)
    b.pinyin_names(12)
    b.long(12)
    b.vocabulary()
    b.filtered(15)
    b.near_ends(16, sounds)  # last, so the draws above stay as they were
    return b.out
