"""Django-free. Character-bigram tokens for Chinese full-text search, query expressions and highlighted snippets (no Django).

A document is normalised (full-width → half-width, lower case; one character stays one character, so offsets
into the normalised text are offsets into the original).  It is split into runs of CJK characters (Chinese,
kana, hangul) and runs of other letters/digits (Latin words, numbers); anything else separates.

* a Chinese run of n characters gives its n-1 overlapping bigrams at consecutive positions, then its last
  character as a unigram ("普惠金融" → 普惠 惠金 金融 融);
* a Latin/digit run is one token ("AIGC" → aigc).

A query term ("普惠金融", "风控", "5G消息") is the phrase of its bigrams and words; a lone Chinese character is a
prefix query, which the terminal unigrams make complete.  So for any Chinese term, a document matches exactly
when its normalised text contains the term: the same answer as a substring scan, which is what the recall
benchmark checks.  A phrase never spans a separator, because the position after a run's last bigram holds a
unigram and a query phrase of two or more characters holds bigrams only.
"""

from __future__ import annotations

import html
import operator
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["normalize", "doc_tokens", "parse_query", "Query", "highlight", "snippet"]


_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
MAX_WORD = 60  # Latin/digit runs are cut (PostgreSQL refuses lexemes over 2 KB; nobody searches such strings)
RUNS = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")


@lru_cache(maxsize=65536)
def _norm_char(c: str) -> str:
    n = unicodedata.normalize("NFKC", c).lower()
    return n if len(n) == 1 else c.lower()[:1] or c


def normalize(text: str) -> str:
    """Lower case, full-width → half-width; same length as `text`."""
    norm = text.translate(_FULLWIDTH).lower()
    if len(norm) == len(text):
        return norm
    return "".join(_norm_char(c) for c in text)


def _runs(norm: str):
    """(kind, start, end) of each run: 2 = Chinese (and other CJK scripts), 1 = other letters and digits."""
    for m in RUNS.finditer(norm):
        yield (2 if m.group(1) else 1), m.start(), m.end()


def doc_tokens(text: str) -> list[str]:
    """The tokens of a document in position order."""
    out: list[str] = []
    for m in RUNS.finditer(normalize(text)):
        run = m.group(1)
        if run:
            out.extend(map(operator.add, run, run[1:]))
            out.append(run[-1])
        else:
            out.append(m.group(2)[:MAX_WORD])
    return out


@dataclass(frozen=True)
class Phrase:
    text: str  # the normalised term, as it is looked for in highlighting
    tokens: tuple[str, ...]
    prefix: bool  # the last token is a prefix


@dataclass(frozen=True)
class Query:
    phrases: tuple[Phrase, ...]

    def __bool__(self) -> bool:
        return bool(self.phrases)

    @property
    def terms(self) -> list[str]:
        return [p.text for p in self.phrases]


def _term_tokens(norm: str) -> tuple[list[str], bool]:
    runs = list(_runs(norm))
    tokens: list[str] = []
    for kind, a, b in runs:
        if kind == 1:
            tokens.append(norm[a:b][:MAX_WORD])
        elif b - a == 1:
            tokens.append(norm[a])
        else:
            tokens.extend(norm[i:i + 2] for i in range(a, b - 1))
    if not runs:
        return [], False
    kind, a, b = runs[-1]
    # a lone Chinese character at the end, or a Latin word at the end: prefix ("5G消" → 消*, "AI" → aigc too)
    return tokens, kind == 1 or b - a == 1


def parse_query(text: str, max_terms: int = 8) -> Query:
    """Whitespace-separated terms, all required; a term with separators inside is split at them."""
    phrases = []
    seen = set()
    for raw in (text or "").split():
        norm = normalize(raw)
        for part in re.split(r"[^\w]+|_", norm):
            if not part or part in seen:
                continue
            tokens, prefix = _term_tokens(part)
            if tokens:
                seen.add(part)
                phrases.append(Phrase(part, tuple(tokens), prefix))
    return Query(tuple(phrases[:max_terms]))


# --- highlighting ------------------------------------------------------------------------------------


def _spans(norm: str, terms: list[str]) -> list[tuple[int, int]]:
    spans = []
    for t in terms:
        if not t:
            continue
        start = norm.find(t)
        while start >= 0:
            spans.append((start, start + len(t)))
            start = norm.find(t, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _mark(text: str, spans: list[tuple[int, int]], offset: int = 0) -> str:
    out, cur = [], 0
    for a, b in spans:
        a, b = a - offset, b - offset
        if b <= 0 or a >= len(text):
            continue
        a, b = max(a, 0), min(b, len(text))
        out.append(html.escape(text[cur:a]))
        out.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        cur = b
    out.append(html.escape(text[cur:]))
    return "".join(out)


def highlight(text: str, terms: list[str]) -> str:
    """HTML-escaped `text` with every occurrence of the (normalised) terms in <mark>."""
    return _mark(text, _spans(normalize(text), terms))


def snippet(texts: list[str], terms: list[str], width: int = 110) -> str:
    """The window of `width` characters with the most distinct terms (then most hits), highlighted; the start
    of the first text when nothing matches."""
    best = None
    for text in texts:
        norm = normalize(text)
        spans = _spans(norm, terms)
        for a, _ in spans:
            start = max(0, a - width // 4)
            end = min(len(text), start + width)
            inside = [s for s in spans if s[0] >= start and s[1] <= end]
            distinct = len({norm[s[0]:s[1]] for s in inside})
            key = (distinct, len(inside))
            if best is None or key > best[0]:
                best = (key, text, start, end, inside)
    if best is None:
        text = next((t for t in texts if t), "")
        return html.escape(text[:width]) + ("…" if len(text) > width else "")
    _, text, start, end, inside = best
    return ("…" if start else "") + _mark(text[start:end], inside, start) + ("…" if end < len(text) else "")
