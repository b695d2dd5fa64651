"""Blind-review masking (pure module)."""

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from jinxuan.demo.text import TextFaker
from jinxuan.review.masking import MASK, identity_terms, mask, mask_answers


def credit_code(seed: int) -> str:
    rng = random.Random(seed)
    body = "91440101" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


BANK = "广州瀚澜银行股份有限公司"
TECH = "平安科技（深圳）有限公司"
RCB = "广州农村商业银行股份有限公司"
CODE = credit_code(1)


def terms():
    return identity_terms([BANK, TECH, RCB], ["王建国", " 李 娜 "], ["XPay", "瀚澜e贷"])


def test_identity_terms():
    t = terms()
    assert t == sorted(t, key=lambda x: (-len(x), x)) and len(t) == len(set(t))
    for expected in (BANK, "广州瀚澜银行", "瀚澜银行", "瀚澜", TECH, "平安科技(深圳)有限公司", "平安科技", "广州农商银行",
                     "王建国", "李娜", "XPay", "瀚澜e贷"):
        assert expected in t, expected
    for generic in ("农村商业银行", "银行", "广州", "科技"):  # industry words and places are not names
        assert generic not in t
    assert all(len(x) >= 2 for x in identity_terms(["中国银行"], ["王", ""], ["A", "  "]))
    assert "建设" not in identity_terms(["中国建设银行股份有限公司"], [], [])  # a generic core


PARAGRAPH = (
    f"本案例由{BANK}（统一社会信用代码：{CODE}）牵头，瀚澜银行联合平安科技(深圳)有限公司共同建设“XPay”平台，"
    "项目负责人王建国，联系电话138-1234-5678，座机（020）8888 8888 转 123，客服热线400-820-8888，"
    "邮箱wang.jg@hanlan.example.cn，详见https://www.hanlan.example.cn/case?id=1。"
    "瀚澜e贷累计服务小微企业3000户，2023年贷款余额12.5亿元，构建行业数据生态，农村商业银行同业可借鉴。"
)


def test_mask_a_realistic_paragraph():
    out = mask(PARAGRAPH, terms())
    for secret in (BANK, CODE, "瀚澜", "平安科技", "XPay", "王建国", "1234-5678", "8888 8888", "820-8888",
                   "wang.jg", "hanlan", "https"):
        assert secret not in out, secret
    assert out == (
        f"本案例由{MASK}（统一社会信用代码：{MASK}）牵头，{MASK}联合{MASK}共同建设“{MASK}”平台，"
        f"项目负责人{MASK}，联系电话{MASK}，座机{MASK}，客服热线{MASK}，"
        f"邮箱{MASK}，详见{MASK}。"
        f"{MASK}累计服务小微企业3000户，2023年贷款余额12.5亿元，构建行业数据生态，农村商业银行同业可借鉴。"
    )
    assert mask(out, terms()) == out


def test_neighbouring_characters_and_offsets_are_kept():
    for before, secret, after in [("电话：", "13912345678", "。"), ("甲", "+86 139 1234 5678", "乙"),
                                  ("（", "0755-23456789-12", "）"), ("邮箱", "a.b-c@x-y.example.com", "，谢谢"),
                                  ("访问", "www.example.cn/a?b=1", "了解"), ("见 ", "https://a.cn/x", ". "),
                                  ("代码", CODE, "号"), ("由", BANK, "和"), ("ID:", "44010119900101123X", ";")]:
        out = mask(before + secret + after, terms())
        assert out == before + MASK + after, (secret, out)


def test_numbers_that_are_not_contacts_are_kept():
    text = ("2023年12月服务客户1380万户，余额4000000000元，增长13.8%，编号20231234567890，"
            "覆盖0.5%的网点，1999-2024年，ABCDEFGHJKLMNPQRTU")
    assert mask(text, []) == text
    assert mask(CODE + "9", []) == CODE + "9"  # 19 characters: not a credit code


def test_spaced_code_only_when_valid():
    spaced = f"{CODE[:6]} {CODE[6:12]} {CODE[12:]}"
    assert mask(f"代码 {spaced}。", []) == f"代码 {MASK}。"
    wrong = spaced[:-1] + ("0" if spaced[-1] != "0" else "1")
    assert mask(f"代码 {wrong}。", []) == f"代码 {wrong}。"


