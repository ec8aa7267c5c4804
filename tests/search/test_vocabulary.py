"""One test per vocabulary group: every term of the group finds an item written with any other.

Each group has two items in the library (tests/search/conftest.py): one whose text uses the
group's first term and one using its last; both carry the group's marker in their title.
"""

import pytest

from schemas.textfold import fold
from schemas.vocabulary import groups
from tests.search.conftest import Library, search, vocab_marker

GROUPS = groups()


def test_the_vocabulary_is_a_maintained_list_of_real_alternatives() -> None:
    assert len(GROUPS) >= 150
    seen: dict[str, int] = {}
    for i, group in enumerate(GROUPS):
        folded = [fold(t) for t in group.terms]
        assert len(folded) >= 2 and group.note, group
        # A term that is a substring of another adds nothing: substrings already match.
        assert not [(a, b) for a in folded for b in folded if a != b and a in b], group
        for term in folded:
            assert seen.setdefault(term, i) == i, (term, "in two groups")


@pytest.mark.parametrize("index", range(len(GROUPS)),
                         ids=[f"{i:03d}-{g.terms[0]}" for i, g in enumerate(GROUPS)])
async def test_each_term_of_a_group_finds_items_written_with_any_other(library: Library, index: int) -> None:
    covered = set(library.covered.get(index, {}).values())
    for term in GROUPS[index].terms:
        # The group's name also finds the items naming what it covers; its other terms do not.
        wanted = set(library.vocab[index]) | (covered if term == GROUPS[index].terms[0] else set())
        body = await search(library.client, f"{vocab_marker(index)} {term}", per_page=100)
        assert {h["id"] for h in body["hits"]} == wanted, term
        assert all("<mark>" in h["snippet_html"] for h in body["hits"]), term


COVERING = [i for i, g in enumerate(GROUPS) if g.covers]


def test_what_a_group_covers_is_listed_with_care() -> None:
    assert len(COVERING) >= 10
    for i in COVERING:
        group = GROUPS[i]
        # Each thing is named on its own (a part of the group's name would match as a substring).
        assert all(fold(c) not in fold(group.terms[0]) for c in group.covers), group
        assert "所含事项" in group.note, group


@pytest.mark.parametrize("index", COVERING, ids=[f"{i:03d}-{GROUPS[i].terms[0]}" for i in COVERING])
async def test_a_thing_a_group_covers_does_not_find_the_groups_name(library: Library, index: int) -> None:
    # 违法建设 finds what names 违法建设, not a text that only says 两违 (which may be about land).
    named_only = library.vocab[index][0]
    for thing, item in library.covered[index].items():
        body = await search(library.client, f"{vocab_marker(index)} {thing}", per_page=100)
        found = {h["id"] for h in body["hits"]}
        assert item in found and named_only not in found, thing
