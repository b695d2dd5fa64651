"""What a case's text and organisations say about it: figures, tags, aligned policy clauses, region, type."""

from __future__ import annotations

from jinxuan.policies.models import Policy
from jinxuan.textmining import metrics
from jinxuan.textmining import tags as tagging
from jinxuan.textmining.policy import align_json

PROVINCES = ["北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
             "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
             "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门"]
CITIES = {"广州": "广东", "深圳": "广东", "珠海": "广东", "佛山": "广东", "东莞": "广东", "杭州": "浙江", "宁波": "浙江",
          "南京": "江苏", "苏州": "江苏", "无锡": "江苏", "成都": "四川", "武汉": "湖北", "长沙": "湖南", "西安": "陕西",
          "郑州": "河南", "济南": "山东", "青岛": "山东", "厦门": "福建", "福州": "福建", "合肥": "安徽", "南昌": "江西",
          "昆明": "云南", "贵阳": "贵州", "南宁": "广西", "海口": "海南", "沈阳": "辽宁", "大连": "辽宁", "长春": "吉林",
          "哈尔滨": "黑龙江", "石家庄": "河北", "太原": "山西", "兰州": "甘肃", "西宁": "青海", "银川": "宁夏",
          "乌鲁木齐": "新疆", "拉萨": "西藏", "呼和浩特": "内蒙古", "雄安": "河北"}
# institution type from a name: first keyword found wins
NAME_TYPES = [("银行", "银行"), ("农信", "银行"), ("信用社", "银行"), ("保险", "保险"), ("产险", "保险"), ("寿险", "保险"),
              ("证券", "证券"), ("期货", "期货"), ("基金", "基金"), ("信托", "信托"), ("消费金融", "消费金融"),
              ("小额贷款", "小额贷款"), ("融资租赁", "融资租赁"), ("保理", "保理"), ("交易所", "交易场所"),
              ("交易中心", "交易场所"), ("清算", "金融基础设施"), ("支付", "支付机构"), ("大学", "高校及科研院所"),
              ("学院", "高校及科研院所"), ("研究院", "高校及科研院所"), ("研究所", "高校及科研院所"),
              ("实验室", "高校及科研院所"), ("协会", "社会团体"), ("学会", "社会团体"), ("联合会", "社会团体"),
              ("中心", "政府及事业单位"), ("局", "政府及事业单位"), ("委员会", "政府及事业单位"),
              ("人民政府", "政府及事业单位"), ("科技", "科技企业"), ("信息", "科技企业"), ("数据", "科技企业"),
              ("网络", "科技企业"), ("软件", "科技企业"), ("智能", "科技企业"), ("公司", "其他企业")]

MAX_TAGS = 4
POLICY_TOP = 2


def region_of(*texts: str) -> str:
    """The province a name or registered region names ("广州市…" → 广东), or ""."""
    for text in texts:
        if not text:
            continue
        for p in PROVINCES:
            if text.startswith(p):
                return p
        for city, province in CITIES.items():
            if text.startswith(city):
                return province
    for text in texts:
        for p in PROVINCES:
            if text and p in text[:8]:
                return p
    return ""


def institution_type(name: str, declared: str = "") -> str:
    if declared and declared != "其他":
        return declared
    for keyword, label in NAME_TYPES:
        if keyword in name:
            return label
    return "其他"


def figures(paragraphs: list[str]) -> list[dict]:
    """Quantified results of the body (the `jinxuan text metrics` extractor), in text order."""
    out = []
    for i, para in enumerate(paragraphs):
        for m in metrics.to_json(metrics.extract(para)):
            m["paragraph"] = i
            out.append(m)
    return out


def _default_lists() -> tuple[list[str], list[str]]:
    domains = [k for k in tagging.DOMAIN_SYNONYMS if k not in {"金融机构", "科技企业", "综合", "前沿技术"}][:19]
    return domains, list(tagging.TECH_SYNONYMS)


def tags_for(text: str, preset: dict | None) -> dict:
    """{"domains": [...], "technologies": [...]} scoring at least one clear hit, best first."""
    domains, techs = tagging.choice_lists(preset) if preset else ([], [])
    if not domains or not techs:
        d, t = _default_lists()
        domains, techs = domains or d, techs or t
    out = {}
    for key, labels, table in (("domains", domains, tagging.DOMAIN_SYNONYMS),
                               ("technologies", techs, tagging.TECH_SYNONYMS)):
        scored = tagging.score_choices(text, [x for x in labels if x != "其他"], table)
        out[key] = [d["label"] for d in scored if d["score"] >= tagging.SUGGEST_THRESHOLD][:MAX_TAGS]
    return out


_PARSED: dict = {}


def _parsed_policies():
    rows = list(Policy.objects.only("pk", "slug", "title", "imported_at"))
    out = []
    for row in rows:
        key = (row.pk, row.imported_at)
        if key not in _PARSED:
            _PARSED[key] = row.parsed()
        out.append((row, _PARSED[key]))
    return out


def policies_for(text: str) -> list[dict]:
    """The best-aligned clauses of each imported policy: [{policy, policy_title, number, title, score}]."""
    out = []
    if not text.strip():
        return out
    for row, parsed in _parsed_policies():
        for c in align_json(text, parsed, top=POLICY_TOP):
            if c["score"] > 0:
                out.append({"policy": row.slug, "policy_title": row.title, "number": c["number"],
                            "title": c["title"], "score": round(float(c["score"]), 4)})
    return out