def test_switches_and_latin_terms():
    text = f"{CODE} 13912345678 XPay xpay XPayment"
    assert mask(text, ["XPay"], codes=False, contacts=False) == f"{CODE} 13912345678 {MASK} {MASK} XPayment"
    assert mask(text, [], codes=True, contacts=False) == f"{MASK} 13912345678 XPay xpay XPayment"
    assert mask("构建行业标准，建行客户", ["建行"]) == f"构建行业标准，{MASK}客户"


def test_short_forms_in_generated_text():
    faker = TextFaker(21)
    org = faker.org_name("bank")
    short = TextFaker.short_name(org)
    person = faker.person_name()
    mobile, email = faker.mobile(), faker.email("hanlan")
    body = faker.paragraph(min_chars=200, max_chars=300)
    text = f"{org}（以下简称“{short}”）{body}{short}项目负责人{person}，手机{mobile}，邮箱{email}。"
    out = mask(text, identity_terms([org], [person], []))
    for secret in (org, short, person, mobile, email):
        assert secret not in out
    assert out.endswith(f"项目负责人{MASK}，手机{MASK}，邮箱{MASK}。")
    assert body in out or len(re.findall(re.escape(MASK), out)) >= 6


def test_idempotent_when_a_mask_exposes_a_neighbour():
    # the phone number's left neighbour is the digit of a masked brand: found only on a second look
    text = "产品瀚澜1" + "13912345678"
    once = mask(text, ["瀚澜1"])
    assert once == f"产品{MASK}{MASK}" and mask(once, ["瀚澜1"]) == once
    assert "13912345678" not in once
    # terms that would reach into an existing mask never match inside it
    assert mask(f"甲{MASK}乙", ["已隐", "隐去】乙"]) == f"甲{MASK}乙"


def test_odd_inputs_never_raise():
    assert mask(None, ["x"]) == ""
    assert mask(12345, None) == "12345"
    assert mask("", ["", None, 3]) == ""
    assert mask("a(b[c", ["(b[", "*", "\\"]) == f"a{MASK}c"


def test_mask_answers_deep_copies():
    answers = {"intro": f"{BANK}的案例，联系13912345678", "units": [{"desc": "瀚澜银行负责", "n": 3}],
               "nested": {"a": ["王建国", {"b": "王建国说"}], "k": None}, "keep": "瀚澜银行", "num": 7}
    out = mask_answers(answers, {"intro", "units", "nested", "absent"}, terms())
    assert out["intro"] == f"{MASK}的案例，联系{MASK}"
    assert out["units"] == [{"desc": f"{MASK}负责", "n": 3}]
    assert out["nested"] == {"a": [MASK, {"b": f"{MASK}说"}], "k": None}
    assert out["keep"] == "瀚澜银行" and out["num"] == 7
    assert answers["intro"].startswith(BANK) and answers["units"][0]["desc"] == "瀚澜银行负责"  # untouched
    assert mask_answers(None, {"x"}, []) is None


_TEXT = st.text(alphabet=st.sampled_from(list("瀚澜银行王建国广州平安科技（）()【】已隐去0123456789-+ @.:/wxyABC转\n ，。"))
                | st.characters(), max_size=200)
_SAMPLE_TERMS = ["瀚澜", "瀚澜银行", "王建国", "ABC1", "澜1", "已隐", "隐去】", MASK]
_TERMS = st.lists(st.text(max_size=8) | st.sampled_from(_SAMPLE_TERMS), max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT, terms_=_TERMS, codes=st.booleans(), contacts=st.booleans())
def test_hypothesis_never_raises_and_is_idempotent(text, terms_, codes, contacts):
    out = mask(text, terms_, codes, contacts)
    assert isinstance(out, str)
    assert mask(out, terms_, codes, contacts) == out
    if MASK not in text and not any(MASK in t for t in terms_):
        # outside the masks, the text is what it was, in order
        pieces = [p for p in out.split(MASK) if p]
        at = 0
        for piece in pieces:
            at = text.find(piece, at)
            assert at >= 0
            at += len(piece)
