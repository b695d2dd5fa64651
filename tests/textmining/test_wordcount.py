"""Word-compatible 字数: hand-counted examples, properties, the code-point tables and `jinxuan text count`."""

import io
import json
import re
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from jinxuan.textmining import wordcount
from jinxuan.textmining.wordcount import count_detail, word_count

WORDCOUNT_JS = Path(wordcount.__file__).resolve().parents[1] / "static" / "jinxuan" / "wordcount.js"

# (text, count, cjk, punctuation, latin_runs), each counted by hand in the comment.
EXAMPLES = [
    # nothing
    ("", 0, 0, 0, 0),
    # spaces only
    ("     ", 0, 0, 0, 0),
    # newlines, tabs, CR and an ideographic space U+3000 are all white space
    ("\n\t \r\n\u3000", 0, 0, 0, 0),
    # 数 字 金 融 = 4 Han
    ("数字金融", 4, 4, 0, 0),
    # 数字金融 4 + ， 1 + 创新案例 4 + 。 1
    ("数字金融，创新案例。", 10, 8, 2, 0),
    # 基于 2 | 5G 1 | 和 1 | AI 1 | 大模型的 4 | XPay 1 | 平台 2 | ， 1 | 服务超 3 | 1,800+ 1 | 家企业 3 |
    # （ 1 | 2024 1 | 年 1 | ） 1 | 。 1  → Han 16, punctuation 4, runs 5
    ("基于5G和AI大模型的XPay平台，服务超1,800+家企业（2024年）。", 25, 16, 4, 5),
    # “ 1 + 数字人民币 5 + ” 1
    ("“数字人民币”", 7, 5, 2, 0),
    # ‘ 1 + 试点 2 + ’ 1 (’ after a Han character is a closing quote, not an apostrophe)
    ("‘试点’", 4, 2, 2, 0),
    # 《 1 + 金融科技发展规划 8 + 》 1
    ("《金融科技发展规划》", 10, 8, 2, 0),
    # 支付 2 、 1 清算 2 、 1 结算 2
    ("支付、清算、结算", 8, 6, 2, 0),
    # 创新 2 + —— two U+2014 = 2 + 监管 2
    ("创新——监管", 6, 4, 2, 0),
    # 未完待续 4 + …… two U+2026 = 2
    ("未完待续……", 6, 4, 2, 0),
    # full-width Ａ Ｂ １ ２: 4 East-Asian characters, not one word
    ("ＡＢ１２", 4, 4, 0, 0),
    # Ｘ Ｐ ａ ｙ 4 + 平台 2
    ("ＸＰａｙ平台", 6, 6, 0, 0),
    # 点赞 2 + 👍 1
    ("点赞👍", 3, 2, 1, 0),
    # 👍🏽 (thumb + skin tone) 1, 👨‍👩‍👧 (three people joined by ZWJ) 1, 🇨🇳 (two regional indicators) 1
    ("👍🏽👨\u200d👩\u200d👧🇨🇳", 3, 0, 3, 0),
    # 𠮷 U+20BB7 (Ext-B, a surrogate pair in JavaScript) 1 + 野家 2
    ("𠮷野家", 3, 3, 0, 0),
    # 㐀 U+3400 (Ext-A) 1 + 𠀀 U+20000 (Ext-B) 1 + 𪜀 U+2A700 (Ext-C) 1
    ("㐀𠀀𪜀", 3, 3, 0, 0),
    # "XPay," 1 (comma sticks to the word) + "e-CNY" 1
    ("XPay, e-CNY", 2, 0, 0, 2),
    # "3.5%" 1 + "1,800+" 1 + "A/B" 1
    ("3.5% 1,800+ A/B", 3, 0, 0, 3),
    # 增长 2 | 3.5% 1 | ， 1 | 达 1 | 1,800+ 1 | 家 1
    ("增长3.5%，达1,800+家", 7, 4, 1, 2),
    # e-CNY 1 + 钱包 2 ; A/B 1 + 测试 2
    ("e-CNY钱包与A/B测试", 7, 5, 0, 2),
    # カ タ カ ナ 4 + と 1 + ひ ら が な 4
    ("カタカナとひらがな", 9, 9, 0, 0),
    # half-width katakana ｶ ﾀ ｶ ﾅ: 1 each, as in Word
    ("ｶﾀｶﾅ", 4, 4, 0, 0),
    # 한 국 어 3 + 단 어 2 (hangul syllables count one by one)
    ("한국어 단어", 5, 5, 0, 0),
    # "don’t" 1 (’ between letters is an apostrophe) + "panic" 1
    ("don’t panic", 2, 0, 0, 2),
    # 他说 2 | ‘ 1 | OK 1 | ’ 1 | 。 1
    ("他说‘OK’。", 6, 2, 3, 1),
    # Hello 1 + world 1
    ("Hello world", 2, 0, 0, 2),
    # 第一行 3 + 第二行 3 + 完 1; \n and \t count nothing
    ("第一行\n第二行\t完", 7, 7, 0, 0),
    # 成立于 3 | "(2024)" 1 (half-width brackets stay in the run) | 年 1
    ("成立于(2024)年", 5, 4, 0, 1),
    # A 1 | - 1 (a lone half-width symbol is a word in Word) | B 1
    ("A - B", 3, 0, 0, 3),
    # "25 °C" with a no-break space: one word, as in Word
    ("25\u00a0°C", 1, 0, 0, 1),
    # ① 1 + 提升效率 4 + ② 1 + 降低成本 4
    ("①提升效率②降低成本", 10, 8, 2, 0),
    # 5G 1 | 和 1 | AI 1
    ("5G和AI", 3, 1, 0, 2),
    # café 1 + "cafe" + combining acute 1 (the mark joins the run)
    ("café cafe\u0301", 2, 0, 0, 2),
    # ★ 1 + 重点 2 + ★ 1
    ("★重点★", 4, 2, 2, 0),
    # 中 1 + no-break space (joiner, 0) + 文 1
    ("中\u00a0文", 2, 2, 0, 0),
    # 。 ， ！ ？ ： ； full-width punctuation only: 6
    ("。，！？：；", 6, 0, 6, 0),
]


