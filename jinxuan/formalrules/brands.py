"""Brand, enterprise and product names in a case title (000: 名称中不应包含企业、品牌、产品等名称信息).

* `name_variants(name)`: an organisation's full name and the short forms people write, e.g.
  中信银行股份有限公司 → 中信银行股份有限公司, 中信银行, 中信;
  中国平安财产保险股份有限公司 → …, 平安财产保险, 平安财险, 平安产险, 平安.
* `quoted(text)`: segments in “”「」『』《》"" (coined product / platform names are written that way).
* `latin_product_tokens(text, allow)`: Latin tokens that look like product names (XPay, eCNY, …Cloud,
  but not a capitalised word such as Smart),
  leaving common technology acronyms (AI, 5G, API …) alone.
* `latin_abbreviations(text, allow)`: upper-case Latin abbreviations that are not common technical or
  financial acronyms (ZYT, HXB): often a product's initials.
* `platform_names(title, texts)`: a "…平台" / "…网" phrase of the title that the application's own texts use
  again and again, verbatim, as a proper name (粤信融平台), with where and how often.
"""

import re
from functools import lru_cache

from .regions import place_prefixes

LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "股份公司", "有限公司", "集团公司", "总公司", "公司", "集团")
BRANCH_SUFFIXES = ("分公司", "子公司", "营业部", "分行", "支行", "总行", "分中心", "分院")
# Industry words a name ends with, longest first; stripping them leaves the 字号 (core).
INDUSTRY_WORDS = tuple(sorted({
    "农村商业银行", "农村合作银行", "农村信用合作联社", "商业银行", "村镇银行", "民营银行", "银行", "农商银行", "农商行",
    "证券", "财产保险", "人寿保险", "健康保险", "养老保险", "再保险", "保险", "人寿", "财险", "产险", "寿险",
    "基金管理", "基金", "期货", "信托", "金融租赁", "融资租赁", "租赁", "金租", "消费金融", "消金", "小额贷款", "保理",
    "金融科技", "金融信息服务", "金融服务", "金融", "信息技术", "信息科技", "信息服务", "网络科技", "数字科技",
    "智能科技", "数据科技", "大数据服务", "大数据", "数据服务", "数据", "征信", "科技", "技术", "信息", "网络", "数字",
    "智能", "软件", "系统", "通信", "电子商务", "支付", "控股", "投资", "资本", "资产管理", "理财", "服务",
    "研究院", "研究所", "研究中心", "实验室", "交易所", "交易中心", "清算所", "清算中心",
}, key=len, reverse=True))
# Common short forms of an industry word (平安 + 财产保险 → 平安财险 / 平安产险).
ABBREVIATIONS = {
    "财产保险": ("财险", "产险"), "人寿保险": ("人寿", "寿险"), "农村商业银行": ("农商银行", "农商行"),
    "消费金融": ("消金",), "金融租赁": ("金租",), "证券": ("证券",), "银行": ("银行",),
}
# Well-known bank short forms that the stripping rules cannot derive.
KNOWN_SHORT = {
    "中国工商银行": ("工行",), "中国建设银行": ("建行",), "中国农业银行": ("农行",), "中国银行": ("中行",),
    "交通银行": ("交行",), "招商银行": ("招行",), "中国邮政储蓄银行": ("邮储银行", "邮储"),
    "上海浦东发展银行": ("浦发银行", "浦发"), "广发银行": ("广发",), "中国民生银行": ("民生银行",),
    "中国光大银行": ("光大银行", "光大"), "中国进出口银行": ("进出口银行", "口行"),
    "国家开发银行": ("国开行",), "中国农业发展银行": ("农发行",),
}
# Cores that are everyday words: a title may well contain them without naming the organisation
# (中国建设银行 → 建设 would flag "平台建设"); the longer forms (建设银行, 建行) are still checked.
GENERIC_CORES = frozenset({
    "工商", "建设", "招商", "农业", "交通", "邮政", "储蓄", "邮政储蓄", "发展", "商业", "农村", "城市", "国际", "国家", "人民",
    "开发", "进出口", "农业发展", "浦东发展", "数字", "智能", "创新", "普惠", "绿色", "科创", "产业", "数据", "金融",
    "信用", "服务", "技术", "科技", "信息", "网络", "华南", "华东", "华北", "西部", "东部", "南方", "北方", "中部",
})
_PARENS = re.compile(r"[（(][^（）()]*[）)]")
QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", "《": "》", '"': '"', "‘": "’"}
_QUOTED = re.compile("|".join(f"{re.escape(o)}([^{re.escape(o + c)}]{{1,30}}){re.escape(c)}" for o, c in QUOTE_PAIRS.items()))

