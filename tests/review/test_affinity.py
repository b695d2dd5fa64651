"""Expert–application affinity (pure module)."""

import json
import random

import numpy as np
import pytest

from jinxuan.demo.text import TextFaker
from jinxuan.review.affinity import (
    AppProfile,
    ExpertProfile,
    affinity_matrix,
    explain,
    fit_text_model,
    tokens,
)

CREDIT_TEXT = (
    "本案例面向小微企业信贷，整合税务、工商、水电等多维数据，构建小微企业信用评价与信贷风控模型，"
    "实现线上授信审批与贷后风险预警。上线以来累计发放小微企业信用贷款12.3亿元，不良率控制在1%以内，"
    "信贷审批时效由3天缩短至10分钟，有效缓解小微企业融资难问题。"
)
CLAIMS_TEXT = (
    "本案例聚焦保险理赔环节，运用图像识别与区块链存证实现车险、健康险理赔材料自动审核，"
    "理赔时效由5天缩短至1天，理赔欺诈识别准确率提升至95%，客户满意度显著提高。"
)
RISK_EXPERT = ExpertProfile("risk", [], "首席风险官\n长期从事小微企业信贷风控、大数据征信与普惠金融研究")
CLAIMS_EXPERT = ExpertProfile("claims", [], "教授\n研究保险科技、理赔自动化与区块链存证")


def hand_app(text=""):
    return AppProfile("a", "普惠金融", ["小微企业", "供应链金融"], ["大数据", "人工智能", " 大数据 "], text)


def test_tag_part_exact_values():
    apps = [hand_app(), AppProfile("b", None, [], [], "")]
    experts = [
        ExpertProfile("x", ["大数据", "普惠金融", "保险"], ""),  # 2 of the 5 distinct labels
        ExpertProfile("y", ["小微企业", "供应链金融", "大数据", "人工智能", "普惠金融"], ""),
        ExpertProfile("z", [], ""),
        ExpertProfile("w", ["ＡＩ", "小微 企业"], ""),  # normalised: 小微企业
    ]
    tag_only = affinity_matrix(apps, experts, tag_weight=1.0, text_weight=0.0)
    assert tag_only[0] == pytest.approx([2 / 5, 1.0, 0.0, 1 / 5])
    assert tag_only[1] == pytest.approx([0, 0, 0, 0])  # no labels, no text
    weighted = affinity_matrix(apps, experts, tag_weight=1.0, text_weight=0.0, track_weight=2.0)
    assert weighted[0] == pytest.approx([3 / 6, 1.0, 0.0, 1 / 6])
    # empty texts: the text part is 0, so the default weights give 0.7 × the tag part
    assert affinity_matrix(apps, experts)[0] == pytest.approx(0.7 * tag_only[0])


def test_weights_are_normalised_and_checked():
    apps, experts = [hand_app(CREDIT_TEXT)], [RISK_EXPERT]
    assert affinity_matrix(apps, experts, 7, 3) == pytest.approx(affinity_matrix(apps, experts, 0.7, 0.3))
    with pytest.raises(ValueError):
        affinity_matrix(apps, experts, 0, 0)
    assert affinity_matrix([], experts).shape == (0, 1)


def test_text_part_prefers_the_matching_field():
    apps = [AppProfile("credit", None, [], [], CREDIT_TEXT), AppProfile("claims", None, [], [], CLAIMS_TEXT)]
    experts = [RISK_EXPERT, CLAIMS_EXPERT, ExpertProfile("blank", [], "")]
    text = affinity_matrix(apps, experts, tag_weight=0.0, text_weight=1.0)
    assert text[0, 0] > text[0, 1] and text[1, 1] > text[1, 0]
    assert text[0, 0] > 0.1 and text[1, 1] > 0.1
    assert text[0, 2] == text[1, 2] == 0.0  # an empty profile has no text part


def test_text_part_ordering_on_long_generated_cases():
    faker = TextFaker(11)
    credit = faker.text_of_length(3000, 4000, topic={"scenario": "小微企业信贷", "domain": "普惠金融",
                                                     "customer": "小微企业"})
    claims = faker.text_of_length(3000, 4000, topic={"scenario": "保险理赔", "domain": "金融服务",
                                                     "customer": "投保客户"})
    apps = [AppProfile(1, None, [], [], credit), AppProfile(2, None, [], [], claims)]
    text = affinity_matrix(apps, [RISK_EXPERT, CLAIMS_EXPERT], tag_weight=0.0, text_weight=1.0)
    assert text[0, 0] > text[0, 1] and text[1, 1] > text[1, 0]


