from pathlib import Path

import pytest
import yaml

from jinxuan.textmining.tags import TECH_SYNONYMS, choice_lists, compare, concept_hits, keywords_for, suggest

PRESETS = Path(__file__).resolve().parents[2] / "presets"


def preset(slug):
    return yaml.safe_load((PRESETS / f"{slug}.yaml").read_text(encoding="utf-8"))


GZ = "gz-dianshu-2025"
TOP = "top10-2025"

# (campaign, text, expected top track, expected top technology, a domain that must be suggested)
APPLICATIONS = [
    (GZ, "我行将信贷核心系统整体迁移至分布式私有云，采用云原生和微服务架构，支撑日均千万笔交易。"
         "借助大数据实时计算引擎，对公开户与贷款审批流程由三天缩短至一小时，运维成本下降四成。",
     "fi_tech_application", "云计算", "数字金融基础设施"),
    (GZ, "本行信用卡中心引入人工智能反欺诈模型，利用机器学习和知识图谱识别团伙欺诈与盗刷交易。"
         "上线后欺诈损失率下降六成，风控审核人力减少一半。",
     "fi_tech_application", "人工智能", "金融风控"),
    (GZ, "我公司是专注密码学的科技企业，自主研发多方安全计算与可信执行环境一体机，在隐私计算领域实现性能突破。"
         "产品已在三家城商行的联合风控中落地，计算性能较开源方案提升十倍。",
     "tech_empowered_rnd", "隐私计算", "金融风控"),
    (GZ, "某通信运营商联合高校研发量子密钥分发网络，为银行数据中心之间的专线提供抗量子攻击的加密传输，"
         "实现金融通信的前沿技术突破。",
     "tech_empowered_rnd", "量子计算", "数据和网络安全防护"),
    (GZ, "科技公司基于联盟链搭建供应链金融平台，核心企业应收账款凭证上链拆分流转，"
         "上下游中小供应商凭链上凭证向银行融资，智能合约自动清分回款。",
     "tech_empowered_rnd", "区块链", "供应链金融"),
    (GZ, "项目以数据要素价值释放为目标，通过联邦学习和数据脱敏技术，在不交换原始数据的前提下融合电力、税务公共数据，"
         "为银行普惠信贷提供联合建模服务，实现数据可用不可见。",
     "data_elements", "隐私计算", "数据要素"),
    (GZ, "三家单位跨领域协同创新，联合申报综合性项目：银行、保险公司与科技企业共建绿色金融、养老金融和普惠金融一体化平台，"
         "覆盖多个领域的综合服务。",
     "comprehensive", None, "绿色金融"),
    (GZ, "我行部署金融大模型智能客服与投研助手，基于大语言模型和检索增强生成，自动生成客户问答和研报摘要，"
         "客服人工替代率达七成。",
     "fi_tech_application", "大模型", "金融服务"),
    (TOP, "某创投基金设立概念验证基金，投早投小投硬科技，已投资四十家初创期科技型企业，"
          "并与银行开展投贷联动，推动科技成果转化。",
     "sci_tech_finance_events", None, None),
    (TOP, "上海某银行基于上海市公共数据授权运营，完成数据资产入表并以数据资产质押融资，"
          "运用隐私计算实现数据可用不可见，核心实践地在上海。",
     "shanghai_data_finance", "隐私计算", None),
    (TOP, "数字人民币在跨境数字支付场景落地，通过多边央行数字货币桥完成跨境支付结算，"
          "依托区块链实现全链路支付清算。",
     "digital_finance_events", "区块链", None),
    (TOP, "某保险公司基于物联网传感器和北斗定位对冷链车辆实时监控，结合大数据为物流企业提供按里程计费的保险产品。",
     None, "物联网", None),
]


@pytest.mark.parametrize(("slug", "text", "track", "tech", "domain"), APPLICATIONS)
def test_synthetic_applications(slug, text, track, tech, domain):
    result = suggest(text, preset(slug))
    if track:
        assert result["track"][0]["key"] == track, result["track"][:3]
    if tech:
        assert result["technologies"][0]["score"] >= 0.5
        top_labels = [t["label"] for t in result["technologies"] if t["score"] == result["technologies"][0]["score"]]
        assert any(label.startswith(tech) or tech in label for label in top_labels), result["technologies"][:3]
    if domain:
        assert domain in [d["label"] for d in result["domains"] if d["score"] >= 0.5], result["domains"][:5]


def test_choice_lists_from_presets():
    domains, techs = choice_lists(preset(GZ))
    assert "普惠金融" in domains and "大模型" in techs and len(techs) == 10
    domains, techs = choice_lists(preset(TOP))
    assert domains == [] and "人工智能大模型（AIGC）" in techs
    assert choice_lists(preset("xinhua-nqp-2025")) == ([], [])
    assert suggest("任何文本", {}) == {"track": [], "domains": [], "technologies": []}


def test_preset_object_is_accepted():
    from jinxuan.campaigns.preset_io import read_preset

    result = suggest("我行用区块链做供应链金融", read_preset(PRESETS / f"{GZ}.yaml"))
    assert result["technologies"][0]["label"] == "区块链"


def test_keywords_and_hits():
    kws = keywords_for("人工智能大模型（AIGC）", TECH_SYNONYMS)
    assert {"AIGC", "LLM", "机器学习", "人工智能大模型"} <= set(kws)
    assert concept_hits("采用AI和AIGC", ["AI"]) == 1  # AI inside AIGC is not AI
    assert concept_hits("联邦学习", ["联邦学习", "学习"]) == 1


def test_compare_lists_both_directions():
    text = "我行运用联邦学习为小微企业和个体工商户提供普惠信用贷款。"
    suggested = suggest(text, preset(GZ))
    found = compare(suggested, {"track": "comprehensive", "domains": ["养老金融"], "technologies": ["隐私计算"]})
    kinds = {(f["kind"], f["field"], f["label"]) for f in found}
    assert ("suggested_not_ticked", "domains", "普惠金融") in kinds
    assert ("ticked_not_supported", "domains", "养老金融") in kinds
    assert not any(f["field"] == "technologies" and f["label"] == "隐私计算" for f in found)
    assert all(f["message"] for f in found)
    assert compare(suggested, {"domains": ["普惠金融"], "technologies": ["隐私计算", "其他"]}) == [
        f for f in compare(suggested, {"domains": ["普惠金融"], "technologies": ["隐私计算"]})]