DEFAULT_ACRONYMS = (
    "AI", "5G", "6G", "API", "IoT", "RPA", "OCR", "NLP", "SaaS", "PaaS", "IaaS", "MaaS", "ESG", "SDK", "App", "AIGC",
    "GPU", "LLM", "BI", "ERP", "CRM", "VR", "AR", "MR", "PoC", "KYC", "AML", "H5",
    # further technical and financial acronyms as common as these
    "IT", "ICT", "CPU", "NPU", "IP", "OS", "SQL", "VPN", "CDN", "DNS", "HTTP", "HTTPS", "SSL", "TLS", "PKI", "CA",
    "TEE", "MPC", "FL", "DID", "NFT", "NFC", "RFID", "QR", "GPS", "GIS", "BIM", "CV", "ML", "DL", "RAG", "UI", "UX",
    "AGI", "GPT", "OA", "CMS", "DevOps", "MLOps", "CBDC", "DCEP", "ETC", "B2B", "B2C", "O2O", "P2P", "IPO", "VC", "PE",
    "ETF", "FOF", "ABS", "REITs", "RWA", "FICC", "QFII", "SME", "SMEs", "KPI", "ROI", "SLA", "TPS", "MSP", "VIP",
    "ATM", "POS", "PC", "CFCA", "PBOC", "ISO", "GB", "IFRS", "XBRL", "EDI", "SWIFT", "CIPS", "LPR", "SHIBOR", "LOF",
    "ESOP", "CTA", "TOB", "TOC", "ToB", "ToC", "G20", "APEC", "WTO", "RCEP", "ASEAN", "EB", "PB", "TB",
)
PRODUCT_ENDINGS = ("pay", "bank", "link", "cloud", "gpt")
_LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9+\-_.]*[A-Za-z0-9+]|[A-Za-z]")


def _strip_end(text: str, words) -> str:
    for word in words:
        if text.endswith(word) and len(text) > len(word):
            return text[: -len(word)]
    return text


@lru_cache(maxsize=1)
def _place_patterns() -> tuple[re.Pattern, re.Pattern]:
    words = "|".join(map(re.escape, place_prefixes()))  # longest first: the alternation takes the longest
    return re.compile(f"^(?:{words})(?=.)"), re.compile(f"(?<=.)(?:{words})$")


def _strip_place(text: str) -> str:
    match = _place_patterns()[0].match(text)
    return text[match.end():] if match else text


def _strip_trailing_place(text: str) -> str:
    match = _place_patterns()[1].search(text)
    return text[: match.start()] if match else text


@lru_cache(maxsize=1)
def _place_set() -> frozenset:
    return frozenset(place_prefixes())


def _core(stem: str, places) -> tuple[str, list[str]]:
    """(字号, industry short forms): 平安财产保险 → ("平安", ["平安财险", "平安产险"]); ("", …) when nothing
    distinctive is left (only industry words or a place name)."""
    core, shortened = stem, []
    for _ in range(4):  # 平安财产保险 → 平安; 东方财富信息 → 东方财富
        shorter = _strip_end(core, INDUSTRY_WORDS)
        if shorter == core:
            break
        shortened += [shorter + a for a in ABBREVIATIONS.get(core[len(shorter):], ())]
        core = shorter
    if core in INDUSTRY_WORDS or core in places or len(core) < 2:
        return "", shortened
    return core, shortened


