"""Policy documents: parse numbered clauses and rank them against a case text.

Pure Python (no Django). A policy text is read as

    <title>
    <preamble>
    一、<chapter title>
    （一）<clause lead phrase>。<clause body …>
    …

Page-break artefacts (a sentence split over two lines, blank lines in between) are joined back.
`align()` scores every clause with TF-IDF (rjieba tokens plus token bigrams, a policy/finance stop
list, clause titles weighted ×3, a few synonyms on the query side) and returns the best ones with
the terms they share with the text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUM = "零〇一二两三四五六七八九十百"

CHAPTER_RE = re.compile(rf"^([{CN_NUM}]{{1,4}})、\s*(.{{1,40}})$")
CLAUSE_RE = re.compile(rf"^[（(]([{CN_NUM}]{{1,4}})[）)]\s*(.*)$")
TITLE_HINT = re.compile(r"(意见|办法|方案|通知|措施|规定|规划|指引|细则|决定|纲要|计划)$")
SENTENCE_END = "。！？；"


def cn_to_int(text: str) -> int:
    """一 → 1, 十 → 10, 十八 → 18, 二十三 → 23, 一百零五 → 105."""
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        else:
            raise ValueError(f"不是中文数字：{text}")
    return total + current


@dataclass
class Clause:
    number: str  # "（六）"
    ordinal: int  # 6
    title: str  # the lead phrase: 大力发展数字普惠金融
    body: str  # the rest of the clause

    @property
    def text(self) -> str:
        return f"{self.title}。{self.body}" if self.body else self.title


@dataclass
class Chapter:
    number: str  # "三"
    title: str
    clauses: list[Clause] = field(default_factory=list)


@dataclass
class Policy:
    title: str
    chapters: list[Chapter] = field(default_factory=list)
    preamble: str = ""

    @property
    def clauses(self) -> list[Clause]:
        return [c for ch in self.chapters for c in ch.clauses]

    def chapter_of(self, clause: Clause) -> Chapter | None:
        for ch in self.chapters:
            if any(c is clause for c in ch.clauses):
                return ch
        return None

    def as_dict(self) -> dict:
        return asdict(self)


def _lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ").replace("\ufeff", "")
    return [line.strip() for line in text.split("\n") if line.strip()]


def _split_title(rest: str) -> tuple[str, str]:
    """（六）大力发展数字普惠金融。引导… → (大力发展数字普惠金融, 引导…)."""
    m = re.match(r"^([^。！？；]{1,60}?)[。！？；]\s*(.*)$", rest, re.S)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return rest.strip(), ""


def _join(parts: list[str]) -> str:
    out = ""
    for part in parts:
        out += part  # Chinese: a line break mid-sentence is no space
    return out


def parse_policy(text: str) -> Policy:
    """Parse a policy text into chapters and numbered clauses （一）（二）….

    Clause numbers must run on (1, 2, 3 … across chapters or restarting per chapter); a line that
    merely starts with （三） out of sequence stays in the current clause's body.
    """
    lines = _lines(text)
    policy = Policy(title="")
    preamble: list[str] = []
    chapter: Chapter | None = None
    current: tuple[Clause, list[str]] | None = None
    last_ordinal = 0
    last_chapter = 0

    def close():
        nonlocal current
        if current is not None:
            clause, parts = current
            clause.title, clause.body = _split_title(_join(parts))
            current = None

    for line in lines:
        m = CHAPTER_RE.match(line)
        if m and line[-1] not in SENTENCE_END + "，、":
            try:
                n = cn_to_int(m.group(1))
            except ValueError:
                n = -1
            if n == last_chapter + 1:
                close()
                last_chapter = n
                chapter = Chapter(number=m.group(1), title=m.group(2).strip())
                policy.chapters.append(chapter)
                continue
        m = CLAUSE_RE.match(line)
        if m:
            try:
                n = cn_to_int(m.group(1))
            except ValueError:
                n = -1
            if n == last_ordinal + 1 or (n == 1 and chapter is not None and not chapter.clauses and current is None):
                close()
                last_ordinal = n
                clause = Clause(number=f"（{m.group(1)}）", ordinal=n, title="", body="")
                if chapter is None:
                    chapter = Chapter(number="", title="")
                    policy.chapters.append(chapter)
                chapter.clauses.append(clause)
                current = (clause, [m.group(2)])
                continue
        if current is not None:
            current[1].append(line)
        elif chapter is None:
            if not policy.title and (TITLE_HINT.search(line) and len(line) <= 80):
                policy.title = re.sub(r"\s+", "", line)
            elif line not in {"附件", "附 件"}:
                preamble.append(line)
        # text under a chapter heading before its first clause (一、总体要求 …) is chapter prose: skipped
    close()
    if not policy.title:
        first = next((p for p in preamble if len(p) <= 80), "")
        policy.title = first
    policy.preamble = _join(p for p in preamble if p != policy.title)
    return policy


# ---------------------------------------------------------------------------------------- tokens

STOP_WORDS = set(
    """
    的 了 和 与 及 等 在 对 为 以 将 由 是 有 向 从 把 被 并 或 其 之 中 上 下 内 外 这 那 该 各 每 所
    加强 推动 推进 鼓励 支持 引导 探索 深化 持续 不断 进一步 加快 加大 提升 提高 完善 健全 强化 积极 充分
    深入 全面 大力 着力 切实 有效 更好 更多 相关 有关 重点 开展 实现 形成 建立 构建 打造 促进 发挥 依托
    运用 利用 通过 围绕 聚焦 落实 做好 助力 赋能 创新 发展 建设 能力 水平 体系 机制 模式 工作 领域 方面
    金融机构 金融 服务 我们 项目 公司 企业 单位 平台 系统 方案 实践 案例 应用 场景 技术 能力 效率 成效
    一是 二是 三是 四是 五是 同时 此外 其中 以及 通过 基于 面向 实施 取得 显著 一批 一系列 一体化 全流程
    万 亿 余 多 个 家 项 次 年 月 日 元 亿元 万元 超 近 约 达 达到
    """.split()
)

# multi-character domain words rjieba would otherwise split
DOMAIN_WORDS = [
    "普惠金融", "科技金融", "绿色金融", "养老金融", "数字金融", "跨境金融", "供应链金融", "数字人民币", "隐私计算",
    "联邦学习", "大模型", "小微企业", "中小微企业", "个体工商户", "征信平台", "信用信息", "公共数据", "数据要素",
    "碳账户", "碳减排", "知识产权", "质押融资", "智能合约", "区块链", "云计算", "人工智能", "大数据", "反洗钱",
    "适老化", "数据安全", "金融科技", "创新监管", "监管沙盒", "跨境支付", "信贷审批", "贷后管理", "风险预警",
    "无贷户", "首贷", "信用贷", "科技型企业", "专精特新", "数字化转型", "信创", "农村金融", "涉农",
]

# query-side synonyms: a case's word → the policy's word
QUERY_SYNONYMS = {
    "中小企业": ["小微企业"], "小微": ["小微企业"], "中小微": ["小微企业"], "民营企业": ["小微企业", "民营"],
    "个体户": ["个体工商户", "个体"], "三农": ["农村", "农产品"], "农户": ["农村"], "农牧户": ["农村"],
    "涉农": ["农村"], "乡村振兴": ["农村"], "信用白户": ["无贷户"], "首贷户": ["无贷户"],
    "授信": ["信贷", "授信审批"], "放贷": ["信贷"], "贷款": ["信贷"], "融资难": ["融资", "融资需求"],
    "公共数据": ["信用信息", "征信"], "公共信用信息": ["信用信息", "征信"], "信用画像": ["征信", "画像"],
    "LLM": ["大模型"], "AIGC": ["大模型"], "生成式": ["大模型"], "大语言模型": ["大模型"], "AI": ["人工智能"],
    "碳排放": ["碳减排"], "减碳": ["碳减排"], "双碳": ["碳减排"], "ESG": ["ESG"], "老年人": ["老年人群", "适老化"],
    "银发": ["养老"], "数币": ["数字人民币"], "e-CNY": ["数字人民币"], "科创企业": ["科技型企业"],
    "科技企业": ["科技型企业"], "多方安全计算": ["隐私计算"], "联盟链": ["区块链"], "洗钱": ["反洗钱"],
}

PUNCT_TOKEN = re.compile(r"^[\W_]+$")
NUMERIC_TOKEN = re.compile(r"^[\d.,%％+\-]+$")


@lru_cache(maxsize=1)
def segmenter():
    """rjieba with the domain words added (one per process)."""
    import rjieba

    j = rjieba.Jieba()
    for word in DOMAIN_WORDS:
        j.add_word(word, None, None)
    return j


def tokens(text: str) -> list[str]:
    """Content tokens: rjieba words minus punctuation, numbers, single characters and the stop list."""
    out = []
    for tok in segmenter().cut(text):
        tok = tok.strip()
        if not tok or PUNCT_TOKEN.match(tok) or NUMERIC_TOKEN.match(tok):
            continue
        if len(tok) == 1 and not tok.isascii():
            if tok not in {"碳"}:
                continue
        if tok in STOP_WORDS or (tok.isascii() and len(tok) < 2):
            continue
        out.append(tok)
    return out


def features(text: str) -> list[str]:
    """Unigrams plus adjacent bigrams (普惠 + 金融 → 普惠金融) of the content tokens."""
    toks = tokens(text)
    return toks + [a + b for a, b in zip(toks, toks[1:], strict=False)]


def _query_features(text: str) -> list[str]:
    feats = features(text)
    extra = []
    for f in feats:
        extra.extend(QUERY_SYNONYMS.get(f, ()))
    for word, targets in QUERY_SYNONYMS.items():
        if not word.isascii() and len(word) >= 3 and word in text and word not in feats:
            extra.extend(targets)
    return feats + extra


# ---------------------------------------------------------------------------------------- index

TITLE_WEIGHT = 3


class ClauseIndex:
    """TF-IDF over the clauses of one policy (smoothed idf, sublinear tf, cosine)."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.clauses = policy.clauses
        self.docs: list[Counter] = []
        for clause in self.clauses:
            counts = Counter(features(clause.body))
            for f in features(clause.title):
                counts[f] += TITLE_WEIGHT
            self.docs.append(counts)
        n = len(self.docs)
        df = Counter(f for doc in self.docs for f in doc)
        self.idf = {f: math.log((1 + n) / (1 + d)) + 1 for f, d in df.items()}
        self.vectors = [self._weigh(doc) for doc in self.docs]

    @property
    def terms(self) -> set[str]:
        """The domain term list: every feature the policy's clauses use."""
        return set(self.idf)

    def _weigh(self, counts: Counter) -> dict[str, float]:
        vec = {f: (1 + math.log(c)) * self.idf[f] for f, c in counts.items() if f in self.idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {f: v / norm for f, v in vec.items()}

    def rank(self, text: str, top: int = 5) -> list[dict]:
        query = self._weigh(Counter(_query_features(text)))
        results = []
        for clause, vec in zip(self.clauses, self.vectors, strict=True):
            shared = {f: query[f] * vec[f] for f in query.keys() & vec.keys()}
            score = sum(shared.values())
            terms = [f for f, _ in sorted(shared.items(), key=lambda kv: -kv[1])]
            results.append((score, clause, _dedupe_terms(terms)[:8]))
        results.sort(key=lambda r: (-r[0], r[1].ordinal))
        out = []
        for score, clause, terms in results[:top]:
            chapter = self.policy.chapter_of(clause)
            out.append({
                "clause": clause,
                "chapter": chapter,
                "score": round(score, 4),
                "terms": terms,
            })
        return out


def _dedupe_terms(terms: list[str]) -> list[str]:
    """Keep a bigram and drop its parts when both matched (普惠金融 over 普惠, 金融)."""
    kept: list[str] = []
    for t in terms:
        if any(t in k for k in kept):
            continue
        kept = [k for k in kept if k not in t]
        kept.append(t)
    return kept


_INDEX_CACHE: dict[int, tuple[Policy, ClauseIndex]] = {}


def index_for(policy: Policy) -> ClauseIndex:
    cached = _INDEX_CACHE.get(id(policy))
    if cached is None or cached[0] is not policy:
        if len(_INDEX_CACHE) > 32:
            _INDEX_CACHE.clear()
        cached = (policy, ClauseIndex(policy))
        _INDEX_CACHE[id(policy)] = cached
    return cached[1]


def align(text: str, policy: Policy, top: int = 5) -> list[dict]:
    """Clauses most relevant to `text`, best first: [{clause, chapter, score, terms}]."""
    if not policy.clauses:
        return []
    return index_for(policy).rank(text, top=top)


def align_json(text: str, policy: Policy, top: int = 5) -> list[dict]:
    """`align` with plain dicts for JSON output."""
    out = []
    for r in align(text, policy, top=top):
        clause, chapter = r["clause"], r["chapter"]
        out.append({
            "number": clause.number,
            "ordinal": clause.ordinal,
            "title": clause.title,
            "chapter": f"{chapter.number}、{chapter.title}" if chapter and chapter.number else "",
            "score": r["score"],
            "terms": r["terms"],
        })
    return out
