"""Tag suggestions for an application text from the campaign's own choice lists (no Django).

`suggest(text, preset)` reads the preset (a dict, or a pydantic Preset) for

* the tracks, with their descriptions and sub-directions;
* the multi_choice field labelled 应用领域 (domains) and the one labelled 主要技术 / 所用技术 (technologies),

and scores each choice by keyword/synonym hits in the text (score = 1 - 0.5 ** hits), each track by
TF-IDF similarity to its description (rjieba tokens) plus the concepts its description names that the
text also shows. `compare(suggested, ticked)` lists the disagreements with what the applicant ticked.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from jinxuan.textmining.policy import features

DOMAIN_LABELS = {"应用领域"}
TECH_LABELS = {"主要技术", "所用技术"}
SUGGEST_THRESHOLD = 0.5  # a choice scoring at least this (one clear hit) counts as suggested

# concept → keywords. A choice label is tied to every concept whose name it contains (人工智能大模型（AIGC）
# → 人工智能, 大模型), or the label itself when none matches.
TECH_SYNONYMS: dict[str, list[str]] = {
    "大模型": ["大模型", "大语言模型", "LLM", "生成式", "AIGC", "GPT", "DeepSeek", "千问", "智能体", "Agent",
            "提示词", "预训练模型"],
    "人工智能": ["人工智能", "AI", "机器学习", "深度学习", "神经网络", "知识图谱", "计算机视觉", "自然语言处理", "NLP",
             "OCR", "智能算法", "图神经网络", "强化学习", "大模型", "大语言模型"],
    "隐私计算": ["隐私计算", "联邦学习", "多方安全计算", "安全多方计算", "MPC", "可信执行环境", "TEE", "同态加密",
             "可用不可见", "差分隐私", "密态计算"],
    "区块链": ["区块链", "联盟链", "分布式账本", "智能合约", "上链", "存证链"],
    "云计算": ["云计算", "云原生", "容器", "微服务", "私有云", "公有云", "混合云", "Kubernetes", "K8s", "上云",
            "金融云", "云平台", "Serverless", "分布式架构"],
    "大数据": ["大数据", "数据挖掘", "数据中台", "数据湖", "数据仓库", "实时计算", "流计算", "海量数据", "多维数据",
            "画像"],
    "物联网": ["物联网", "IoT", "传感器", "物联", "RFID", "车联网", "智能终端", "电子围栏", "北斗定位"],
    "新一代移动通信": ["新一代移动通信", "5G", "6G", "移动通信", "5G消息"],
    "量子计算": ["量子计算", "量子", "抗量子", "量子通信", "量子密钥"],
    "虚拟现实": ["虚拟现实", "VR", "AR", "增强现实", "混合现实", "元宇宙", "XR", "数字人", "三维场景"],
    "生物识别": ["生物识别", "人脸识别", "刷脸", "指纹", "声纹", "虹膜", "掌纹", "掌静脉", "活体检测"],
}

DOMAIN_SYNONYMS: dict[str, list[str]] = {
    "科技金融": ["科技金融", "科技型企业", "科创企业", "科创", "知识产权", "专精特新", "投贷联动", "创投", "硬科技",
             "高新技术企业", "研发能力", "成果转化"],
    "绿色金融": ["绿色金融", "碳", "ESG", "绿色信贷", "绿色债券", "双碳", "碳减排", "新能源", "环境效益", "绿色"],
    "普惠金融": ["普惠", "小微", "三农", "个体工商户", "农户", "新市民", "无贷户", "首贷", "涉农", "中小微", "乡村振兴",
             "信用白户"],
    "养老金融": ["养老", "老年", "适老化", "银发", "长辈", "长者"],
    "金融数据治理": ["数据治理", "数据质量", "数据标准", "元数据", "主数据", "数据血缘", "数据资产管理"],
    "数实融合": ["数实融合", "实体经济", "产业数字化", "制造业", "数字化转型", "数字经济"],
    "跨境数字金融": ["跨境", "外汇", "出口", "进口", "境外", "离岸", "货币桥", "外贸", "汇率"],
    "供应链金融": ["供应链", "核心企业", "上下游", "应收账款", "订单融资", "产业链", "脱核", "仓单"],
    "金融营销": ["营销", "获客", "精准推荐", "客户运营", "转化率", "用户增长", "权益运营"],
    "金融法治": ["法治", "诉讼", "司法", "调解", "纠纷", "法律", "仲裁"],
    "金融风控": ["风控", "反欺诈", "风险预警", "信用评估", "风险识别", "贷后", "反洗钱", "风险管理", "违约预警", "风险"],
    "消费金融": ["消费金融", "消费贷", "消费信贷", "信用卡", "分期", "促消费"],
    "金融服务": ["金融服务", "客户体验", "线上化", "一站式", "客服", "服务效率"],
    "金融信创": ["信创", "国产化", "自主可控", "国产数据库", "国产芯片", "国产操作系统"],
    "数智金融": ["数智", "智能化", "数字化"],
    "数据要素": ["数据要素", "数据资产", "数据交易", "公共数据", "数据流通", "数据确权", "入表", "授权运营",
             "数据产品", "数据价值"],
    "数据和网络安全防护": ["网络安全", "数据安全", "攻击", "漏洞", "加密", "安全防护", "零信任", "态势感知", "勒索"],
    "数字金融基础设施": ["基础设施", "核心系统", "支付清算", "数字人民币", "数据中心", "算力", "清算"],
    "金融消费者权益保护": ["消费者权益", "投诉", "消保", "适当性", "个人信息保护", "反诈", "电信诈骗"],
    # concepts for tracks (who applies, what kind of work)
    "金融机构": ["金融机构", "银行", "我行", "证券", "保险", "信托", "基金公司", "农商行", "券商", "期货"],
    "科技企业": ["科技企业", "科技公司", "运营商", "科研院校", "高校", "研究院", "实验室", "科研院所", "技术服务商"],
    "综合": ["跨单位", "跨领域", "协同创新", "多个领域", "综合性", "联合申报", "多方协同"],
    "前沿技术": ["前沿技术", "前沿", "突破", "自主研发", "核心算法", "专利"],
    "数字支付": ["支付", "数字人民币", "清算", "收单", "跨境支付"],
    "财富管理": ["投顾", "财富管理", "资产配置", "理财", "投资者"],
    "交易投资": ["交易", "量化", "询价", "套利", "投研", "做市"],
    "宏观研究": ["宏观", "经济预测", "另类数据", "高频数据", "景气"],
    "监管科技": ["监管", "合规", "信息披露", "异常交易", "市场操纵"],
    "股权融资": ["股权", "创投", "风投", "天使", "基金"],
    "保险保障": ["保险", "保单", "理赔", "研发中断险", "首台套"],
    "资本市场": ["上市", "科创债", "债券", "并购", "再融资", "资本市场"],
}

ALL_CONCEPTS = {**TECH_SYNONYMS, **DOMAIN_SYNONYMS}


def _as_dict(preset) -> dict:
    if hasattr(preset, "model_dump"):
        return preset.model_dump(mode="json")
    return preset or {}


def _walk_fields(fields):
    for f in fields or []:
        yield f
        yield from _walk_fields(f.get("fields"))


def choice_lists(preset) -> tuple[list[str], list[str]]:
    """(domain choices, technology choices) of the campaign; empty when it asks neither."""
    data = _as_dict(preset)
    domains: list[str] = []
    techs: list[str] = []
    for section in (data.get("form") or {}).get("sections", []):
        for f in _walk_fields(section.get("fields")):
            if f.get("type") != "multi_choice":
                continue
            labels = [c if isinstance(c, str) else c.get("label", "") for c in f.get("choices", [])]
            if f.get("label") in DOMAIN_LABELS and not domains:
                domains = labels
            elif f.get("label") in TECH_LABELS and not techs:
                techs = labels
    return domains, techs


def tracks_of(preset) -> list[dict]:
    out = []
    for t in _as_dict(preset).get("tracks", []):
        subs = t.get("sub_directions") or []
        doc = "。".join([t.get("name", ""), t.get("description", "")]
                       + [f"{s.get('name', '')}：{s.get('description', '')}" for s in subs])
        out.append({"key": t["key"], "name": t.get("name", ""), "doc": doc})
    return out


# ---------------------------------------------------------------------------------------- keywords

_LATIN = re.compile(r"[A-Za-z0-9]")


def _hits(keyword: str, text: str) -> int:
    if _LATIN.search(keyword) and keyword.isascii():
        pattern = rf"(?<![A-Za-z]){re.escape(keyword)}(?![A-Za-z])"
        return len(re.findall(pattern, text, flags=re.I))
    return text.count(keyword)


def concept_hits(text: str, keywords: list[str]) -> int:
    """Occurrences of any keyword; a keyword inside a longer matched keyword is not counted twice."""
    total = 0
    masked = text
    for kw in sorted(set(keywords), key=len, reverse=True):
        n = _hits(kw, masked)
        if n:
            total += n
            if not kw.isascii():
                masked = masked.replace(kw, "□")
    return total


def _concepts_for(label: str, table: dict[str, list[str]]) -> list[str]:
    base = re.sub(r"[（(][^）)]*[）)]", "", label).strip()
    found = [c for c in table if c in label or c == base]
    return found


def keywords_for(label: str, table: dict[str, list[str]]) -> list[str]:
    """The label, its parenthesised alias (AIGC), and the synonyms of every concept it names."""
    words = {re.sub(r"[（(][^）)]*[）)]", "", label).strip()}
    words.update(re.findall(r"[（(]([^）)]+)[）)]", label))
    for concept in _concepts_for(label, table):
        words.update(table[concept])
    if not _concepts_for(label, table) and label.endswith("金融") and len(label) >= 5:
        words.add(label[:-2])  # unknown label: its stem (XX金融 → XX)
    return [w for w in words if w]


def _score(hits: int) -> float:
    return round(1 - 0.5 ** hits, 4)


def score_choices(text: str, labels: list[str], table: dict[str, list[str]]) -> list[dict]:
    out = []
    for label in labels:
        if label == "其他":
            continue
        s = _score(concept_hits(text, keywords_for(label, table)))
        out.append({"label": label, "score": s})
    out.sort(key=lambda d: -d["score"])
    return out


# ---------------------------------------------------------------------------------------- tracks

def _tfidf_cosines(text: str, docs: list[str]) -> list[float]:
    counts = [Counter(features(d)) for d in docs]
    n = len(counts)
    df = Counter(f for c in counts for f in c)
    idf = {f: math.log((1 + n) / (1 + d)) + 1 for f, d in df.items()}

    def vec(c: Counter) -> dict[str, float]:
        v = {f: (1 + math.log(k)) * idf[f] for f, k in c.items() if f in idf}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {f: x / norm for f, x in v.items()}

    q = vec(Counter(features(text)))
    return [sum(q[f] * d.get(f, 0.0) for f in q) for d in map(vec, counts)]


def score_tracks(text: str, preset) -> list[dict]:
    tracks = tracks_of(preset)
    if not tracks:
        return []
    cos = _tfidf_cosines(text, [t["doc"] for t in tracks])
    text_concepts = {c: concept_hits(text, kws) for c, kws in ALL_CONCEPTS.items()}
    # a concept present in every track's description tells the tracks apart not at all
    track_concepts = [{c for c, kws in ALL_CONCEPTS.items() if concept_hits(t["doc"], kws)} for t in tracks]
    common = set.intersection(*track_concepts) if len(track_concepts) > 1 else set()
    out = []
    for t, c, concepts in zip(tracks, cos, track_concepts, strict=True):
        specific = concepts - common
        overlap = sum(_score(text_concepts[k]) for k in specific)
        concept_part = overlap / math.sqrt(len(specific)) if specific else 0.0
        score = 0.5 * c + 0.5 * min(1.0, concept_part)
        out.append({"key": t["key"], "name": t["name"], "score": round(score, 4)})
    out.sort(key=lambda d: -d["score"])
    return out


def suggest(text: str, preset) -> dict:
    """{"track": [{key, name, score}], "domains": [{label, score}], "technologies": [{label, score}]}, best first."""
    domains, techs = choice_lists(preset)
    return {
        "track": score_tracks(text, preset),
        "domains": score_choices(text, domains, DOMAIN_SYNONYMS),
        "technologies": score_choices(text, techs, TECH_SYNONYMS),
    }


def compare(suggested: dict, ticked: dict, threshold: float = SUGGEST_THRESHOLD) -> list[dict]:
    """Disagreements between the suggestions and what the applicant ticked.

    `ticked` = {"track": key or [keys], "domains": [labels], "technologies": [labels]}. Returns
    [{kind: "suggested_not_ticked" | "ticked_not_supported", field, label, score, message}].
    """
    out = []
    names = {"domains": "应用领域", "technologies": "技术"}
    for fieldname, title in names.items():
        scores = {d["label"]: d["score"] for d in suggested.get(fieldname, [])}
        chosen = [x for x in (ticked.get(fieldname) or []) if x != "其他"]
        for label, s in scores.items():
            if s >= threshold and label not in chosen:
                out.append({"kind": "suggested_not_ticked", "field": fieldname, "label": label, "score": s,
                            "message": f"正文涉及“{label}”，但{title}未勾选"})
        for label in chosen:
            s = scores.get(label, 0.0)
            if s == 0.0 and label in scores:
                out.append({"kind": "ticked_not_supported", "field": fieldname, "label": label, "score": s,
                            "message": f"{title}勾选了“{label}”，正文未见相关表述"})
    track = ticked.get("track")
    ranked = suggested.get("track") or []
    if track and ranked:
        keys = [track] if isinstance(track, str) else list(track)
        best = ranked[0]
        by_key = {t["key"]: t for t in ranked}
        for key in keys:
            mine = by_key.get(key)
            if mine and best["key"] != key and best["score"] - mine["score"] >= 0.1:
                out.append({"kind": "suggested_not_ticked", "field": "track", "label": best["name"],
                            "score": best["score"],
                            "message": f"正文更贴近 {best['name']}，所选为 {mine['name']}"})
    return out
