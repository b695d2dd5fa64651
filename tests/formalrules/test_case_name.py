"""case_name (000: 20字内，名称中不应包含企业、品牌、产品等名称信息), with titles from the compendium (003)."""

import pytest

from jinxuan.formalrules.brands import latin_product_tokens, name_variants
from jinxuan.formalrules.evaluate import run_rule
from tests.formalrules import GZ, field_key, fresh, make_record

TITLE = field_key(GZ, "案例名称")
BASE = make_record(GZ)


def _screen(title, lead=None, extra_text=None):
    record = fresh(BASE)
    record["answers"][TITLE] = record["title"] = title
    if lead:
        record["units"][0]["name"] = lead
        record["units"][0]["answers"][field_key(GZ, "单位名称", "unit")] = lead
    if extra_text:
        record["answers"][field_key(GZ, "案例简介")] = extra_text
    return run_rule("case_name", GZ, record)


def test_a_plain_title_passes():
    assert _screen("基于隐私计算的普惠信贷风控应用") == []


def test_title_of_003_naming_the_applicant_by_its_short_form():
    # 003 二等奖 “中信易贷数智服务”, applied for by 中信银行股份有限公司
    found = _screen("中信易贷数智服务", lead="中信银行股份有限公司")
    assert len(found) == 1 and found[0].severity == "blocking"
    assert found[0].message == "案例名称含有申报单位名称“中信”（品牌/企业名称不得出现在案例名称中）"
    assert found[0].evidence["organisation"] == "中信银行股份有限公司" and found[0].evidence["form"] == "short"


def test_full_short_name_in_title():
    found = _screen("中信银行普惠金融数字化服务", lead="中信银行股份有限公司")
    assert [f.message for f in found] == ["案例名称含有申报单位名称“中信银行”（品牌/企业名称不得出现在案例名称中）"]


def test_003_insurance_title_passes_but_brand_forms_do_not():
    lead = "中国平安财产保险股份有限公司"
    assert _screen("基于数据要素驱动保险风控服务项目", lead=lead) == []  # the 003 title as published
    for title, hit in [("平安产险数据要素风控服务", "平安产险"), ("平安财险数智风控平台建设", "平安财险"), ("平安数据要素风控应用", "平安")]:
        found = _screen(title, lead=lead)
        assert found and found[0].evidence["matched"] == hit, title


def test_joint_unit_name_is_checked_too():
    record = fresh(BASE)
    record["answers"][TITLE] = "睿拓数据驱动的小微信贷应用"
    found = run_rule("case_name", GZ, record)  # joint unit: 深圳睿拓数据科技有限公司
    assert found and found[0].evidence["matched"] == "睿拓"


def test_title_too_long_by_word_count():
    # 003's second 二等奖 title is far beyond 20 characters
    found = _screen("高质量数据平台建设赋能金融分析能力跃迁，数字金融实践引领产业规模与效率双提升")
    assert any("限 20 字以内" in f.message for f in found)
    assert _screen("基于大模型的小微企业信贷风控与智能审批应用") != []  # 21
    assert _screen("基于大模型的小微企业信贷风控智能审批应用") == []  # 20


def test_quoted_name_in_title_is_blocking():
    found = _screen("基于“易融通”平台的供应链融资应用")
    assert found and found[0].severity == "blocking" and "“易融通”" in found[0].message


def test_title_token_quoted_elsewhere_as_product():
    found = _screen("易融通供应链融资服务应用", extra_text="依托自主研发的“易融通”平台，为核心企业上下游提供融资服务。")
    assert found and found[0].severity == "blocking" and found[0].evidence["form"] == "quoted_elsewhere"
    assert "以引号标注为产品/平台名称" in found[0].message


def test_003_metaphor_quoted_elsewhere_is_a_warning():
    # 003 一等奖: the body writes 搭起一座互信互认的“信用金桥”; the title uses it unquoted
    found = _screen("公共数据架起政银企信用金桥", extra_text="在政银企之间搭起一座互信互认的“信用金桥”，以数增信、以信促贷。")
    assert [f.severity for f in found] == ["warning"] and found[0].evidence["matched"] == "信用金桥"


def test_policy_slogans_in_quotes_are_not_product_names():
    assert _screen("“数据要素×”赋能普惠金融的实践") == []


def test_latin_product_token_is_blocking_common_acronyms_are_not():
    found = _screen("基于XPay的跨境支付应用")
    assert [f.message for f in found] == ["案例名称含有英文产品名“XPay”（品牌/产品名称不得出现在案例名称中）"]
    assert _screen("基于AI与5G的智能风控应用") == []
    assert _screen("基于SaaS与API的开放银行应用") == []
    assert _screen("基于eCNY的数字人民币应用")[0].evidence["matched"] == "eCNY"


