"""wordcount.js in Chromium gives exactly the Python counts; the live counters under form fields."""

import random
from pathlib import Path

import pytest

from jinxuan.textmining import wordcount
from jinxuan.textmining.wordcount import count_detail
from tests.textmining.test_wordcount import EXAMPLES, TABLES

pytestmark = pytest.mark.e2e
SCRIPT = Path(wordcount.__file__).resolve().parents[1] / "static" / "jinxuan" / "wordcount.js"


@pytest.fixture
def blank(browser):  # noqa: F811
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_content("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>")
    yield page
    context.close()


def js_details(page, texts):
    if not page.evaluate("typeof window.jinxuanWordCount === 'function'"):
        page.add_script_tag(path=str(SCRIPT))
    return page.evaluate(
        "texts => texts.map(t => [window.jinxuanWordCount(t), window.jinxuanWordCount.detail(t)])", texts
    )


def assert_same(page, texts):
    for text, (total, detail) in zip(texts, js_details(page, texts), strict=True):
        expected = count_detail(text)
        assert detail == expected, f"{text!r}: JS {detail} ≠ Python {expected}"
        assert total == expected["count"]


def test_hand_counted_examples_match(blank):
    assert_same(blank, [example[0] for example in EXAMPLES])


def random_texts(n=200, seed=20250601):
    rng = random.Random(seed)
    pools = [
        lambda: chr(rng.randint(0x4E00, 0x9FFF)),  # Han
        lambda: rng.choice("abcdefghijklmnopqrstuvwxyzXPAYCNY"),
        lambda: rng.choice("0123456789"),
        lambda: rng.choice(".,;:%+-/()'\"!?&"),
        lambda: rng.choice("，。、；：？！（）《》“”‘’—…【】～"),
        lambda: rng.choice(" \t\n\u3000"),
        lambda: rng.choice("𠀀𠮷𪜀"),  # Ext-B/C: surrogate pairs in JavaScript
        lambda: rng.choice("ＡＢ１２かなカナ한국ｶﾅ①★"),
        lambda: rng.choice(["👍", "👍🏽", "👨\u200d👩\u200d👧", "🇨🇳", "1\ufe0f\u20e3", "\u00a0", "\u0301", "é"]),
    ]
    weights = [30, 15, 8, 6, 10, 12, 3, 6, 3]
    return ["".join(rng.choices(pools, weights)[0]() for _ in range(rng.randint(0, 60))) for _ in range(n)]


def test_random_mixed_strings_match(blank):
    texts = random_texts()
    assert len(texts) == 200 and any("𠀀" in t or "𠮷" in t for t in texts)
    assert_same(blank, texts)


def test_every_table_boundary_matches(blank):
    """Both ends of every range and their neighbours, alone and between letters and Han, so any
    difference between the Python and the JavaScript character classes shows up."""
    points = set()
    for name in TABLES:
        for lo, hi in getattr(wordcount, name):
            points.update({lo - 1, lo, hi, hi + 1})
    points = sorted(p for p in points if 0 < p <= 0x10FFFF and not 0xD800 <= p <= 0xDFFF)
    texts = []
    for p in points:
        c = chr(p)
        texts += [c, f"a{c}b", f"中{c}文", f"{c}{c} {c}", f"x’{c}", f"👍{c}", f"🇨{c}"]
    assert_same(blank, texts)


# ---- live counters ------------------------------------------------------------------------------


def counter(page):
    return page.locator(".char-counter")


def test_counter_flags_text_over_the_maximum(blank):
    blank.set_content("<textarea data-max-chars='5'></textarea>")
    blank.add_script_tag(path=str(SCRIPT))
    assert counter(blank).inner_text() == "已输入 0 字 / 上限 5 字"
    assert counter(blank).get_attribute("aria-live") == "polite"
    blank.locator("textarea").press_sequentially("数字金融创新")
    text = counter(blank).inner_text()
    assert "6" in text and "超出 1 字" in text
    assert "over" in counter(blank).get_attribute("class").split()
    assert blank.locator("textarea").get_attribute("aria-invalid") == "true"
    blank.locator("textarea").fill("数字金融")
    assert counter(blank).get_attribute("class") == "char-counter"
    assert blank.locator("textarea").get_attribute("aria-invalid") is None


def test_counter_flags_text_under_the_minimum(blank):
    blank.set_content("<label>简介<input data-min-chars='10' value=''></label>")
    blank.add_script_tag(path=str(SCRIPT))
    assert counter(blank).inner_text() == "已输入 0 字 / 至少 10 字"
    assert "under" not in counter(blank).get_attribute("class")  # untouched and empty: not flagged yet
    blank.locator("input").press_sequentially("XPay 平台")
    assert counter(blank).inner_text() == "已输入 3 字 / 至少 10 字（还差 7 字）"
    assert "under" in counter(blank).get_attribute("class").split()
    assert blank.locator("input").get_attribute("aria-invalid") == "true"
    assert counter(blank).get_attribute("id") in blank.locator("input").get_attribute("aria-describedby")


def test_counter_is_added_to_fields_swapped_in_by_htmx(blank):
    blank.set_content("<div id='slot'></div>")
    blank.add_script_tag(path=str(SCRIPT))
    blank.evaluate("""() => {
        document.getElementById('slot').innerHTML =
            '<textarea data-min-chars="2" data-max-chars="8">“好”</textarea>';
        document.getElementById('slot').dispatchEvent(new CustomEvent('htmx:afterSwap', {bubbles: true}));
        document.body.dispatchEvent(new CustomEvent('htmx:afterSwap', {bubbles: true}));
    }""")
    assert counter(blank).count() == 1
    assert counter(blank).inner_text() == "已输入 3 字 / 至少 2 字 / 上限 8 字"
