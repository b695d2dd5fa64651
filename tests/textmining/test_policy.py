from pathlib import Path

import pytest

from jinxuan.textmining.policy import align, align_json, cn_to_int, parse_policy, tokens

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
POLICY_FILE = SEEDS / "004_23a57d793f559b74.txt"
CASES_FILE = SEEDS / "003_cf5b663ec63ff4f9.part1.txt"

SME_CASE = (
    "本项目由市公共信用信息中心与辖内十二家商业银行共同建设。针对小微企业和个体工商户“短、小、频、急”的融资需求，"
    "以及缺抵押、缺报表、信用记录薄弱导致的融资难、融资贵问题，平台依法归集税务、社保、公积金、水电气、司法、"
    "市场监管等部门的公共数据共计两百余项，经企业授权后向银行提供信用画像和风险预警服务。银行据此开发纯信用、"
    "随借随还的线上贷款产品，授信审批由原来的五个工作日压缩到最快十分钟，贷后管理实现自动监测。平台同时对接地方"
    "征信平台和融资担保机构，对首次贷款的无贷户提供增信支持，政府风险补偿资金按比例分担损失。上线两年来，平台累计"
    "服务小微企业和个体工商户四万余户，其中首贷户占比超过三成，发放贷款一百二十亿元，平均利率下降零点八个百分点，"
    "不良率控制在百分之一以内。项目还面向涉农经营主体推出“惠农信用贷”，通过农业补贴、土地流转和农产品销售数据"
    "评估农户信用，累计支持种养殖大户和家庭农场一千二百余户，帮助更多经营主体跨越信贷门槛，有效缓解了小微企业"
    "融资难题，提升了普惠金融服务的覆盖面和可得性。"
)


@pytest.fixture(scope="module")
def policy():
    if not POLICY_FILE.exists():
        pytest.skip("seed 004 absent")
    return parse_policy(POLICY_FILE.read_text(encoding="utf-8"))


def test_cn_numbers():
    assert [cn_to_int(x) for x in ["一", "十", "十一", "十八", "二十", "二十三", "一百零五"]] == [1, 10, 11, 18, 20, 23, 105]


def test_parse_seed_policy(policy):
    assert policy.title.startswith("关于做好数字金融大文章")
    assert policy.title.endswith("实施意见")
    assert [c.ordinal for c in policy.clauses] == list(range(1, 19))
    assert [c.number for c in policy.clauses][:2] == ["（一）", "（二）"]
    assert [(ch.number, len(ch.clauses)) for ch in policy.chapters] == [
        ("一", 0), ("二", 3), ("三", 6), ("四", 3), ("五", 2), ("六", 4)]
    six = policy.clauses[5]
    assert (six.number, six.ordinal, six.title) == ("（六）", 6, "大力发展数字普惠金融")
    assert six.body.startswith("引导金融机构加强金融科技创新")
    assert "“小微通”“个体通”" in six.body  # a page break inside the clause is joined back
    assert six.body.endswith("农产品供应链服务方案。")
    assert policy.chapter_of(six).title == "数字赋能深圳“5+1”篇大文章"
    assert policy.clauses[0].body.count("专项预算") == 1  # 专项预\n\n算 joined


def test_parse_minimal_and_out_of_sequence():
    text = "某某办法\n\n一、总则\n（一）第一条。内容（三）不是新条。\n（三）乱序行仍属上一条。\n（二）第二条。内容二\n"
    p = parse_policy(text)
    assert p.title == "某某办法"
    assert [(c.number, c.title) for c in p.clauses] == [("（一）", "第一条"), ("（二）", "第二条")]
    assert "乱序行" in p.clauses[0].body
    assert parse_policy("没有任何条款的文字。").clauses == []


def test_tokens_drop_stop_words():
    toks = tokens("鼓励金融机构大力发展数字普惠金融，支持小微企业。")
    assert "普惠金融" in toks and "小微企业" in toks
    assert "鼓励" not in toks and "，" not in toks


def test_sme_case_ranks_inclusive_finance_clause(policy):
    ranked = align(SME_CASE, policy, top=3)
    assert "（六）" in [r["clause"].number for r in ranked]
    six = next(r for r in ranked if r["clause"].ordinal == 6)
    assert six["chapter"].number == "三"
    assert any("小微企业" in t for t in six["terms"])
    assert "普惠金融" in six["terms"]
    assert ranked == sorted(ranked, key=lambda r: -r["score"])


def test_first_published_case_ranks_inclusive_finance_clause(policy):
    if not CASES_FILE.exists():
        pytest.skip("seed 003 absent")
    first_case = CASES_FILE.read_text(encoding="utf-8").split("二等奖")[0]
    ranked = align(first_case, policy, top=3)
    assert "（六）" in [r["clause"].number for r in ranked]


def test_other_topics_find_their_clauses(policy):
    green = "银行为制造企业建立碳账户，按碳减排量和ESG评分给予降碳贷款利率优惠，并发行可追溯的绿色债券。"
    assert align(green, policy, top=1)[0]["clause"].ordinal == 5
    elderly = "面向老年客户推出手机银行长辈模式和适老化改造，提供养老理财和养老保险产品。"
    assert align(elderly, policy, top=1)[0]["clause"].ordinal == 7
    ecny = "在商超、交通枢纽推广数字人民币受理，开展数字人民币促消费活动和硬钱包试点。"
    assert align(ecny, policy, top=1)[0]["clause"].ordinal == 10


def test_align_json_and_empty(policy):
    out = align_json(SME_CASE, policy, top=2)
    assert len(out) == 2 and set(out[0]) == {"number", "ordinal", "title", "chapter", "score", "terms"}
    assert out[0]["chapter"].startswith("三、")
    assert align("", policy) == [] or all(r["score"] == 0 for r in align("", policy))
    assert align("文本", parse_policy("")) == []


def test_numbering_restarting_per_chapter():
    text = "某某实施方案\n一、总体要求\n（一）目标一。正文。\n（二）目标二。正文。\n二、重点任务\n（一）任务一。正文。\n（二）任务二。正文。\n"
    p = parse_policy(text)
    assert [(ch.number, [c.number for c in ch.clauses]) for ch in p.chapters] == [
        ("一", ["（一）", "（二）"]), ("二", ["（一）", "（二）"])]
