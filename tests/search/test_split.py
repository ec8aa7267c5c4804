"""Terms typed together (a name and a topic without a space): suggested apart, never read silently."""

from typing import Any

from schemas.textfold import fold
from service.search import split
from service.search.query import parse
from tests.search.conftest import Library, search


def _joined_cases(library: Library) -> list[tuple[str, str]]:
    """(name, topic) pairs from items about one cadre: a piece of the title without the name."""
    out: list[tuple[str, str]] = []
    for doc in sorted(library.visible(), key=lambda d: d["id"]):
        if doc["type"] != "record" or len(doc["cadre_names"]) != 1:
            continue
        name = doc["cadre_names"][0]
        title = fold(doc["title"]).replace(fold(name), "|")
        topic = next((title[i:i + 4] for i in range(len(title) - 3)
                      if "|" not in title[i:i + 4] and not any(ch.isdigit() for ch in title[i:i + 4])),
                     None)
        if topic and 2 <= len(name) <= 3 and all(n != name for n, _ in out):
            out.append((name, topic))
        if len(out) == 6:
            break
    return out


async def test_a_name_and_a_topic_typed_together_are_suggested_apart(library: Library) -> None:
    checked = 0
    for name, topic in _joined_cases(library):
        spaced = await search(library.client, f"{name} {topic}", per_page=20)
        for joined in (name + topic, topic + name):
            body = await search(library.client, joined)
            if body["total"] or not spaced["total"]:
                continue  # found as typed, or nothing to suggest
            checked += 1
            assert body["hits"] == [] and body["near"] is not None, joined
            expected = f"{name} {topic}" if joined.startswith(name) else f"{topic} {name}"
            assert body["near"]["suggestion"] == expected, joined
            apart = await search(library.client, expected, per_page=20)
            assert [h["id"] for h in body["near"]["hits"]] == [h["id"] for h in apart["hits"]]
            assert body["near"]["total"] == apart["total"] == spaced["total"]
    assert checked >= 6


async def test_a_name_and_a_topic_joined_by_a_function_word_are_suggested_apart(library: Library) -> None:
    checked = 0
    for name, topic in _joined_cases(library):
        spaced = await search(library.client, f"{name} {topic}", per_page=20)
        if (await search(library.client, name + topic))["total"]:
            continue  # the word is an extra character of a phrase that stands in a text: a near match
        for word in ("的", "和", "在"):
            joined = f"{name}{word}{topic}"
            body = await search(library.client, joined)
            if body["total"] or not spaced["total"]:
                continue
            checked += 1
            assert body["hits"] == [] and body["near"] is not None, joined
            assert body["near"]["suggestion"] == f"{name} {topic}", joined
            assert body["near"]["total"] == spaced["total"]
    assert checked >= 6


async def test_a_name_typed_together_with_a_mistyped_topic_is_suggested_apart_and_corrected(
        library: Library) -> None:
    checked = 0
    for name, topic in _joined_cases(library):
        spaced = await search(library.client, f"{name} {topic}", per_page=20)
        if not spaced["total"] or (await search(library.client, name + topic))["total"]:
            continue  # nothing to suggest, or a phrase in a text that a near match corrects whole
        typed = f"{name}{topic[:2]}鹮{topic[2:]}"  # an extra character found nowhere
        body = await search(library.client, typed)
        assert body["total"] == 0 and body["near"] is not None, typed
        assert body["near"]["suggestion"] == f"{name} {topic}", typed
        assert body["near"]["total"] == spaced["total"]
        checked += 1
    assert checked >= 3


