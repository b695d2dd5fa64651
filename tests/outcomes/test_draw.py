import hashlib
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinxuan.outcomes.draw import (
    DrawResult,
    allocate,
    commitment,
    draw,
    new_seed,
    ranking_digest,
    sample_size,
    verify,
)

# --- An independent re-implementation of the published recipe (hashlib only) -------------


def recipe_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recipe_canonical(ranked) -> str:
    parts = []
    for app, track in ranked:
        app_text = str(app) if isinstance(app, int) else '"' + app + '"'
        parts.append("[" + app_text + ',"' + track + '"]')
    return "[" + ",".join(parts) + "]"


def recipe_draw(seed, ranked, count, stratified):
    digest = recipe_sha(recipe_canonical(ranked))
    key = {app: recipe_sha(seed + "|" + digest + "|" + str(app)) for app, _ in ranked}
    if not stratified:
        chosen = sorted(key, key=key.get)[:count]
    else:
        tracks = {}
        for app, track in ranked:
            tracks.setdefault(track, []).append(app)
        n = len(ranked)
        # Hamilton: integer parts, then leftovers by remainder (desc), track key (asc).
        base = {t: count * len(a) // n for t, a in tracks.items()}
        rem = {t: count * len(a) - base[t] * n for t, a in tracks.items()}  # remainder × n
        order = sorted(tracks, key=lambda t: (-rem[t], t))
        for t in order[: count - sum(base.values())]:
            base[t] += 1
        chosen = []
        for t, apps in tracks.items():
            chosen += sorted(apps, key=key.get)[: base[t]]
    return digest, key, [app for app, _ in ranked if app in chosen]


TRACKS = ["tech", "green", "inclusive", "sme"]
RANKED = [(100 + i, TRACKS[(i * 7) % 11 % 4]) for i in range(37)]


@pytest.mark.parametrize("seed", ["a1b2c3d4e5f60718293a4b5c6d7e8f90", "种子-2025", "x"])
@pytest.mark.parametrize("count", [1, 5, 9, 37])
@pytest.mark.parametrize("stratified", [False, True])
def test_independent_recipe_reproduces_draw(seed, count, stratified):
    result = draw(seed, RANKED, size=count, stratify=stratified)
    digest, keys, selected = recipe_draw(seed, RANKED, count, stratified)
    assert result.ranking_digest == digest
    assert dict(result.keys) == keys
    assert list(result.keys) == [app for app, _ in RANKED]
    assert list(result.selected) == selected
    assert result.size == count == len(result.selected)
    assert result.commitment == recipe_sha("jinxuan-draw-v1:" + seed)


def test_recipe_with_string_ids_and_non_ascii():
    ranked = [("申报-3", "tech"), ("A7", "green"), ("申报-1", "tech"), ("B2", "green")]
    result = draw("s33d", ranked, size=2, stratify=True)
    digest, keys, selected = recipe_draw("s33d", ranked, 2, True)
    assert (result.ranking_digest, dict(result.keys), list(result.selected)) == (digest, keys, selected)
    assert result.allocation == {"green": 1, "tech": 1}


def test_canonical_form_is_documented_json():
    ranked = [(101, "tech"), (87, "green")]
    assert ranking_digest(ranked) == hashlib.sha256(b'[[101,"tech"],[87,"green"]]').hexdigest()


def test_fraction_rounds_up_and_matches_recipe():
    result = draw("seed", RANKED, fraction=Decimal("0.1"))
    assert result.size == 4  # ceil(0.1 × 37) = ceil(3.7)
    assert list(result.selected) == recipe_draw("seed", RANKED, 4, False)[2]
    assert sample_size(30, fraction=0.1) == 3  # exact: no float drift to 4
    assert sample_size(30, fraction=Fraction(1, 3)) == 10
    assert sample_size(7, fraction="0.5") == 4
    assert sample_size(5, fraction=1) == 5
    assert sample_size(1000, fraction=Decimal("0.0001")) == 1


def test_changing_ranking_or_seed_changes_digest_and_selection():
    base = draw("seed-1", RANKED, size=5)
    swapped = [RANKED[1], RANKED[0], *RANKED[2:]]
    reordered = draw("seed-1", swapped, size=5)
    assert reordered.ranking_digest != base.ranking_digest
    assert dict(reordered.keys) != dict(base.keys)
    retracked = [(RANKED[0][0], "other"), *RANKED[1:]]
    assert ranking_digest(retracked) != base.ranking_digest
    shorter = draw("seed-1", RANKED[:-1], size=5)
    assert shorter.ranking_digest != base.ranking_digest
    selections = {draw(f"seed-{i}", RANKED, size=5).selected for i in range(1, 8)}
    assert len(selections) > 1
    assert draw("seed-2", RANKED, size=5).keys != base.keys


def test_same_inputs_same_result():
    assert draw("seed", RANKED, size=6, stratify=True) == draw("seed", list(RANKED), size=6, stratify=True)


def test_commitment_verification():
    seed = new_seed()
    assert len(seed) == 32 and int(seed, 16) >= 0
    published = commitment(seed)
    assert published == hashlib.sha256(f"jinxuan-draw-v1:{seed}".encode()).hexdigest()
    assert verify(published, seed)
    assert verify(published.upper(), seed)
    assert not verify(published, seed + "0")
    assert not verify(published, seed.upper() if seed != seed.upper() else seed + "x")
    assert not verify(published[:-1], seed)
    assert not verify(published, "")
    assert draw(seed, RANKED, size=3).commitment == published


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "必须且只能指定一个"),
        ({"size": 2, "fraction": Decimal("0.1")}, "必须且只能指定一个"),
        ({"size": 0}, "至少为 1"),
        ({"size": -1}, "至少为 1"),
        ({"size": 38}, "超过候选案例数 37"),
        ({"size": 2.0}, "必须是整数"),
        ({"size": True}, "必须是整数"),
        ({"fraction": 0}, "大于 0 且不超过 1"),
        ({"fraction": Decimal("1.01")}, "大于 0 且不超过 1"),
        ({"fraction": -0.5}, "大于 0 且不超过 1"),
        ({"fraction": float("nan")}, "有限数值"),
        ({"fraction": "一半"}, "无法识别"),
    ],
)
def test_size_and_fraction_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        draw("seed", RANKED, **kwargs)


