"""Automatic conflicts of interest (pure module)."""

import random

import numpy as np
import pytest
from stdnum.cn import uscc

from jinxuan.review.conflicts import (
    APPLICANT_REASON,
    AppParties,
    ExpertAffiliations,
    code_key,
    conflict_matrix,
    find_conflicts,
    is_branch_of,
    name_key,
    normalize_code,
    normalize_name,
)


def code(seed: int) -> str:
    rng = random.Random(seed)
    body = "91440101" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


BOC = "中国银行股份有限公司"
BOC_GZ = "中国银行股份有限公司广州分行"
GZB = "广州银行股份有限公司"
GZRCB = "广州农村商业银行股份有限公司"


def expert(name=None, code_=None, past=(), user_id=1):
    return ExpertAffiliations(user_id, code_, name, list(past))


def app(*units, users=(), key="A1"):
    return AppParties(key, list(units), set(users))


# -------------------------------------------------------------------------------------------- normalisation


def test_normalisation():
    assert normalize_code(" 9144 0101-ma5cxyz ") == "91440101MA5CXYZ"
    assert normalize_code("  ") is None and normalize_code(None) is None
    assert code_key(" 无 ") is None and code_key(code(1).lower()) == code(1)
    assert normalize_name("平安科技（深圳） 有限公司") == normalize_name("平安科技(深圳)有限公司") == "平安科技深圳有限公司"
    assert normalize_name("ＡＢＣ金融科技有限公司") == "abc金融科技有限公司"
    assert name_key(BOC) == name_key("中国银行") == "中国银行"
    assert name_key("平安集团") != name_key("平安公司")  # a 2-character stem is not trusted


def test_branch_rule():
    assert is_branch_of(normalize_name(BOC_GZ), "中国银行")
    assert is_branch_of("中国银行广州分行", "中国银行")
    assert is_branch_of("中国银行广州分行天河支行", "中国银行广州分行")
    assert not is_branch_of("中国银行保险报社广州分公司", "中国银行")  # another institution in between
    assert not is_branch_of("中国银行保险监督管理委员会", "中国银行")  # no branch suffix
    assert not is_branch_of("广州农村商业银行天河支行", "广州银行")


# ------------------------------------------------------------------------------------------- find_conflicts


def test_conflict_by_credit_code_even_with_another_name():
    c = code(1)
    reasons = find_conflicts(expert("瀚澜银行", c.lower()), app((c, "广州瀚澜银行股份有限公司")))
    assert reasons == ["现任职单位为申报单位（广州瀚澜银行股份有限公司）"]


def test_invalid_codes_are_still_compared_literally():
    bad = code(2)[:-1] + ("0" if code(2)[-1] != "0" else "1")
    assert not uscc.is_valid(bad)
    assert find_conflicts(expert("甲", bad), app((bad, "乙")))
    assert not find_conflicts(expert("甲", bad), app((code(2), "乙")))


@pytest.mark.parametrize("junk", ["无", "0", "/", "000000000000000000", "--", "暂无"])
def test_placeholder_codes_match_nothing(junk):
    assert not find_conflicts(expert("甲单位", junk), app((junk, "乙单位")))
    assert not find_conflicts(expert("甲单位", junk), app((junk, "乙单位")), {junk: "某集团"})


def test_conflict_by_name_after_normalisation():
    reasons = find_conflicts(expert("平安科技(深圳)有限公司"), app((None, "平安科技（深圳）有限公司")))
    assert reasons == ["现任职单位为申报单位（平安科技（深圳）有限公司）"]
    assert find_conflicts(expert("中国银行"), app((code(3), BOC)))  # legal stem equal


def test_co_applicant_and_past_employer():
    parties = app((code(4), "广州瀚澜银行股份有限公司"), (code(5), "恒泰科技有限公司"))
    reasons = find_conflicts(expert("某大学", past=[(None, "恒泰科技有限公司")]), parties)
    assert reasons == ["曾任职单位为联合申报单位（恒泰科技有限公司）"]
    reasons = find_conflicts(expert("恒泰科技有限公司", code(5), past=[(code(4), None)]), parties)
    assert reasons == ["现任职单位为联合申报单位（恒泰科技有限公司）", "曾任职单位为申报单位（广州瀚澜银行股份有限公司）"]


def test_past_employer_equal_to_current_is_reported_once():
    reasons = find_conflicts(expert(GZB, past=[(None, GZB)]), app((None, GZB)))
    assert reasons == ["现任职单位为申报单位（广州银行股份有限公司）"]


def test_conflict_by_group_map_with_code_and_name_keys():
    c_bank, c_tech = code(6), code(7)
    groups = {c_bank: "瀚澜金融集团", "瀚澜金融科技有限公司": "瀚澜金融集团"}
    parties = app((c_tech, "瀚澜金融科技有限公司"))
    assert not find_conflicts(expert("广州瀚澜银行股份有限公司", c_bank), parties)
    reasons = find_conflicts(expert("广州瀚澜银行股份有限公司", c_bank), parties, groups)
    assert reasons == ["现任职单位与申报单位（瀚澜金融科技有限公司）同属瀚澜金融集团"]