def test_the_cut_to_correct_has_one_part_found_alone_a_name_first() -> None:
    cuts = split.cuts(parse("周建国招商引姿"))
    name: dict[str, Any] = {"id": "cadre-1", "cadre_names": ["周建国"]}
    alone: dict[str, list[dict[str, Any]]] = {"周建": [name], "周建国": [name],
                                              "招商": [{"id": "record-1"}]}
    assert split.to_correct(cuts, alone) is not None
    assert split.to_correct(cuts, alone).query.text() == "周建国 招商引姿"  # type: ignore[union-attr]
    # Both parts found alone (never together) or neither: nothing to correct.
    both: dict[str, list[dict[str, Any]]] = {"周建国": [name], "招商引姿": [{"id": "record-2"}]}
    assert split.to_correct(cuts, both) is None
    assert split.to_correct(cuts, {}) is None


async def test_nothing_is_suggested_when_no_cut_finds_anything_or_the_query_finds_items(
        library: Library) -> None:
    body = await search(library.client, "鹳鹬鸻鹭鹮鹳")
    assert body["total"] == 0 and body["near"] is None
    found = await search(library.client, "雁栖湾城中村改造")
    assert found["total"] and found["near"] is None


def test_cuts_leave_quoted_terms_vocabulary_terms_and_short_terms_whole() -> None:
    assert [c.query.text() for c in split.cuts(parse("周建国雁栖湾"))] == [
        "周建 国雁栖湾", "周建国 雁栖湾", "周建国雁 栖湾"]
    assert split.cuts(parse('"周建国雁栖湾"')) == []
    assert split.cuts(parse("双招双引")) == []
    assert split.cuts(parse("城中村")) == []
    cut = split.cuts(parse("招商 周建国雁栖湾 -拆违"))[1]
    assert cut.query.text() == "招商 周建国 雁栖湾 -拆违" and cut.parts == ("周建国", "雁栖湾")
    # A cut is judged by its own parts: the other term (招商, two characters) makes no side short.
    assert not split.cuts(parse("招商 城中村改造推进滞后"))[2].first_round()


def test_a_function_word_between_two_parts_makes_a_cut_without_it() -> None:
    first = split.cuts(parse("周建国的雁栖湾"))
    assert (first[0].query.text(), first[0].dropped) == ("周建国 雁栖湾", "的")
    assert first[0].first_round()
    assert [c.query.text() for c in split.cuts(parse("雁栖湾关于周建国")) if c.dropped] == ["雁栖湾 周建国"]
    # Each side keeps two or more characters: 的 at the edge is not a cut.
    assert not [c for c in split.cuts(parse("的雁栖湾周")) if c.dropped]


def test_a_request_typed_as_a_sentence_is_cut_at_its_function_words_without_its_frame() -> None:
    said = split.sentence("关于周建国同志在城中村改造中的表现")
    assert said == (("周建国", "城中村改造"), "关于表现的同志在")
    assert split.sentence("周建国同志的城中村改造工作")[0] == ("周建国", "城中村改造")  # type: ignore[index]
    assert split.sentence("周建国和李明在雁栖湾")[0] == ("周建国", "李明", "雁栖湾")  # type: ignore[index]
    # One function word and no frame: the plain cuts cover it. 和谐 keeps its 和.
    assert split.sentence("周建国的雁栖湾") is None
    assert split.sentence("现在的和谐社区") is None
    cut = split.cuts(parse("关于周建国同志的城中村改造情况"))[0]
    assert cut.query.text() == "周建国 城中村改造" and cut.first_round()


async def test_a_name_and_a_topic_asked_for_in_a_sentence_are_suggested_apart(library: Library) -> None:
    checked = 0
    for name, topic in _joined_cases(library):
        spaced = await search(library.client, f"{name} {topic}", per_page=20)
        if not spaced["total"]:
            continue
        for said in (f"关于{name}同志在{topic}方面的工作情况", f"{name}同志的{topic}表现"):
            body = await search(library.client, said)
            assert body["total"] == 0 and body["near"] is not None, said
            assert body["near"]["suggestion"] == f"{name} {topic}", said
            assert body["near"]["total"] == spaced["total"]
            checked += 1
    assert checked >= 6
