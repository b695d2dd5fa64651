"""The recall function of bench/library_search.py, and the search against it on a small corpus."""

import pytest

from bench.library_search import percentile, precision, recall, substring_hits
from jinxuan.library import grams, search, services

DOCS = {
    1: "数字普惠金融服务小微企业",
    2: "智能风控与征信",
    3: "普，惠两字不相邻的风险控制",
    4: "ＡＩ驱动的普惠信贷",
}


def test_recall_and_precision():
    assert recall({1, 2}, {1, 2, 3, 4}) == 0.5
    assert recall(set(), set()) == 1.0
    assert recall({9}, set()) == 1.0
    assert precision({1, 9}, {1}) == 0.5
    assert percentile([1, 2, 3, 4, 5], 0.5) == 3
    assert percentile([10.0, 20.0], 0.95) == pytest.approx(19.5)


def test_substring_hits():
    docs = {k: grams.normalize(v) for k, v in DOCS.items()}
    assert substring_hits(docs, "普惠") == {1, 4}
    assert substring_hits(docs, "风控 征信") == {2}
    assert substring_hits(docs, "ai") == {4}


def test_search_reaches_full_recall_on_small_corpus(gz):
    ids = {}
    for k, text in DOCS.items():
        ids[services.add_historical_case(campaign=gz, title=f"案例{k}", paragraphs=[text]).pk] = k
    docs = {pk: grams.normalize(f"案例{k}\n{DOCS[k]}") for pk, k in ids.items()}
    for q in ["普惠", "风控", "征信", "普惠金融", "风控 征信", "AI", "惠", "风险控制"]:
        expected = substring_hits(docs, q)
        found = search.matching_ids(q)
        assert recall(found, expected) == 1.0 and precision(found, expected) == 1.0, q
    assert {ids[i] for i in search.matching_ids("普惠")} == {1, 4}
