import io
import json
import random
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from jinxuan.textmining import similarity as S

SEED_FILE = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "003_cf5b663ec63ff4f9.part1.txt"
from bench.duplicates import EDIT_KINDS, edit, replace_chars  # noqa: E402 - the benchmark's edit kinds, shared


def test_normalize_folds_width_digits_punctuation():
    assert S.normalize("ＡＢ，１２３元 与 45.6%！") == "ab0元与00"
    norm, starts, ends = S.normalize_with_offsets("甲，１２３元")
    assert norm == "甲0元"
    assert (starts, ends) == ([0, 2, 5], [1, 5, 6])


DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def pool():
    from bench.corpus import SentencePool

    return SentencePool(5000, seed=3)


@pytest.mark.parametrize("kind", EDIT_KINDS)
def test_each_edit_kind_is_found(kind, pool):
    base, other, extra, *rest = pool.texts(12, seed=len(kind), min_chars=3000, max_chars=4000)
    index = S.DuplicateIndex()
    index.add_many({"orig": base, "other": other, **{f"r{i}": t for i, t in enumerate(rest)}})
    copy = edit(base, kind, random.Random(kind), extra)
    hits = index.query(copy)
    assert [h.doc_id for h in hits if h.flagged] == ["orig"]
    assert S.passages(copy, base)


def test_distinct_texts_on_one_subject_not_flagged():
    """Two SME-credit cases built on public data, written independently (a province's platform, a city bank)."""
    a = (DATA / "sme_credit_a.txt").read_text(encoding="utf-8")
    b = (DATA / "sme_credit_b.txt").read_text(encoding="utf-8")
    s = S.score(a, b)
    assert not s.flagged() and s.coverage < 0.1
    assert S.score(a, edit(a, "reworded", random.Random(1))).flagged()


@pytest.mark.skipif(not SEED_FILE.exists(), reason="seed texts not available")
def test_seed_documents_not_flagged_against_each_other():
    seeds = sorted(SEED_FILE.parent.glob("00*.txt"))
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in seeds}
    assert len(texts) == 5
    assert S.find_duplicates(texts, with_passages=False) == []
    first_case = texts["003"].split("二等奖")[0]
    sme = (DATA / "sme_credit_a.txt").read_text(encoding="utf-8")
    assert not S.score(first_case, sme).flagged()


@pytest.mark.skipif(not SEED_FILE.exists(), reason="seed text not available")
def test_real_case_reused_among_synthetic_with_passages():
    real = SEED_FILE.read_text(encoding="utf-8")
    rng = random.Random(3)
    # paragraphs shuffled, a tenth of the characters changed, figures altered
    paras = [p for p in real.split("\n") if p.strip()]
    rng.shuffle(paras)
    copy = re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), "\n".join(paras))
    copy = replace_chars(copy, 0.10, rng)
    from bench.corpus import SentencePool

    corpus = dict(enumerate(SentencePool(20_000, seed=5).texts(1000, seed=5)))
    corpus["real"] = real
    pairs = S.find_duplicates({"new": copy}, corpus)
    assert [p.b for p in pairs] == ["real"]
    assert pairs[0].passages
    for p in pairs[0].passages[:5]:
        assert copy[p["a_start"] : p["a_end"]] == p["text_a"]
        assert real[p["b_start"] : p["b_end"]] == p["text_b"]
    json.loads(S.to_json(pairs))


def test_command_on_folder(tmp_path, pool):
    base, other = pool.texts(2, seed=21)
    (tmp_path / "a.txt").write_text(base, encoding="utf-8")
    (tmp_path / "b.txt").write_text(edit(base, "replace5", random.Random(1)), encoding="utf-8")
    (tmp_path / "c.txt").write_text(other, encoding="utf-8")
    out = io.StringIO()
    call_command("text", "similar", str(tmp_path), stdout=out)
    pairs = json.loads(out.getvalue())["pairs"]
    assert [{p["a"], p["b"]} for p in pairs] == [{"a", "b"}]
    assert pairs[0]["passages"] and "coverage" in pairs[0]["scores"]


def test_command_errors(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="找不到"):
        call_command("text", "similar", str(tmp_path / "missing"), stdout=io.StringIO())
    bad = tmp_path / "x.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 1 行"):
        call_command("text", "similar", str(bad), stdout=io.StringIO())


def test_a_verbatim_copy_is_always_flagged():
    from jinxuan.demo.text import TextFaker
    from jinxuan.textmining.similarity import DuplicateIndex

    for seed in range(5):
        text = TextFaker(seed).text_of_length(3000, 4000)
        index = DuplicateIndex()
        index.add("original", text)
        assert [c.flagged for c in index.query(text)] == [True]


def test_templated_texts_not_flagged_once_boilerplate_is_known():
    """Demo prose is built from a few dozen sentence templates: two fakes alone look like copies, but among
    enough indexed texts the template phrases count as boilerplate and only a real copy stands out."""
    from jinxuan.demo.text import TextFaker

    texts = {i: TextFaker(400 + i).text_of_length(3000, 4000) for i in range(24)}
    assert S.score(texts[0], texts[1]).flagged()  # a lone pair has no boilerplate to discount
    assert S.find_duplicates(texts, with_passages=False) == []
    for kind in ("replace10", "reworded", "half"):
        copy = edit(texts[3], kind, random.Random(2), texts[5])
        assert [p.b for p in S.find_duplicates({"copy": copy}, texts, with_passages=False)] == [3], kind


def test_banding_misses_under_a_thousandth_at_jaccard_0_35():
    """The S-curve of the banding in use: P(miss | J=0.35) < 0.1 % (the former 85 x 3 missed 2.4 %)."""
    assert S.BANDS * S.ROWS <= S.NUM_PERM
    assert 1 - S.lsh_probability(0.35) < 0.001
    assert 1 - S.lsh_probability(0.40) < 0.001
    bands, rows = S.lsh_params(256, 0.35, 0.001)
    assert (1 - 0.35**rows) ** bands < 0.001 and bands * rows <= 256
    with pytest.raises(ValueError):
        S.lsh_params(8, 0.35, 1e-9)


def test_planted_copies_at_jaccard_0_35_to_0_40_are_all_candidates(pool):
    """200 copies of pool texts with sentences replaced until Jaccard 0.35-0.40 (the bench's borderline mode):
    the LSH stage returns every source as a candidate, and exact scoring flags it."""
    from bench.duplicates import _borderline_copy

    texts = pool.texts(60, seed=11, min_chars=1500, max_chars=3000)
    sentences = re.findall(r"[^。！？；\n]+[。！？；]?", "".join(pool.texts(40, seed=12)))
    index = S.DuplicateIndex()
    index.add_many(dict(enumerate(texts)))
    rng = random.Random(5)
    missed, copies = [], 0
    while copies < 200:
        src = rng.randrange(len(texts))
        made = _borderline_copy(texts[src], sentences, rng, 0.35, 0.40)
        if made is None:
            continue
        copies += 1
        sig = S.text_signature(made[0])
        if src not in {k for k, _ in index.candidates(sig)}:
            missed.append(round(made[1], 3))
    assert missed == []