@pytest.mark.parametrize(("text", "count", "cjk", "punctuation", "latin_runs"), EXAMPLES)
def test_hand_counted(text, count, cjk, punctuation, latin_runs):
    assert count_detail(text) == {"count": count, "cjk": cjk, "punctuation": punctuation, "latin_runs": latin_runs}
    assert word_count(text) == count


def test_long_text_counts_additively():
    text = "数字金融创新案例：基于AI大模型的XPay平台（2024年）服务超1,800+家企业，“好评”不断……\n" * 2000
    detail = count_detail(text)
    assert len(text) > 100_000
    assert detail["count"] == 2000 * word_count(text.splitlines()[0])


# ---- properties -------------------------------------------------------------------------------

SPACES = " \t\n\r\u3000\u2003\u200b"
texts = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("数字金融创新𠀀𠮷ＡＢ１，。“”‘’《》、—…①★👍🏽\u200d🇨🇳aZ09.,%+-/' \u00a0\u0301"),
    ),
    max_size=40,
)
whitespace = st.text(st.sampled_from(SPACES), min_size=1, max_size=4)


def _is_space(ch: str) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in wordcount.WHITESPACE)


@given(texts, texts)
def test_space_separated_parts_add_up(a, b):
    assert word_count(a + " " + b) == word_count(a) + word_count(b)


@given(texts, texts)
def test_a_han_character_separates_and_counts_one(a, b):
    assert word_count(a + "中" + b) == word_count(a) + 1 + word_count(b)


@given(texts, whitespace, whitespace)
def test_padding_with_whitespace_changes_nothing(text, left, right):
    assert word_count(left + text + right) == word_count(text)


@given(texts, whitespace)
def test_widening_existing_whitespace_changes_nothing(text, extra):
    widened = "".join(ch + extra if _is_space(ch) else ch for ch in text)
    assert word_count(widened) == word_count(text)


@given(texts)
def test_count_bounded_by_non_whitespace_code_points(text):
    detail = count_detail(text)
    assert detail["count"] == detail["cjk"] + detail["punctuation"] + detail["latin_runs"]
    assert min(detail.values()) >= 0
    assert detail["count"] <= sum(1 for ch in text if not _is_space(ch))


@given(st.lists(st.sampled_from(["数", "，", "“", "ＡＢ", "𠀀", "👍"]), max_size=20))
def test_east_asian_characters_count_one_each(parts):
    text = "".join(parts)
    assert word_count(text) == len(text)


# ---- the code-point tables --------------------------------------------------------------------

TABLES = ("WHITESPACE", "JOINERS", "CJK", "PUNCT", "EMOJI")


def test_tables_are_sorted_and_disjoint():
    ranges = sorted((lo, hi, name) for name in TABLES for lo, hi in getattr(wordcount, name))
    for lo, hi, _ in ranges:
        assert lo <= hi
        assert not 0xD800 <= lo <= 0xDFFF and not 0xD800 <= hi <= 0xDFFF
    for (_, hi1, n1), (lo2, _, n2) in zip(ranges, ranges[1:], strict=False):
        assert hi1 < lo2, f"{n1} and {n2} overlap at U+{lo2:04X}"
    for name in TABLES:
        table = getattr(wordcount, name)
        assert list(table) == sorted(table)


def test_javascript_carries_the_same_tables():
    source = WORDCOUNT_JS.read_text(encoding="utf-8")
    for name in TABLES:
        block = re.search(rf"var {name} = \[(.*?)\];", source, re.S)
        assert block, f"{name} missing from wordcount.js"
        pairs = tuple((int(lo, 16), int(hi, 16)) for lo, hi in re.findall(r"\[0x([0-9A-F]+), 0x([0-9A-F]+)\]", block[1]))
        assert pairs == getattr(wordcount, name), name


# ---- `jinxuan text count` ---------------------------------------------------------------------


def _run_count(monkeypatch, stdin) -> dict:
    monkeypatch.setattr(sys, "stdin", stdin)
    out = io.StringIO()
    call_command("text", "count", stdout=out)
    return json.loads(out.getvalue())


def test_command_counts_stdin(monkeypatch):
    text = "基于5G和AI大模型的XPay平台，服务超1,800+家企业（2024年）。\n"
    assert _run_count(monkeypatch, io.StringIO(text)) == {"count": 25, "cjk": 16, "punctuation": 4, "latin_runs": 5}


def test_command_reads_utf8_bytes_whatever_the_locale(monkeypatch):
    raw = "\ufeff“数字人民币” e-CNY".encode()
    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="latin-1")
    assert _run_count(monkeypatch, stdin) == {"count": 8, "cjk": 5, "punctuation": 2, "latin_runs": 1}


def test_command_output_is_readable_json(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    out = io.StringIO()
    call_command("text", "count", stdout=out)
    assert out.getvalue().strip() == '{"count": 0, "cjk": 0, "punctuation": 0, "latin_runs": 0}'


def test_command_rejects_invalid_utf8(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"ab\xff"), encoding="latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("text", "count", stdout=io.StringIO())


def test_command_requires_a_subcommand():
    with pytest.raises(CommandError):
        call_command("text", stdout=io.StringIO())
