"""Django-free. How well an expert fits an application: a score in 0..1, higher is better (pure Python, no Django).

score = (tag_weight * tag part + text_weight * text part) / (tag_weight + text_weight)

* Tag part: the weighted share of the application's labels (its track, domains and technologies,
  deduplicated after NFKC / whitespace / case folding) that the expert's tags cover.  The track label weighs
  ``track_weight`` times a domain or technology label (1 = like any other label).  No labels → 0.
* Text part: cosine similarity of TF-IDF vectors of the expert's profile text and the application's text:
  rjieba words (domain words such as 普惠金融 / 隐私计算 kept whole; punctuation, numbers, single characters
  and a stop list dropped), scikit-learn ``TfidfVectorizer`` with sublinear tf and smoothed idf, fitted on
  all texts of one call (applications and experts).  All pairs come from one sparse matrix product.  An
  empty text (or one with no content word) gives 0.

``explain`` recomputes one pair with the same model.  ``affinity_matrix`` remembers the model of its last
call (process-wide; it keeps the TF-IDF rows and the texts' hashes, not the texts), so ``explain`` without
``model=`` agrees with the matrix for pairs of that call; otherwise pass the ``TextModel`` from
``fit_text_model`` to both, or ``explain`` fits a model on the two texts alone (as a one-pair matrix does).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from jinxuan.textmining.policy import NUMERIC_TOKEN, PUNCT_TOKEN, STOP_WORDS, segmenter

TAG_WEIGHT = 0.7
TEXT_WEIGHT = 0.3
SHARED_TERMS = 8

# Words that say nothing about a field of expertise (on top of the policy stop list).
EXTRA_STOP_WORDS = frozenset("""
    研究 从事 负责 关注 长期 主要 担任 曾任 现任 专家 教授 研究员 博士 硕士 高级 工程师 经理 主任 院长 副院长
    首席 合伙人 具有 多年 经验 领域 方向 工作 我行 本行 我司 本公司 客户 用户 提供 进行 包括 已经 目前 可以
""".split())

_SPACES = re.compile(r"\s+")


@dataclass
class AppProfile:
    key: Hashable
    track: str | None
    domains: list[str] = field(default_factory=list)
    technologies: list[str] = field(default_factory=list)
    text: str = ""


@dataclass
class ExpertProfile:
    key: Hashable
    tags: list[str] = field(default_factory=list)
    text: str = ""


# ----------------------------------------------------------------------------------------------------- tags


def normalize_label(label) -> str:
    if not isinstance(label, str):
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", label)).casefold()


def app_labels(app: AppProfile, track_weight: float = 1.0) -> dict[str, tuple[str, float]]:
    """{normalised label: (label as the application spells it, weight)}, track first."""
    out: dict[str, tuple[str, float]] = {}
    for label, weight in [(app.track, track_weight)] + [(x, 1.0) for x in [*app.domains, *app.technologies]]:
        key = normalize_label(label)
        if key and (key not in out or out[key][1] < weight):
            out[key] = (label.strip(), weight)
    return out


def _tag_scores(apps: Sequence[AppProfile], experts: Sequence[ExpertProfile],
                track_weight: float) -> np.ndarray:
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, app in enumerate(apps):
        labels = app_labels(app, track_weight)
        total = sum(w for _, w in labels.values())
        if total <= 0:
            continue
        for key, (_, w) in labels.items():
            rows.append(i)
            cols.append(vocab.setdefault(key, len(vocab)))
            vals.append(w / total)
    covers = np.zeros((len(vocab), len(experts)))
    for j, expert in enumerate(experts):
        for tag in expert.tags or []:
            col = vocab.get(normalize_label(tag))
            if col is not None:
                covers[col, j] = 1.0
    shares = sp.csr_matrix((vals, (rows, cols)), shape=(len(apps), len(vocab)))
    return np.asarray(shares @ covers).reshape(len(apps), len(experts))


# ----------------------------------------------------------------------------------------------------- text


@lru_cache(maxsize=200_000)
def _is_content(token: str) -> bool:
    token = token.strip()
    if not token or PUNCT_TOKEN.match(token) or NUMERIC_TOKEN.match(token):
        return False
    if len(token) < 2 or token in STOP_WORDS or token in EXTRA_STOP_WORDS:
        return False
    return True


def tokens(text: str) -> list[str]:
    """Content words of ``text`` (rjieba), in order; Latin words lower-cased."""
    if not isinstance(text, str) or not text.strip():
        return []
    words = segmenter().cut(text)
    unique = set(words)
    drop = {w for w in unique if not _is_content(w)}
    lower = {w: w.lower() for w in unique if w.isascii() and not w.islower() and w not in drop}
    if lower:
        return [lower.get(w, w) for w in words if w not in drop]
    return [w for w in words if w not in drop]


class TextModel:
    """TF-IDF fitted on the texts of one call; rows of ``matrix`` are L2-normalised (zero for no words).

    The texts themselves are not kept: rows are found again by the texts' hashes."""

    def __init__(self, texts: Sequence[str]):
        texts = [t if isinstance(t, str) else "" for t in texts]
        self.vectorizer: TfidfVectorizer | None = TfidfVectorizer(
            analyzer=tokens, sublinear_tf=True, norm="l2", dtype=np.float64)
        try:
            self.matrix = self.vectorizer.fit_transform(texts).tocsr()
        except ValueError:  # no content word in any text: an empty vocabulary
            self.vectorizer = None
            self.matrix = sp.csr_matrix((len(texts), 0))
        self._rows = {hash(t): n for n, t in enumerate(texts)}
        self._terms: np.ndarray | None = None

    def covers(self, *texts: str) -> bool:
        return all(hash(t if isinstance(t, str) else "") in self._rows for t in texts)

    def vectors(self, texts: Sequence[str]) -> sp.csr_matrix:
        texts = [t if isinstance(t, str) else "" for t in texts]
        rows = [self._rows.get(hash(t)) for t in texts]
        if all(r is not None for r in rows):  # fitted texts: their rows, as the matrix used them
            return self.matrix[rows]
        if self.vectorizer is None:
            return sp.csr_matrix((len(texts), 0))
        return self.vectorizer.transform(texts).tocsr()

    def terms(self) -> np.ndarray:
        if self._terms is None:
            self._terms = self.vectorizer.get_feature_names_out() if self.vectorizer else np.array([])
        return self._terms


