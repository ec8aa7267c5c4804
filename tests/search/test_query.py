"""The query language, folding, pinyin spellings and highlighting, without a server."""

import random
import re

import pytest

from schemas.pinyin_terms import name_tokens, phrase_piece, phrase_tokens, query_word
from schemas.textfold import (
    DROP,
    STAND_INS,
    fold,
    fold_lines,
    fold_with_positions,
    has_cjk,
    pairs,
    stood_back,
    unpairs,
    unpairs_lines_stood_in,
)
from service.search import near, rank
from service.search.highlight import DROPPED, find_spans, folded_spans, plain, snippet, title_html
from service.search.query import LONG_SEGMENTS, SEGMENT_CHARS, parse


@pytest.mark.parametrize("q", ["城中村 整治", "城中村，整治", "城中村、整治", "城中村；整治", "城中村　整治",
                               "城中村,整治", " 城中村  整治 ", "城中村+整治", "城中村｜整治", "城中村＋整治",
                               "城中村~整治"])
def test_spaces_and_chinese_punctuation_separate_terms(q: str) -> None:
    query = parse(q)
    assert [t.text for t in query.terms] == ["城中村", "整治"]
    assert query.meili() == '"城中 中村" "整治"'


def test_quotes_keep_one_exact_term_and_minus_excludes() -> None:
    query = parse('“城中村 整治” -违建 -"老旧 小区"')
    assert [(t.text, t.quoted) for t in query.terms] == [("城中村整治", True)]
    assert [t.text for t in query.excluded] == ["违建", "老旧小区"]
    assert query.meili() == '"城中 中村 村整 整治" -"违建" -"老旧 旧小 小区"'
    assert parse("－違建 拆除").excluded[0].text == "违建"  # full-width minus, traditional


def test_a_phrase_ends_at_a_line_break_even_without_its_closing_quote() -> None:
    # Pasted text that starts inside a quotation: its first quote mark closes one, which would
    # otherwise open a phrase across lines that no indexed line holds.
    query = parse('服务车”巡查点位。\n针对沿线违建问题，实行“零增量、减存量”')
    assert [(t.text, t.quoted) for t in query.terms] == [
        ("服务车", False), ("巡查点位", True), ("针对沿线违建问题", False), ("实行", False),
        ("零增量减存量", True)]
    assert [(t.text, t.quoted) for t in parse('"城中村\r\n整治').terms] == [
        ("城中村", True), ("整治", False)]


def test_near_matches_never_change_a_digit_or_a_latin_letter() -> None:
    query = parse("2979平方米")
    found = near.specs(query)
    assert {s.position for s in found if s.kind != "insertion"} == {4, 5, 6}  # 平方米 only
    # An item holding 29179平方米 (one extra digit) and 2979平房米 (a wrong character) corrects
    # only the character.
    doc = {"id": "x", "title_c": pairs("29179平方米 2979平房米".replace(" ", "")), "ctx_c": [],
           "body_c": [pairs("2979平房米")], "alt_c": []}
    results = {(s.term_index, s.pieces): [doc] for s in found}
    assert [c.text for c in near.corrections(query, found, results)] == ["2979平房米"]
    assert near.specs(parse("abc1")) == []


def _corrected(typed: str, texts: list[str]) -> list[str]:
    """The corrections of a one-term query over items holding the given texts, best first."""
    query = parse(typed)
    found = near.specs(query)
    docs = [{"id": f"d{i}", "title_c": pairs(t), "ctx_c": [], "body_c": [], "alt_c": []}
            for i, t in enumerate(texts)]
    results = {(s.term_index, s.pieces): docs for s in found}
    return [c.text for c in near.corrections(query, found, results)]


def test_a_doubled_character_is_a_double_key_press() -> None:
    # 招商引资质量 holds a similar-sounding substitution of the last character, and 加装电梯加梯
    # a missing one: the repeated character is still the likeliest slip.
    texts = ["招商引资质量提升", "全市招商引资工作", "加装电梯加梯笼", "老旧小区加装电梯"]
    assert _corrected("招商引资资", texts)[0] == "招商引资"
    assert _corrected("加装电梯梯", texts)[0] == "加装电梯"
    # Even where 加装电梯 nearly always goes on as 加装电梯加 (加快, 加速).
    assert _corrected("加装电梯梯", ["加装电梯加快", "加装电梯加速", "加装电梯加梯笼"])[0] == "加装电梯"