def test_acronym_allowlist_is_a_parameter():
    record = fresh(BASE)
    record["answers"][TITLE] = "基于XPay的跨境支付应用"
    assert run_rule("case_name", GZ, record, {"allowed_acronyms": ["XPay"]}) == []


@pytest.mark.parametrize("name, forms", [
    ("中信银行股份有限公司", {"中信银行", "中信"}),
    ("中国平安财产保险股份有限公司", {"平安财产保险", "平安财险", "平安"}),
    ("中国工商银行股份有限公司广州分行", {"中国工商银行", "工商银行", "工行"}),
    ("东方财富信息股份有限公司", {"东方财富"}),
    ("广州瀚澜银行股份有限公司", {"瀚澜银行", "瀚澜"}),
    ("平安科技（深圳）有限公司", {"平安科技", "平安"}),
])
def test_short_forms(name, forms):
    assert forms <= set(name_variants(name))


def test_short_forms_avoid_places_and_everyday_words():
    assert "北京" not in name_variants("北京银行股份有限公司") and "银行" not in name_variants("北京银行股份有限公司")
    assert "建设" not in name_variants("中国建设银行股份有限公司")
    assert "数据交易所" not in name_variants("上海数据交易所有限公司")
    assert _screen("构建行业大模型的风控应用", lead="中国建设银行股份有限公司") == []  # 建行 is not in 构建行业
    assert _screen("建行惠懂你小微企业服务", lead="中国建设银行股份有限公司")[0].evidence["matched"] == "建行"


def test_latin_tokens():
    assert latin_product_tokens("XPay、e-CNY、WeLink、ChatGPT、GPT-4、AI、5G、IoT、Choice、OCR") == [
        "XPay", "e-CNY", "WeLink", "ChatGPT", "GPT-4"]


# -- warnings: product abbreviations and platform names used as proper names ------------------------------

BRIEF = field_key(GZ, "案例简介")
INNOVATION = field_key(GZ, "案例创新点")


def test_latin_abbreviation_that_is_not_a_common_acronym_warns_with_evidence():
    found = _screen("基于HRX的小微企业授信应用", extra_text="HRX 是本行小微授信产品，HRX 上线两年服务客户三万户。")
    assert [f.severity for f in found] == ["warning"]
    assert found[0].evidence["form"] == "latin_abbreviation" and found[0].evidence["matched"] == "HRX"
    assert found[0].evidence["where"] == [{"path": BRIEF, "label": "案例简介", "count": 2}]
    assert found[0].message.startswith("案例名称含有英文缩写“HRX”，不是常见技术缩写，疑似产品名称，申报材料中出现 2 次（案例简介 2 次）")


@pytest.mark.parametrize("title", ["基于AI与RPA的智能审批应用", "基于OCR和NLP的单证审核应用", "ESG评级数据服务应用",
                                   "5G与API开放银行服务", "基于LLM与RAG的智能客服应用"])
def test_common_technical_acronyms_do_not_warn(title):
    assert _screen(title) == []


def test_platform_name_used_as_a_proper_name_throughout_warns_with_evidence():
    body = "粤信融平台汇聚政务数据。依托粤信融平台，银行可线上授信。截至目前，粤信融平台累计撮合融资百亿元。"
    record = fresh(BASE)
    record["answers"][TITLE] = record["title"] = "粤信融平台赋能小微融资"
    record["answers"][BRIEF] = body
    record["answers"][INNOVATION] = "粤信融平台首创数据授权机制。"
    found = run_rule("case_name", GZ, record)
    assert [f.severity for f in found] == ["warning"]
    ev = found[0].evidence
    assert (ev["form"], ev["matched"], ev["count"]) == ("platform_name", "粤信融平台", 4)
    assert ev["where"] == [{"path": BRIEF, "label": "案例简介", "count": 3},
                           {"path": INNOVATION, "label": "案例创新点", "count": 1}]
    assert "“粤信融平台”在申报材料中作为专有名称反复出现（共 4 次：案例简介 3 次、案例创新点 1 次）" in found[0].message


def test_generic_platform_phrases_and_rare_mentions_do_not_warn():
    generic = "供应链金融服务平台连接核心企业。供应链金融服务平台提供确权。供应链金融服务平台降低成本。"
    assert _screen("供应链金融服务平台建设与应用", extra_text=generic) == []
    assert _screen("粤信融平台赋能小微融资", extra_text="粤信融平台汇聚政务数据。") == []  # once is not throughout
    internet = "互联网贷款业务。互联网贷款风控。互联网贷款增长。"
    assert _screen("互联网贷款智能风控应用", extra_text=internet) == []


def test_site_name_ending_in_wang():
    body = "信易融网上线以来，信易融网注册企业五千家，信易融网与二十家银行对接。"
    found = _screen("信易融网助力普惠金融", extra_text=body)
    assert [(f.severity, f.evidence["matched"], f.evidence["count"]) for f in found] == [("warning", "信易融网", 3)]
