import io
import json
import random
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from jinxuan.demo.text import TextFaker
from jinxuan.textmining import similarity as S

SEED_FILE = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "003_cf5b663ec63ff4f9.part1.txt"
from bench.duplicates import edit, replace_chars  # noqa: E402, F401 - the benchmark's edit kinds, shared


def test_normalize_folds_width_digits_punctuation():
    assert S.normalize("ＡＢ，１２３元 与 45.6%！") == "ab0元与00"
    norm, starts, ends = S.normalize_with_offsets("甲，１２３元")
    assert norm == "甲0元"
    assert (starts, ends) == ([0, 2, 5], [1, 5, 6])


@pytest.mark.parametrize("kind", ["replace2", "replace5", "replace10", "shuffle_drop20", "add50", "half"])
def test_each_edit_kind_is_found(kind):
    rng = random.Random(kind)
    faker = TextFaker(11)
    base = faker.text_of_length(3000, 4000)
    other = TextFaker(12).text_of_length(3000, 4000)
    index = S.DuplicateIndex()
    index.add_many({"orig": base, "other": other})
    hits = index.query(edit(base, kind, rng, TextFaker(13).text_of_length(3000, 4000)))
    assert [h.doc_id for h in hits if h.flagged] == ["orig"]


def test_same_topic_fakes_not_flagged():
    for i in range(5):
        topic = TextFaker(100 + i).topic()
        a = TextFaker(200 + i).text_of_length(3000, 4000, topic)
        b = TextFaker(300 + i).text_of_length(3000, 4000, topic)
        assert not S.score(a, b).flagged(), i


@pytest.mark.skipif(not SEED_FILE.exists(), reason="seed text not available")
def test_real_case_reused_among_synthetic_with_passages():
    real = SEED_FILE.read_text(encoding="utf-8")
    rng = random.Random(3)
    faker = TextFaker(5)
    # paragraphs shuffled, a tenth of the characters changed, figures altered
    paras = [p for p in real.split("\n") if p.strip()]
    rng.shuffle(paras)
    copy = re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), "\n".join(paras))
    copy = replace_chars(copy, 0.10, rng)
    corpus = {f"f{i}": faker.text_of_length(3000, 4000) for i in range(1000)}
    corpus["real"] = real
    pairs = S.find_duplicates({"new": copy}, corpus)
    assert [p.b for p in pairs] == ["real"]
    assert pairs[0].passages
    for p in pairs[0].passages[:5]:
        assert copy[p["a_start"] : p["a_end"]] == p["text_a"]
        assert real[p["b_start"] : p["b_end"]] == p["text_b"]
    json.loads(S.to_json(pairs))


def test_command_on_folder(tmp_path):
    base = TextFaker(21).text_of_length(3000, 4000)
    (tmp_path / "a.txt").write_text(base, encoding="utf-8")
    (tmp_path / "b.txt").write_text(edit(base, "replace5", random.Random(1)), encoding="utf-8")
    (tmp_path / "c.txt").write_text(TextFaker(22).text_of_length(3000, 4000), encoding="utf-8")
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