def test_a_wrong_last_character_is_not_read_as_an_extra_one() -> None:
    # Every item holding 安置房建 holds 安置房建设: 没 was a wrong character, not an extra one.
    assert _corrected("安置房建没", ["安置房建设进度", "推进安置房建设"])[0] == "安置房建设"
    assert _corrected("没安置房建", ["设安置房建", "推进安置房建设"])[0] == "安置房建"
    # 城中村改造 goes on in many ways: a last character that fits one of them was an extra one.
    texts = ["城中村改造项目", "城中村改造工作", "城中村改造推进", "城中村改造的难点", "城中村改造"]
    assert _corrected("城中村改造了", texts)[0] == "城中村改造"
    # The rest dropped only loses to that one substitution, not to other fixes: 部的窗口 had 的
    # too many (部窗口), although nearly every 的窗口 here is 年的窗口.
    texts = ["本部窗口受理", "全年的窗口服务", "今年的窗口工作", "本部窗口坐班"]
    assert _corrected("部的窗口", texts)[0] == "部窗口"


@pytest.mark.parametrize("q", ["Lei Jian-jun", "lei jian-jun", "Léi Jiàn-jūn", "LEI JIAN-JUN"])
def test_a_hyphen_between_syllables_joins_a_romanised_given_name(q: str) -> None:
    assert [(t.text, t.kind) for t in parse(q).terms] == [("leijianjun", "pinyin")]


def test_a_hyphenated_word_that_is_not_pinyin_stays_as_typed() -> None:
    assert [(t.text, t.kind) for t in parse("e-government").terms] == [("egovernment", "chars")]
    assert [(t.text, t.kind) for t in parse("G-20").terms] == [("g20", "chars")]


def test_a_two_character_term_is_corrected_by_its_sound_only_when_nothing_was_found() -> None:
    assert near.eligible(parse("董凡"), 0) == [0]
    assert near.eligible(parse("董帆"), 1) == []  # a real name found once: no look-alikes offered
    assert near.eligible(parse("雷建军"), 1) == [0]  # three characters: below NEAR_BELOW as before
    assert near.eligible(parse("g2"), 0) == []
    assert {s.kind for s in near.specs(parse("董凡"))} == {"substitution"}


def test_a_name_the_found_items_are_about_is_not_corrected() -> None:
    names = frozenset({"黄丽坤"})
    assert near.eligible(parse("黄丽坤 考核情况"), 2, names) == [1]  # the topic may be a slip
    assert near.eligible(parse("黄丽坤 考核情况"), 0, names) == [0, 1]  # nothing found: both may
    assert near.eligible(parse("黄丽坤"), 1, frozenset({"黄丽"})) == [0]  # another person's items
    assert all(s.term_index == 1 for s in near.specs(parse("黄丽坤 考核情况"), 2, names))


def test_a_post_found_by_its_last_syllables_is_marked_there_only() -> None:
    doc = {"type": "cadre", "cadre_names": ["雷剑军"], "unit_path": ["江州市", "清河区"],
           "posts": ["清河区副区长"]}
    assert fold("副区长") in rank.needles(parse("fuquzhang"), doc)
    assert fold("清河区副区长") not in rank.needles(parse("fuquzhang"), doc)
    assert fold("清河区副区长") in rank.needles(parse("qhqfqz"), doc)
    assert phrase_piece("江北区委组织部部务委员、副部长", "fubuzhang") == "副部长"
    assert phrase_piece("西山区民政局", "quzhang") is None


def test_a_one_character_term_is_sent_as_that_character() -> None:
    assert parse("王 招商").meili() == '"王" "招商"'
    assert parse("G20").meili() == '"' + pairs("g20") + '"'


@pytest.mark.parametrize("folded", ["", "a", "ab", "城市更新", "12345热线", "𠀀城a1", "g20峰会3c"])
def test_character_pairs_give_the_folded_text_back(folded: str) -> None:
    assert unpairs(pairs(folded)) == folded
    assert all(len(word) == 2 for word in pairs(folded).split()) or len(folded) < 2
    # Every stored word is Chinese characters only (Meilisearch cuts words where scripts change).
    assert all(has_cjk(c) for c in pairs(folded).replace(" ", ""))
    lines = [folded, folded[::-1], ""]
    assert stood_back(unpairs_lines_stood_in([pairs(line) for line in lines])) == "\n".join(lines)


@pytest.mark.parametrize("context", ["", "的", "皇", "乾", "一", "了", "隆", "人", "這們"])
def test_folding_never_outputs_a_stand_in(context: str) -> None:
    for c in STAND_INS:
        assert c not in fold(context + c + context)