def test_group_map_reaches_branches_of_a_listed_head_office():
    groups = {BOC: "中国银行集团", "中银国际证券股份有限公司": "中国银行集团"}
    reasons = find_conflicts(expert("中国银行深圳分行"), app((None, "中银国际证券股份有限公司")), groups)
    assert reasons == ["现任职单位与申报单位（中银国际证券股份有限公司）同属中国银行集团"]


def test_conflict_by_branch_both_ways():
    reasons = find_conflicts(expert("中国银行广州分行"), app((code(8), BOC)))
    assert reasons == ["现任职单位（中国银行广州分行）为申报单位（中国银行股份有限公司）的分支机构"]
    reasons = find_conflicts(expert(BOC), app((None, "测试科技有限公司"), (None, BOC_GZ)))
    assert reasons == ["联合申报单位（中国银行股份有限公司广州分行）为现任职单位（中国银行股份有限公司）的分支机构"]


def test_sibling_branches_are_not_matched_by_name_alone():
    assert not find_conflicts(expert("中国银行广州分行"), app((None, "中国银行深圳分行")))
    groups = {"中国银行广州分行": "中国银行", "中国银行深圳分行": "中国银行"}
    assert find_conflicts(expert("中国银行广州分行"), app((None, "中国银行深圳分行")), groups)


def test_expert_among_the_applicants():
    assert find_conflicts(expert("某大学", user_id=42), app((None, GZB), users={7, 42})) == [APPLICANT_REASON]
    assert not find_conflicts(expert("某大学", user_id=42), app((None, GZB), users={7}))


@pytest.mark.parametrize(("a", "b"), [
    (GZB, GZRCB),
    ("广州银行", "广州农村商业银行"),
    (GZB, "广州农村商业银行股份有限公司广州分行"),
    ("中国银行", "中国建设银行股份有限公司"),
    ("平安银行股份有限公司", "中国平安财产保险股份有限公司"),
    ("平安", "平安银行股份有限公司深圳分行"),
    ("中国银行", "中国银行保险报社广州分公司"),
])
def test_no_false_conflict_between_similar_names(a, b):
    assert not find_conflicts(expert(a, past=[(None, a)]), app((code(9), b)))
    assert not find_conflicts(expert(b), app((None, a)))


def test_missing_parts_do_not_match_each_other():
    assert not find_conflicts(expert(None, None), app((None, None), (None, "")))
    assert not find_conflicts(ExpertAffiliations(None, "", "", [(None, None)]), AppParties("x", [], set()))


# ------------------------------------------------------------------------------------------ conflict_matrix

NAMES = [BOC, BOC_GZ, "中国银行广州分行", "中国银行深圳分行", "中国银行广州分行天河支行", GZB, GZRCB, "广州银行",
         "恒泰科技有限公司", "恒泰科技（广州）有限公司", "平安科技(深圳)有限公司", "平安科技（深圳）有限公司北京分公司",
         "瀚澜金融科技有限公司", "某大学", "中国银行保险报社广州分公司"]
CODES = [code(100 + n) for n in range(6)]


def _random_instance(rng: random.Random):
    def party():
        return (rng.choice(CODES + [None] * 4), rng.choice(NAMES + [None]))

    experts = [ExpertAffiliations(rng.randrange(30), *party(), [party() for _ in range(rng.randrange(3))])
               for _ in range(rng.randrange(1, 12))]
    apps = [AppParties(j, [party() for _ in range(rng.randrange(0, 4))], set(rng.sample(range(30), 2)))
            for j in range(rng.randrange(1, 15))]
    keys = rng.sample(CODES + NAMES, 5)
    groups = {k: rng.choice(["甲集团", "乙集团"]) for k in keys}
    return experts, apps, groups


@pytest.mark.parametrize("seed", range(60))
def test_matrix_equals_pairwise_find_conflicts(seed):
    rng = random.Random(seed)
    experts, apps, groups = _random_instance(rng)
    groups = groups if seed % 3 else None
    matrix, reasons = conflict_matrix(experts, apps, groups)
    assert matrix.shape == (len(experts), len(apps)) and matrix.dtype == bool
    expected = {(i, j): r for i, e in enumerate(experts) for j, a in enumerate(apps)
                if (r := find_conflicts(e, a, groups))}
    assert reasons == expected
    assert set(zip(*np.nonzero(matrix), strict=True)) == set(expected)


def test_matrix_finds_conflicts_in_a_larger_pool():
    rng = random.Random(5)
    apps = [AppParties(j, [(code(1000 + j), f"测试{j:04d}科技有限公司")], {10_000 + j}) for j in range(3000)]
    experts = [ExpertAffiliations(10_000 + 7 * i, None, f"测试{rng.randrange(3000):04d}科技有限公司",
                                  [(code(1000 + 11 * i), None)]) for i in range(300)]
    matrix, reasons = conflict_matrix(experts, apps, {})
    for i in range(0, 300, 17):
        for j in range(0, 3000, 7):
            assert bool(matrix[i, j]) == bool(find_conflicts(experts[i], apps[j]))
    assert matrix[1, 7] and APPLICANT_REASON in reasons[1, 7]  # user 10_007 applied to app 7
    assert matrix[2, 22] and "曾任职单位为申报单位（测试0022科技有限公司）" in reasons[2, 22]
    assert matrix.sum(axis=1).min() >= 2  # every expert: own application and current employer