@pytest.mark.parametrize(
    ("seed", "ranked", "message"),
    [
        ("", RANKED, "非空"),
        (" seed", RANKED, "空白"),
        ("seed", [], "排名为空"),
        ("seed", [(1, "a"), (1, "b")], "出现多次"),
        ("seed", [(1, "a"), ("1", "b")], "出现多次"),
        ("seed", [(1, "")], "赛道"),
        ("seed", [(None, "a")], "案例编号"),
        ("seed", [(1,)], "二元组"),
    ],
)
def test_input_validation(seed, ranked, message):
    with pytest.raises(ValueError, match=message):
        draw(seed, ranked, size=1)


def test_stratified_allocation_is_proportional():
    counts = {t: sum(1 for _, tr in RANKED if tr == t) for t in TRACKS}
    for k in range(1, len(RANKED) + 1):
        result = draw("seed", RANKED, size=k, stratify=True)
        assert sum(result.allocation.values()) == k
        for t, seats in result.allocation.items():
            quota = Fraction(k * counts[t], len(RANKED))
            assert int(quota) <= seats <= -(-quota // 1)
            picked = [a for a, tr in RANKED if tr == t and a in result.selected]
            assert len(picked) == seats


def test_allocation_ties_go_to_smaller_track_key():
    assert allocate({"b": 1, "a": 1, "c": 1}, 1) == {"a": 1, "b": 0, "c": 0}
    assert allocate({"b": 2, "a": 2, "c": 2}, 4) == {"a": 2, "b": 1, "c": 1}
    assert allocate({"big": 9, "small": 1}, 5) == {"big": 5, "small": 0}  # 4.5 vs 0.5: tie → "big"
    assert allocate({"x": 6, "y": 3, "z": 1}, 5) == {"x": 3, "y": 2, "z": 0}  # 3, 1.5, 0.5


def test_unstratified_has_no_allocation_and_publication_record():
    result = draw("seed", RANKED[:5], size=2)
    assert isinstance(result, DrawResult) and result.allocation is None
    record = result.publication()
    assert record["selected"] == list(result.selected)
    assert [k for _, k in record["keys"]] == [result.keys[a] for a, _ in RANKED[:5]]
    assert record["commitment"] == commitment("seed")


ranked_lists = st.lists(
    st.tuples(st.integers(1, 10_000), st.sampled_from(["a", "b", "c", "d"])),
    min_size=1,
    max_size=40,
    unique_by=lambda p: p[0],
)


@settings(max_examples=150, deadline=None)
@given(
    ranked=ranked_lists,
    seed=st.text(st.characters(codec="utf-8", exclude_categories=["Z", "C"]), min_size=1, max_size=20),
    data=st.data(),
    stratify=st.booleans(),
)
def test_property_size_subset_deterministic(ranked, seed, data, stratify):
    n = len(ranked)
    if data.draw(st.booleans()):
        k = data.draw(st.integers(1, n))
        kwargs = {"size": k}
    else:
        fraction = data.draw(st.fractions(Fraction(1, 1000), 1))
        k = -(-fraction.numerator * n // fraction.denominator)
        kwargs = {"fraction": fraction}
    result = draw(seed, ranked, stratify=stratify, **kwargs)
    ids = [a for a, _ in ranked]
    assert result.size == k == len(result.selected) == len(set(result.selected))
    assert set(result.selected) <= set(ids)
    assert list(result.selected) == [a for a in ids if a in result.selected]  # ranked order
    assert result == draw(seed, list(ranked), stratify=stratify, **kwargs)
    assert list(result.selected) == recipe_draw(seed, ranked, k, stratify)[2]
    if stratify:
        assert sum(result.allocation.values()) == k