def test_a_hyphen_inside_a_word_does_not_exclude() -> None:
    query = parse("G-20 峰会")
    assert not query.excluded and [t.text for t in query.terms] == ["g20", "峰会"]


@pytest.mark.parametrize(("typed", "folded"), [
    ("棚戶區改造", "棚户区改造"), ("舊城", "旧城"), ("衞生", "卫生"), ("ＰＰＰ項目", "ppp项目"),
    ("１２３４５熱線", "12345热线"), ("Ａｂ－Ｃ", "abc"), ("羣衆", "群众"),
])
def test_traditional_variant_full_width_and_case_fold_to_one_form(typed: str, folded: str) -> None:
    assert fold(typed) == folded


@pytest.mark.parametrize(("typed", "word"), [
    ("zhou jian guo", "zhoujianguo"), ("Zhōu Jiànguó", "zhoujianguo"), ("zhou1 jian4 guo2", "zhoujianguo"),
    ("ZHOU JIANGUO", "zhoujianguo"), ("jianguo", "jianguo"), ("zhou jg", "zhoujg"), ("ZJG", "zjg"),
    ("Lǚ Lì", "luli"), ("lv li", "lvli"),
])
def test_pinyin_is_read_however_it_is_typed(typed: str, word: str) -> None:
    query = parse(typed)
    assert [(t.text, t.kind) for t in query.terms] == [(word, "pinyin")]


def test_names_units_and_posts_are_indexed_in_every_pinyin_spelling_searched() -> None:
    assert {"zhoujianguo", "zjg", "jianguo", "zhoujg"} <= set(name_tokens("周建国"))
    assert {"ouyangzhidong", "oyzd", "zhidong", "ouyangzd"} <= set(name_tokens("欧阳志东"))
    assert {"shanzhigang", "danzhigang"} <= set(name_tokens("单志刚"))  # every reading of the surname
    assert {"lvlihua", "lulihua"} <= set(name_tokens("吕丽华"))
    assert set(phrase_tokens("住建局")) == {"zhujianju", "zjj"}
    # A unit or post is also found by its last three or more syllables, part by part.
    assert {"fuquzhang", "qufuquzhang"} <= set(phrase_tokens("清河区副区长"))
    assert "quzhang" not in phrase_tokens("清河区副区长")  # two syllables: a given name's length
    assert {"fubuzhang", "buwuweiyuan"} <= set(phrase_tokens("江北区委组织部部务委员、副部长"))
    assert "minzhengju" in phrase_tokens("西山区民政局")
    assert query_word("城中村") is None and query_word("g20") is None


def test_latin_vocabulary_terms_are_searched_as_characters() -> None:
    assert parse("PPP").terms[0].kind == "chars"
    assert set(parse("PPP").terms[0].forms()) == {"ppp", "政府和社会资本合作"}


def test_pasted_text_is_searched_by_its_longest_segments() -> None:
    pasted = ("围绕新能源汽车零部件产业链开展精准招商，全年外出招商二十余次，拜访企业六十三家，"
              "接待客商来访四十一批次。推动七个项目签约落地，其中两个项目当年开工建设，带动新增就业岗位八百余个。")
    query = parse(pasted)
    assert query.long and 1 <= len(query.terms) <= LONG_SEGMENTS
    assert all(2 <= len(t.text) <= SEGMENT_CHARS and t.text in fold(pasted) for t in query.terms)
    assert "围绕新能源汽车零部件产业链开展精" in [t.text for t in query.terms]
    assert not parse("城中村 整治").long


def test_pasted_text_is_told_apart_by_its_figures_before_its_common_phrases() -> None:
    # Reports written from one template differ in their figures; the common terms and phrases
    # (雨污分流, 加装电梯, 历史文化街区) alone would find every such report.
    pasted = ("历史文化街区保护坚持“绣花功夫”，修缮历史建筑14栋，保留了老街巷肌理。现场看到，粮食局宿舍"
              "已完成雨污分流、管网改造和外立面整治，新增停车位82个、加装电梯8部。居民反映改造后小区环境"
              "明显改善，但部分楼栋加装电梯意见仍未统一，需进一步做好群众工作。")
    segments = [t.text for t in parse(pasted).terms]
    assert {"修缮历史建筑14栋", "新增停车位82个", "加装电梯8部"} <= set(segments)
    assert len(segments) == LONG_SEGMENTS and "雨污分流" not in segments