def name_variants(name: str, generic_cores=GENERIC_CORES) -> list[str]:
    """The full name and its short forms, longest first; forms of one character are dropped."""
    return list(_variants(name or "", frozenset(generic_cores)))


@lru_cache(maxsize=8192)
def _variants(name: str, generic_cores: frozenset) -> tuple[str, ...]:
    full = re.sub(r"\s+", "", name)
    if not full:
        return ()
    out = {full}
    stem = _PARENS.sub("", full)  # 平安科技（深圳）有限公司 → 平安科技有限公司
    out.add(stem)
    for _ in range(3):  # 中国工商银行股份有限公司广州分行 → … → 中国工商银行
        before = stem
        stem = _strip_end(stem, BRANCH_SUFFIXES)
        if stem != before:
            stem = _strip_trailing_place(stem)
        stem = _strip_end(stem, LEGAL_SUFFIXES)
        if stem == before:
            break
    places = _place_set()
    stems = [stem]
    bare = _strip_place(_strip_place(stem))  # 中国 + 广东 …
    for s in (_strip_place(stem), bare):
        # 北京银行 → 银行 or 上海数据交易所 → 数据交易所 name no one: the place is part of the brand.
        if s not in stems and _core(s, places)[0]:
            stems.append(s)
    for s in stems:
        out.add(s)
        out.update(KNOWN_SHORT.get(s, ()))
        core, shortened = _core(s, places)
        out.update(shortened)
        if core and core != s and core not in generic_cores and _strip_place(core) not in generic_cores:
            out.add(core)
    return tuple(sorted((v for v in out if len(v) >= 2), key=lambda v: (-len(v), v)))


def find_name(title: str, variants: list[str]) -> str | None:
    """The longest variant contained in the title.  A short form ending in 行 followed by 业 is the word
    行业, not a bank (构建行业 is not 建行, 施工行业 not 工行)."""
    for variant in variants:
        at = title.find(variant)
        while at >= 0:
            end = at + len(variant)
            if not (variant.endswith("行") and title[end:end + 1] == "业"):
                return variant
            at = title.find(variant, at + 1)
    return None


_ABBREVIATION = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Z0-9]{1,7}(?![A-Za-z0-9])")


def latin_abbreviations(text: str, allow=DEFAULT_ACRONYMS) -> list[str]:
    """Upper-case abbreviations (2-8 letters or digits, at least two letters) outside `allow`, in order."""
    allowed = {a.lower() for a in allow}
    found = []
    for token in _ABBREVIATION.findall(text or ""):
        if token.lower() in allowed or sum(c.isalpha() for c in token) < 2 or token in found:
            continue
        found.append(token)
    return found


# Words a generic "…平台" / "…网" is made of; a phrase with nothing else before 平台/网 names no one.
PLATFORM_GENERIC = tuple(sorted({
    "综合", "服务", "管理", "一体化", "一站式", "全流程", "智慧", "智能", "智能化", "数字", "数字化", "数据", "信息", "金融",
    "融资", "信用", "信贷", "普惠", "供应链", "产业链", "交易", "开放", "共享", "公共", "监管", "风控", "风险", "支付",
    "结算", "清算", "营销", "运营", "中小微", "中小", "小微", "企业", "产业", "科技", "技术", "大数据", "区块链", "人工",
    "在线", "线上", "移动", "跨境", "绿色", "养老", "农村", "乡村", "涉农", "城市", "政务", "对接", "撮合", "协同",
    "统一", "新一代", "个人", "客户", "互联", "云", "大模型", "模型", "应用", "业务", "数智", "创新", "发展", "建设",
    "平台", "系统", "中台", "门户", "工作", "办公", "协作", "分析", "决策", "计算", "隐私", "安全", "合规", "资产",
    "财富", "理财", "保险", "银行", "证券", "基金", "投资", "贸易", "外汇", "票据", "贷款", "征信", "评级", "评价",
    "知识产权", "科创", "数据要素", "要素", "流通", "登记", "备案", "认证", "识别", "防控", "预警", "监测", "服务型",
    "的", "与", "和", "及", "之", "新型", "专属", "专业", "全国", "全省", "全市", "区域", "省级", "市级", "国家级",
}, key=len, reverse=True))
PLATFORM_ENDS = ("平台", "网")
# "…网" that are ordinary words, not a site's name.
NOT_A_SITE = ("互联网", "物联网", "局域网", "广域网", "电网", "联网", "内网", "外网", "专网", "上网", "入网", "组网",
              "天网", "卫星网", "车联网", "电信网", "能源网", "算力网")