def fit_text_model(apps: Sequence[AppProfile], experts: Sequence[ExpertProfile]) -> TextModel:
    return TextModel([a.text for a in apps] + [e.text for e in experts])


def _text_scores(model: TextModel, n_apps: int, n_experts: int) -> np.ndarray:
    a, e = model.matrix[:n_apps], model.matrix[n_apps: n_apps + n_experts]
    # only the words experts use can contribute: drop the other columns before the product
    used = np.unique(e.indices)
    product = a[:, used] @ e[:, used].T
    return np.clip(product.toarray(), 0.0, 1.0)


_last_model: TextModel | None = None


# ----------------------------------------------------------------------------------------------- public API


def _check_weights(tag_weight: float, text_weight: float) -> float:
    if tag_weight < 0 or text_weight < 0 or tag_weight + text_weight <= 0:
        raise ValueError("tag_weight and text_weight must be non-negative and not both zero")
    return tag_weight + text_weight


def affinity_matrix(apps: Sequence[AppProfile], experts: Sequence[ExpertProfile],
                    tag_weight: float = TAG_WEIGHT, text_weight: float = TEXT_WEIGHT,
                    track_weight: float = 1.0, model: TextModel | None = None) -> np.ndarray:
    """Affinity in 0..1 of every application (rows) with every expert (columns), float64."""
    global _last_model
    total = _check_weights(tag_weight, text_weight)
    apps, experts = list(apps), list(experts)
    if not apps or not experts:
        return np.zeros((len(apps), len(experts)))
    tags = _tag_scores(apps, experts, track_weight)
    if model is None:
        model = fit_text_model(apps, experts)
        _last_model = model
        text = _text_scores(model, len(apps), len(experts))
    else:  # a model fitted elsewhere: vectorise these texts with it
        a = model.vectors([x.text for x in apps])
        e = model.vectors([x.text for x in experts])
        text = np.clip((a @ e.T).toarray(), 0.0, 1.0)
    return (tag_weight * tags + text_weight * text) / total


def explain(app: AppProfile, expert: ExpertProfile, tag_weight: float = TAG_WEIGHT,
            text_weight: float = TEXT_WEIGHT, track_weight: float = 1.0, model: TextModel | None = None,
            n_terms: int = SHARED_TERMS) -> dict:
    """Why the pair scores what it does (JSON-ready):

    {"matched": labels the expert covers, "unmatched": labels the expert lacks, "tag_score",
     "text_similarity", "shared_terms": words both texts weigh highly (largest share of the cosine first),
     "total": the affinity, "summary": one Chinese sentence}.
    """
    total_weight = _check_weights(tag_weight, text_weight)
    labels = app_labels(app, track_weight)
    have = {normalize_label(t) for t in expert.tags or []}
    weight_sum = sum(w for _, w in labels.values())
    matched = [label for key, (label, _) in labels.items() if key in have]
    unmatched = [label for key, (label, _) in labels.items() if key not in have]
    covered = sum(w for key, (_, w) in labels.items() if key in have)
    tag_score = covered / weight_sum if weight_sum > 0 else 0.0

    if model is None:
        last = _last_model
        model = last if last is not None and last.covers(app.text, expert.text) else TextModel(
            [app.text, expert.text])
    vectors = model.vectors([app.text, expert.text])
    contrib = vectors[0].multiply(vectors[1]).tocsr()
    similarity = float(min(max(contrib.sum(), 0.0), 1.0))
    shared: list[str] = []
    if contrib.nnz:
        names = model.terms()
        order = np.argsort(-contrib.data, kind="stable")[:n_terms]
        shared = [str(names[contrib.indices[k]]) for k in order if contrib.data[k] > 0]
    total = (tag_weight * tag_score + text_weight * similarity) / total_weight
    summary = (f"匹配度 {total:.2f}：标签覆盖 {len(matched)}/{len(labels)}"
               + (f"（{'、'.join(matched)}）" if matched else "")
               + f"，文本相似度 {similarity:.2f}"
               + (f"，共同关键词：{'、'.join(shared)}" if shared else ""))
    return {"matched": matched, "unmatched": unmatched, "tag_score": float(tag_score),
            "text_similarity": similarity, "shared_terms": shared, "total": float(total), "summary": summary}