def test_highlights_mark_the_original_characters_a_folded_query_matched() -> None:
    text = "完成老城片區棚戶區改造，ＰＰＰ項目簽約"
    assert find_spans(text, ["棚户区改造", "ppp"]) == [(6, 11), (12, 15)]
    assert title_html(text, ["棚户区改造"]) == "完成老城片區<mark>棚戶區改造</mark>，ＰＰＰ項目簽約"
    assert snippet("<b>违章建筑</b>拆除", ["违章建筑"]) == "&lt;b&gt;<mark>违章建筑</mark>&lt;/b&gt;拆除"


def test_overlapping_terms_are_marked_as_one_span() -> None:
    assert find_spans("推进城中村改造", ["城中村", "村改造"]) == [(2, 7)]


def test_folding_keeps_a_position_for_every_folded_character() -> None:
    folded, positions = fold_with_positions("Ａ，舊城 ｘ")
    assert folded == "a旧城x" and positions == [0, 2, 3, 5]


@pytest.mark.parametrize("text", ["Ａ，舊城 ｘ", "ﬁ㎡ İß e\u0301 \u00a0x_y\n\nz\r\n舊", "", "\n", "a\nb",
                                  "ＰＰＰ項目\n簽約（完成）", "棚戶區改造，完成率１００％。\n（來源：通報）"])
def test_fast_folding_is_the_character_by_character_folding(text: str) -> None:
    # The table-driven folds against their plain definitions: one character at a time, one line
    # at a time.
    chars = [(i, fold(ch) if len(fold(ch)) == 1 else "") for i, ch in enumerate(text)]
    folded, positions = fold_with_positions(text)
    if all(len(fold(ch)) <= 1 for ch in text):
        assert positions == [i for i, f in chars if f]
    assert len(folded) == len(positions)
    assert fold_lines(text) == "\n".join(fold(line) for line in text.split("\n"))


def test_folding_with_positions_matches_its_definition_on_mixed_text() -> None:
    # Copied runs and character-by-character folding must agree with folding every character:
    # random texts over Chinese (simplified, traditional, extension A), ASCII, full-width,
    # ligature, combining and punctuation characters.
    alphabet = "城市更新舊區㐀䶵ＡＢａｂAbcZ0123１２３，。、 \n\t_-—·İßﬁ㎡\u0301\u00a0\r（）《》!@#體臺灣𠀀"
    rng = random.Random(20261201)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        folded, positions = fold_with_positions(text)
        assert positions == [i for i, ch in enumerate(text) for _ in fold(ch)], text
        assert len(folded) == len(positions)
        if "\u0301" not in text:  # a combining mark composes with its neighbour in fold()
            assert folded == fold(text), text


def test_every_character_the_highlight_shortcut_skips_folds_to_nothing() -> None:
    # The shortcut of find_spans lets these characters stand between a needle's characters:
    # that is only right if folding drops each of them.
    skipped = re.compile(f"[{DROPPED}]")
    chars = [chr(c) for c in range(0x10000) if skipped.fullmatch(chr(c))]
    assert len(chars) > 50
    assert [ch for ch in chars if fold(ch) or not DROP.fullmatch(ch)] == []


def test_highlight_shortcut_finds_what_folding_with_positions_finds() -> None:
    # Texts inside and outside the shortcut's alphabet (traditional, full-width, ligature and
    # combining characters take the full folding), needles cut from their folded form.
    alphabet = "城市更新旧区改造乾隆舊區㐀䶵ABab0１，。、 \n\t_-—·…（）《》“”!@#[]\\體ﬁ\u0301"
    rng = random.Random(20261202)
    shortcut = 0
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        folded = fold(text)
        needles = [folded[i:i + rng.randint(1, 5)] for i in
                   (rng.randrange(len(folded)) for _ in range(rng.randint(1, 3)))] if folded else []
        needles.append("".join(rng.choice("城市更新ab0") for _ in range(2)))
        wanted = tuple(sorted({n for n in needles if n}, key=lambda n: (-len(n), n)))
        assert find_spans(text, needles) == folded_spans(text, wanted), (text, needles)
        if plain(text):  # what the index records: the check is skipped, the spans are the same
            assert find_spans(text, needles, known_plain=True) == folded_spans(text, wanted), text
        shortcut += bool(re.fullmatch(f"[a-zA-Z0-9\u3400-\u9fff{DROPPED}]*", text))
    assert shortcut > 100  # both ways were exercised


def test_pieces_that_spell_a_vocabulary_term_stay_one_term() -> None:
    query = parse("城中村 违法用地、违法建设")
    assert [t.text for t in query.terms] == ["城中村", "违法用地违法建设"]
    assert "两违" in query.terms[1].forms()
    assert [t.text for t in parse("城中村、整治").terms] == ["城中村", "整治"]
