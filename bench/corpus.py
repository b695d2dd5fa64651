"""Many distinct synthetic applications, fast: the negatives of the duplicate benchmark and tests.

``TextFaker`` prose is built from a fixed set of sentence templates, so two fakes share most of their sentences
(with other figures and names) and are, for any text measure, near-copies of each other.  Real applications on
the same subject share words and stock phrases, not sentences.  This module learns word bigrams (rjieba) from a
sample of faker prose and the seed documents when present, then draws a pool of sentences from a chain that
follows a bigram with probability ``FOLLOW`` and otherwise jumps to a word drawn by frequency: the vocabulary
and the phrase lengths of the applications, but few runs longer than a phrase.  Texts take random sentences of
the pool, so two texts share a sentence only by the odds of the draw.

All chains advance together as numpy arrays (one ``searchsorted`` per step over row-offset cumulative
probabilities), so a pool of 300,000 sentences takes seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rjieba

from jinxuan.demo.text import TextFaker

FOLLOW = 0.6
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
_END = "。"


def training_text(samples: int = 120, seed: int = 1) -> str:
    faker = TextFaker(seed)
    parts = [faker.text_of_length(3000, 4000) for _ in range(samples)]
    parts += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("00*.txt"))] if SEEDS.is_dir() else []
    return "\n".join(parts)


class SentencePool:
    def __init__(self, sentences: int = 50_000, seed: int = 7, min_words: int = 12, max_words: int = 40,
                 text: str | None = None):
        words = [w for w in rjieba.cut(text or training_text()) if w.strip()]
        vocab, ids = np.unique(np.array(words, dtype=object).astype(str), return_inverse=True)
        self.vocab = vocab
        n = len(vocab)
        counts = np.bincount(ids, minlength=n).astype(np.float64)
        self._uni = np.cumsum(counts) / counts.sum()
        pairs = ids[:-1] * n + ids[1:]
        uniq, pc = np.unique(pairs, return_counts=True)
        rows, cols = uniq // n, uniq % n
        row_tot = np.bincount(rows, weights=pc, minlength=n)
        # cumulative probability within each row, offset by the row number: one sorted array for all rows
        # (np.unique sorted the pairs by row, then column)
        running = np.cumsum(pc)
        before_row = np.concatenate(([0], running))[np.searchsorted(rows, np.arange(n))]
        cum = rows + (running - before_row[rows]) / row_tot[rows]
        self._cum, self._cols, self._has_row = cum, cols, row_tot > 0
        rng = np.random.default_rng(seed)
        length = rng.integers(min_words, max_words + 1, sentences)
        cur = self._unigram(rng, sentences)
        out = np.empty((sentences, max_words), dtype=np.int64)
        for step in range(max_words):
            out[:, step] = cur
            follow = (rng.random(sentences) < FOLLOW) & self._has_row[cur]
            nxt = self._unigram(rng, sentences)
            pos = np.searchsorted(self._cum, cur[follow] + rng.random(int(follow.sum())) * (1 - 1e-12))
            nxt[follow] = self._cols[np.minimum(pos, len(self._cols) - 1)]
            cur = nxt
        self.sentences = []
        for row, k in zip(out, length, strict=True):
            s = "".join(vocab[row[:k]]).replace(_END, "，").replace("\n", "")
            self.sentences.append(s.strip("，、；：") + _END)

    def _unigram(self, rng, k):
        return np.minimum(np.searchsorted(self._uni, rng.random(k)), len(self._uni) - 1)

    def texts(self, count: int, seed: int, min_chars: int = 3000, max_chars: int = 6000) -> list[str]:
        """``count`` texts of paragraphs of 3-6 random pool sentences, ``min_chars``-``max_chars`` long."""
        rng = np.random.default_rng(seed)
        pool = self.sentences
        mean = sum(map(len, pool[:1000])) / min(1000, len(pool))
        out = []
        for _ in range(count):
            target = int(rng.integers(min_chars, max_chars + 1))
            picks = rng.integers(0, len(pool), int(target / mean * 1.3) + 6)
            paras, size, i = [], 0, 0
            while size < target and i < len(picks):
                k = int(rng.integers(3, 7))
                para = "".join(pool[j] for j in picks[i : i + k])
                i += k
                paras.append(para)
                size += len(para)
            out.append("\n".join(paras))
        return out
