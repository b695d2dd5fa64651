"""Tests for the synthetic demo-text generator (pure Python, no database)."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinxuan.demo import phrases as P
from jinxuan.demo.text import KINDS, SECTIONS, TextFaker, nchars

SEEDS = st.integers(0, 10**6)
FAST = settings(max_examples=60, deadline=None, database=None)
RANGES = [(50, 200), (300, 600), (3000, 3600), (3000, 5000)]
SEED_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"  # shared/ beside the checkout
SEED_FILES = [SEED_DIR / "000_4ed706a4e3ea75be.txt", SEED_DIR / "003_cf5b663ec63ff4f9.part1.txt"]
ALL_CORES = [h + t for h in P.CORE_HEADS for t in P.CORE_TAILS]


def _sample(faker: TextFaker) -> list:
    topic = faker.topic()
    return [
        [faker.org_name(kind) for kind in KINDS],
        faker.person_name(),
        faker.department_title(),
        faker.mobile(),
        faker.email("bank"),
        topic,
        faker.case_title(topic=topic),
        faker.paragraph(topic),
        faker.text_of_length(300, 600, topic),
        faker.quantified_results(4, topic),
    ]


def _bank_strings(obj) -> list[str]:
    """Every string held by the phrase banks, however nested."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        obj = [*obj.keys(), *obj.values()]
    if isinstance(obj, list | tuple | set):
        return [s for item in obj for s in _bank_strings(item)]
    return []


def _all_bank_strings() -> list[str]:
    return [s for name in dir(P) if name.isupper() for s in _bank_strings(getattr(P, name))]


# ---------------------------------------------------------------------------- determinism


@FAST
@given(SEEDS)
def test_same_seed_same_output(seed):
    assert _sample(TextFaker(seed)) == _sample(TextFaker(seed))


def test_different_seeds_differ():
    assert len({repr(_sample(TextFaker(seed))) for seed in range(10)}) == 10


# ---------------------------------------------------------------------------- lengths


@FAST
@given(SEEDS, st.sampled_from(RANGES), st.sampled_from([None, *SECTIONS]))
def test_text_of_length_within_bounds(seed, bounds, section):
    faker = TextFaker(seed)
    text = faker.text_of_length(*bounds, topic=faker.topic(), section=section)
    assert bounds[0] <= nchars(text) <= bounds[1]
    assert all(line for line in text.split("\n"))


@FAST
@given(SEEDS, st.integers(0, 400), st.integers(0, 400))
def test_text_of_length_arbitrary_bounds(seed, a, b):
    lo, hi = min(a, b), max(a, b)
    assert lo <= nchars(TextFaker(seed).text_of_length(lo, hi)) <= hi


def test_long_text_has_several_paragraphs_and_ends_a_sentence():
    text = TextFaker(1).text_of_length(3000, 5000)
    assert text.count("\n") >= 5
    assert all(line.endswith("。") for line in text.split("\n"))


@FAST
@given(SEEDS)
def test_paragraph_bounds_and_topic(seed):
    faker = TextFaker(seed)
    topic = faker.topic()
    text = faker.paragraph(topic)
    assert 100 <= nchars(text) <= 300
    assert "\n" not in text and "{" not in text
    assert 80 <= nchars(faker.paragraph(topic, 80, 120, section="technical")) <= 120


def test_topic_is_used_consistently():
    faker = TextFaker(7)
    topic = {"scenario": "跨境支付", "technology": "区块链", "domain": "跨境数字金融", "customer": "外贸企业"}
    assert faker.topic().keys() == topic.keys()
    text = faker.text_of_length(3000, 3600, topic)
    assert "跨境支付" in text and "区块链" in text
    other = {s for s, *_ in P.SCENARIOS} - {"跨境支付"}
    assert not any(s in text for s in other)


def test_bad_arguments():
    faker = TextFaker(0)
    with pytest.raises(ValueError):
        faker.text_of_length(10, 5)
    with pytest.raises(ValueError):
        faker.paragraph(section="nope")
    with pytest.raises(ValueError):
        faker.org_name("bakery")


# ---------------------------------------------------------------------------- names and titles


def test_org_names_and_short_names():
    faker = TextFaker(3)
    for kind in KINDS:
        for _ in range(20):
            full = faker.org_name(kind)
            short = faker.short_name(full)
            assert full.endswith(tuple(legal for legal, _, _ in P.ORG_SUFFIXES[kind]))
            assert short[:2] in ALL_CORES and len(short) < len(full)
    assert TextFaker.short_name("广州某某银行股份有限公司") == "某某银行"
    assert TextFaker.short_name("深圳市某某科技有限公司") == "某某科技"
    assert TextFaker.short_name("某某数据服务有限公司") == "某某数据服务"


@FAST
@given(SEEDS)
def test_case_titles_short_and_free_of_org_names(seed):
    faker = TextFaker(seed)
    orgs = [faker.org_name(kind) for kind in KINDS]
    names = orgs + [faker.short_name(o) for o in orgs]
    for _ in range(10):
        title = faker.case_title()
        assert 0 < len(title) <= 20
        assert not any(name in title for name in names)
        assert not any(core in title for core in ALL_CORES)
        assert not any(word in title for word in ("公司", "银行", "集团", "研究院", "“", "XX"))
    assert len(faker.case_title(max_chars=12)) <= 12


@FAST
@given(SEEDS)
def test_people_and_contacts(seed):
    faker = TextFaker(seed)
    assert re.fullmatch(r"1[3-9]\d{9}", faker.mobile())
    name = faker.person_name()
    assert 2 <= len(name) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", name)
    dept, title = faker.department_title()
    assert dept in P.DEPARTMENTS and title in P.TITLES
    for hint in ("bank", "瀚澜银行", ""):
        email = faker.email(hint)
        assert email.isascii()
        assert re.fullmatch(r"[a-z0-9]+@[a-z0-9]+\.example\.cn", email)
    assert faker.email("瀚澜银行").split("@")[1] == faker.email("瀚澜银行").split("@")[1]


@FAST
@given(SEEDS, st.integers(1, 30))
def test_quantified_results(seed, n):
    results = TextFaker(seed).quantified_results(n)
    assert len(results) == n
    units = "万元 亿元 % 个百分点 家 户 笔 人次 小时 分钟 倍 份 吨 个".split()
    for sentence in results:
        assert re.search(r"\d", sentence) and sentence.endswith("。")
        assert any(unit in sentence for unit in units)
        assert "{" not in sentence


# ---------------------------------------------------------------------------- originality


def test_phrase_banks_do_not_copy_the_source_documents():
    present = [path for path in SEED_FILES if path.exists()]
    if not present:
        pytest.skip("the source documents (shared/seeds beside the checkout) are not present")
    source = "".join(re.sub(r"\s+", "", path.read_text(encoding="utf-8")) for path in present)
    banks = _all_bank_strings()
    joined = "\n".join(banks)
    sentences = {s for path in present for s in re.split(r"[。！？；\n]", path.read_text(encoding="utf-8"))}
    copied = [s.strip() for s in sentences if len(s.strip()) > 15 and s.strip() in joined]
    assert copied == []
    # and no run of 16 literal characters from a bank string occurs in the sources
    literal = [chunk for s in banks for chunk in re.split(r"\{[^}]*\}", s)]
    runs = [c[i : i + 16] for c in literal for i in range(len(c) - 15) if c[i : i + 16] in source]
    assert runs == []