_BEFORE_NAME = "的在于与和及对为以从向把被将、，。；：“”《》（）() "


def _distinctive(head: str) -> bool:
    """Something other than generic platform words and place names is left of head."""
    rest = head
    for _ in range(3):
        rest = _strip_place(rest)
    for word in PLATFORM_GENERIC:
        rest = rest.replace(word, "")
    for place in (p for p in place_prefixes() if p in rest):
        rest = rest.replace(place, "")
    return len(rest) >= 2


def _word_starts(title: str) -> list[int]:
    """Offsets where a word of the title begins (rjieba), so a phrase never starts inside a word (应链…)."""
    import rjieba

    starts, at = [], 0
    for word in rjieba.cut(title):
        starts.append(at)
        at += len(word)
    return starts


def platform_names(title: str, texts, min_count: int = 3) -> list[dict]:
    """"…平台" / "…网" phrases of the title the application uses as a proper name: the longest phrase (2-10
    characters before 平台/网, starting at a word of the title, not with a particle) found verbatim at least `min_count` times in
    `texts` ((path, label, text) triples), with something distinctive before 平台/网.  Each hit:
    {"phrase", "count", "where": [{"path", "label", "count"}]}."""
    texts = [(path, label, text or "") for path, label, text in texts]
    found, seen = [], set()
    for end in PLATFORM_ENDS:
        at = title.find(end)
        while at > 0:
            stop = at + len(end)
            if end == "网" and (title[stop:stop + 1] in "络点页站关格银民购约贷" or
                                any(title[:stop].endswith(w) for w in NOT_A_SITE)):
                at = title.find(end, stop)
                continue
            best = None
            for start in (b for b in _word_starts(title) if at - 10 <= b < at - 1):
                phrase = title[start:stop]
                if phrase[0] in _BEFORE_NAME or not _distinctive(phrase[: -len(end)]):
                    continue
                where = [{"path": path, "label": label, "count": text.count(phrase)} for path, label, text in texts]
                where = [w for w in where if w["count"]]
                total = sum(w["count"] for w in where)
                if total >= min_count:
                    best = {"phrase": phrase, "count": total, "where": where}
                    break  # the longest qualifying phrase
            if best and best["phrase"] not in seen:
                seen.add(best["phrase"])
                found.append(best)
            at = title.find(end, stop)
    return found


def quoted(text: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None).strip() for m in _QUOTED.finditer(text or "")]


def latin_product_tokens(text: str, allow=DEFAULT_ACRONYMS) -> list[str]:
    allowed = {a.lower() for a in allow}
    found = []
    for token in _LATIN.findall(text or ""):
        token = token.strip("+-_.")
        letters = re.sub(r"[^A-Za-z]", "", token)
        if not letters or token.lower() in allowed:
            continue
        # XPay, eCNY, WeLink: a capital after the first letter and some lower case ("Choice" is a word)
        mixed = any(c.islower() for c in letters) and any(c.isupper() for c in letters[1:])
        if mixed or letters.lower().endswith(PRODUCT_ENDINGS):
            found.append(token)
    return found