def test_tokens_keep_domain_words_and_drop_noise():
    words = tokens("本行依托大数据开展小微企业信贷风控，2023年发放12.5亿元，AI 审批！")
    assert "小微企业" in words and "信贷" in words and "ai" in words
    assert not any(w in words for w in ("，", "2023", "12.5", "本行", "！"))
    assert tokens("") == [] and tokens(None) == []


def _population(n_apps=30, n_experts=8, seed=3):
    rng = random.Random(seed)
    faker = TextFaker(seed)
    labels = ["普惠金融", "科技金融", "绿色金融", "小微企业", "供应链金融", "大数据", "人工智能", "区块链", "隐私计算"]
    apps = [AppProfile(j, rng.choice(labels[:3]), rng.sample(labels[3:5], 1), rng.sample(labels[5:], 2),
                       faker.paragraph(min_chars=200, max_chars=400) if j % 7 else "") for j in range(n_apps)]
    bios = [RISK_EXPERT.text, CLAIMS_EXPERT.text, "从事隐私计算、数据要素流通与数据安全合规", "",
            "关注绿色金融、科技金融与产业链金融的数字化"]
    experts = [ExpertProfile(i, rng.sample(labels, 3), bios[i % len(bios)]) for i in range(n_experts)]
    return apps, experts


def test_explain_agrees_with_the_matrix_for_every_pair():
    apps, experts = _population()
    matrix = affinity_matrix(apps, experts)
    assert matrix.shape == (len(apps), len(experts)) and matrix.min() >= 0 and matrix.max() <= 1
    for j, app in enumerate(apps):
        for i, expert in enumerate(experts):
            e = explain(app, expert)
            assert e["total"] == pytest.approx(matrix[j, i], abs=1e-12)
            assert e["total"] == pytest.approx(0.7 * e["tag_score"] + 0.3 * e["text_similarity"], abs=1e-12)
            json.dumps(e, ensure_ascii=False)


def test_explain_with_an_explicit_model_and_on_its_own():
    apps, experts = _population(seed=5)
    model = fit_text_model(apps, experts)
    matrix = affinity_matrix(apps, experts, tag_weight=0.5, text_weight=0.5, model=model)
    affinity_matrix(apps[:1], experts[:1])  # a later call fits another model
    pair = explain(apps[4], experts[2], 0.5, 0.5, model=model)
    assert pair["total"] == pytest.approx(matrix[4, 2], abs=1e-12)
    # a text the model was not fitted on is vectorised with the model's vocabulary and idf
    fresh = AppProfile("new", "科技金融", [], [], CREDIT_TEXT)
    row = affinity_matrix([fresh], experts, model=model)[0]
    assert row[0] > 0 and [explain(fresh, e, model=model)["total"] for e in experts] == pytest.approx(row, abs=1e-12)
    # a pair seen by no earlier call: fitted on the two texts, as the one-pair matrix is
    app, expert = hand_app(CREDIT_TEXT), ExpertProfile("r", ["大数据"], RISK_EXPERT.text + "。")
    alone = affinity_matrix([app], [expert])[0, 0]
    assert explain(app, expert)["total"] == pytest.approx(alone, abs=1e-12)


def test_explain_parts_in_chinese():
    app = hand_app(CREDIT_TEXT)
    expert = ExpertProfile("r", ["大数据", "普惠金融"], RISK_EXPERT.text)
    matrix = affinity_matrix([app, AppProfile("c", None, [], [], CLAIMS_TEXT)], [expert, CLAIMS_EXPERT])
    e = explain(app, expert)
    assert e["matched"] == ["普惠金融", "大数据"]
    assert e["unmatched"] == ["小微企业", "供应链金融", "人工智能"]
    assert e["tag_score"] == pytest.approx(2 / 5)
    assert e["text_similarity"] > 0 and {"小微企业", "信贷"} <= set(e["shared_terms"])
    assert "标签覆盖 2/5" in e["summary"] and "共同关键词" in e["summary"]
    assert e["total"] == pytest.approx(matrix[0, 0])
    other = explain(app, CLAIMS_EXPERT)
    assert other["matched"] == [] and other["text_similarity"] < e["text_similarity"]
    assert other["total"] == pytest.approx(matrix[0, 1]) and matrix[0, 1] < matrix[0, 0]


def test_matrix_is_float_and_scales():
    apps, experts = _population(n_apps=200, n_experts=40, seed=8)
    matrix = affinity_matrix(apps, experts)
    assert matrix.dtype == np.float64 and matrix.shape == (200, 40)
    assert np.isfinite(matrix).all() and (matrix[[j for j in range(200) if j % 7 == 0]] <= 0.7 + 1e-12).all()
