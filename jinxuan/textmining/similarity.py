"""Near-duplicate and reuse detection among long Chinese texts (no Django).

Pipeline
--------
1. ``normalize``: NFKC (full-width -> half-width), lower case, every run of digits folded to ``0`` (so altered
   figures still match), whitespace, punctuation and symbols removed.
2. Character 5-shingles, hashed to 64 bits with vectorised numpy arithmetic (no per-shingle Python call).
3. One-permutation MinHash signatures (``NUM_PERM`` bins of one re-mixed hash, empty bins filled by rotation;
   one pass over the shingles instead of ``NUM_PERM``), stored as ``datasketch.LeanMinHash`` in a
   ``datasketch.MinHashLSH`` with explicit banding ``BANDS`` x ``ROWS`` from ``lsh_params`` (a copy at Jaccard
   0.35 is missed with probability under 0.1 %, see ``lsh_probability``).  Candidates whose signatures agree on fewer than ``MIN_EST_JACCARD`` of the bins are
   dropped before exact scoring.
4. Exact scoring of each remaining candidate: containment of each 5-shingle set in the other, the cosine of
   character-3-gram TF-IDF vectors (sublinear tf, smoothed idf over the index, hashed to 2**20 buckets; the
   same figure as sklearn's ``TfidfTransformer(sublinear_tf=True)`` on the same counts) and the coverage of
   each text by the other (``coverage``).
5. A pair is flagged when either text's coverage reaches ``COVERAGE_FLAG``: the share of its characters inside
   5-shingles found anywhere in the other, short uncovered gaps (scattered replaced characters, an altered
   figure) closed.  Coverage ignores order, so reordered sentences and paragraphs do not hide a copy; genuinely
   different texts on the same subject keep whole sentences uncovered (the seed documents score 0.02-0.09
   against each other, copies with a tenth of their characters replaced 0.95+).
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

SHINGLE = 5
GRAM = 3
NUM_PERM = 256
# Banding: a copy at Jaccard 0.35 must not be lost by chance.  The S-curve gives P(miss | J) = (1 - J**r)**b;
# lsh_params picks the banding that keeps P(miss | 0.35) under a quarter of 0.1 % (margin: the one-permutation
# bins are not fully independent) with the fewest candidates at J = 0.1.  With 256 bins: 64 bands x 2 rows,
# P(miss) 0.023 % at J=0.35, 0.0014 % at 0.40; P(candidate) 0.47 at J=0.1, 0.15 at 0.05 (the signature
# filter MIN_EST_JACCARD drops those before exact scoring).  The former 85 x 3 missed 2.4 % at J=0.35.
BORDERLINE_JACCARD = 0.35
MAX_MISS = 0.001 / 4
MIN_EST_JACCARD = 0.15
COVERAGE_FLAG = 0.50
GAP = 5
COMMON_SHARE = 0.01  # a 5-shingle in at least this share of indexed texts (and COMMON_MIN_DOCS) is boilerplate
COMMON_MIN_DOCS = 10
COMMON_BUCKETS = 1 << 22  # shingle document frequencies are counted in hashed buckets
TFIDF_BUCKETS = 1 << 20
SEED = 20261122
DIGIT = "0"  # every digit run becomes one "0"

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")
_MASK64 = (1 << 64) - 1


def lsh_params(num_perm: int = NUM_PERM, jaccard: float = BORDERLINE_JACCARD, max_miss: float = MAX_MISS,
               low: float = 0.1) -> tuple[int, int]:
    """(bands, rows) with bands * rows <= num_perm whose miss probability at `jaccard` is below `max_miss` and
    whose candidate probability at `low` is the smallest (S-curve formula)."""
    best = None
    for rows in range(1, num_perm + 1):
        miss_per_band = 1.0 - jaccard**rows
        bands = int(np.ceil(np.log(max_miss) / np.log(miss_per_band))) if miss_per_band < 1 else num_perm + 1
        if bands * rows > num_perm:
            continue
        false = 1.0 - (1.0 - low**rows) ** bands
        if best is None or false < best[0]:
            best = (false, bands, rows)
    if best is None:
        raise ValueError(f"no banding of {num_perm} bins misses less than {max_miss} at Jaccard {jaccard}")
    return best[1], best[2]


BANDS, ROWS = lsh_params()


def lsh_probability(jaccard: float, bands: int | None = None, rows: int | None = None) -> float:
    """Probability that a pair with this Jaccard similarity becomes an LSH candidate (the S-curve)."""
    bands, rows = bands or BANDS, rows or ROWS
    return 1.0 - (1.0 - jaccard**rows) ** bands


# ---------------------------------------------------------------------------------------------- normalisation


def normalize(text: str) -> str:
    """Comparable form of ``text``: NFKC, lower case, digit runs -> ``0``, only letters/digits/CJK kept."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _DIGITS.sub(DIGIT, text)
    return _NON_WORD.sub("", text)


def normalize_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """``normalize`` one character at a time, keeping for each output character the [start, end) span of
    the original characters it came from (a folded digit run maps to the whole run)."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    in_digits = False
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).lower():
            if c.isdecimal():
                if in_digits:
                    ends[-1] = i + 1
                    continue
                c = DIGIT
                in_digits = True
            else:
                in_digits = False
                if not (c.isalnum() and c != "_"):
                    continue
            out.append(c)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


# ---------------------------------------------------------------------------------------------- hashing


def _codes(norm: str) -> np.ndarray:
    return np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (wrapping uint64 arithmetic)."""
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(30))
        h = h * np.uint64(0xBF58476D1CE4E5B9)
        h = h ^ (h >> np.uint64(27))
        h = h * np.uint64(0x94D049BB133111EB)
        return h ^ (h >> np.uint64(31))


def gram_hashes(norm: str, k: int) -> np.ndarray:
    """64-bit hashes of all character k-grams of an already normalised string (with repeats, in order)."""
    codes = _codes(norm)
    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * np.uint64(0x100000001B3) + codes[j : j + n]
    return _mix(h)


def shingle_set(norm: str) -> np.ndarray:
    """Sorted unique 5-shingle hashes."""
    return np.unique(gram_hashes(norm, SHINGLE))


_SALT = np.uint64(SEED * 0x9E3779B97F4A7C15 & _MASK64)
_BIN_SHIFT = np.uint64(64 - (NUM_PERM.bit_length() - 1))  # top bits choose the bin
_EMPTY = np.uint64((1 << 32) - 1)
_EMPTY_SIG = np.full(NUM_PERM, _EMPTY, dtype=np.uint64)


def signature(shingles: np.ndarray) -> np.ndarray:
    """One-permutation MinHash signature (NUM_PERM 32-bit values) of a shingle-hash set.

    Each shingle hash is re-mixed once; its top bits choose one of NUM_PERM bins and the next 32 bits are its
    value; each bin keeps its minimum.  Empty bins (only in very short texts) take the value of the next
    non-empty bin to the right plus an offset per step, so two texts still agree on a bin with probability
    close to their Jaccard similarity (rotation densification, Shrivastava & Li 2014)."""
    if len(shingles) == 0:
        return _EMPTY_SIG.copy()
    with np.errstate(over="ignore"):
        h = _mix(shingles ^ _SALT)
    bins = (h >> _BIN_SHIFT).astype(np.intp)
    values = (h >> np.uint64(24)) & np.uint64(0xFFFFFFFF)
    out = _EMPTY_SIG.copy()
    np.minimum.at(out, bins, values)
    empty = out == _EMPTY
    if empty.any():
        filled = np.flatnonzero(~empty)
        holes = np.flatnonzero(empty)
        nxt = np.searchsorted(filled, holes) % len(filled)
        steps = (filled[nxt] - holes) % NUM_PERM
        out[holes] = (out[filled[nxt]] + steps.astype(np.uint64) * np.uint64(0x9E3779B1)) & np.uint64(0xFFFFFFFF)
    return out


def shingle_buckets(text: str) -> np.ndarray:
    """Unique hashed buckets of a text's 5-shingles (for document frequencies)."""
    return np.unique(shingle_set(normalize(text)) % np.uint64(COMMON_BUCKETS))


def text_signature(text: str) -> np.ndarray:
    return signature(shingle_set(normalize(text)))




# ---------------------------------------------------------------------------------------------- exact scores


@dataclass
class Profile:
    """What exact scoring needs of one text."""

    shingles: np.ndarray  # sorted unique 5-shingle hashes
    sequence: np.ndarray  # 5-shingle hashes in text order
    grams: np.ndarray  # sorted unique 3-gram buckets
    tf: np.ndarray  # sublinear tf of each bucket (1 + log count)


def profile(text: str) -> Profile:
    norm = normalize(text)
    grams = gram_hashes(norm, GRAM) % np.uint64(TFIDF_BUCKETS)
    buckets, counts = np.unique(grams, return_counts=True)
    seq = gram_hashes(norm, SHINGLE)
    return Profile(np.unique(seq), seq, buckets.astype(np.int64), 1.0 + np.log(counts))


def coverage(sequence: np.ndarray, other: np.ndarray, gap: int = GAP, rare: np.ndarray | None = None) -> float:
    """Share of a text's characters covered by its 5-shingles (``sequence``, in text order) also present in
    ``other`` (sorted unique hashes, as ``Profile.shingles``), after closing uncovered runs of at most ``gap``
    characters between covered ones (scattered replaced characters, an altered figure).  Order does not
    matter; texts that merely share words and stock phrases keep most of every sentence uncovered.

    ``rare`` (a mask over ``sequence``) leaves out boilerplate: only rare shingles count as shared, and only
    characters inside at least one rare shingle are counted at all."""
    n = len(sequence)
    if n == 0 or len(other) == 0:
        return 0.0
    pos = np.searchsorted(other, sequence)
    pos[pos >= len(other)] = 0
    hit = other[pos] == sequence
    chars = n + SHINGLE - 1
    base = None
    if rare is not None:
        hit &= rare
        base = _spread(rare, chars)
        if not base.any():
            return 0.0
    covered = _spread(hit, chars)
    if not covered.any():
        return 0.0
    edges = np.flatnonzero(np.diff(covered.astype(np.int8)))
    first, last = np.flatnonzero(covered)[[0, -1]]
    # uncovered runs strictly inside: start after a True->False edge, end at the next False->True edge
    starts = edges[covered[edges]] + 1
    ends = edges[~covered[edges]] + 1
    starts = starts[starts < last]
    ends = ends[ends > first]
    k = min(len(starts), len(ends))
    short = (ends[:k] - starts[:k]) <= gap
    fill = np.zeros(chars + 1, dtype=np.int32)
    np.add.at(fill, starts[:k][short], 1)
    np.add.at(fill, ends[:k][short], -1)
    covered |= np.cumsum(fill[:chars]) > 0
    if base is None:
        return float(covered.sum()) / chars
    return float((covered & base).sum()) / float(base.sum())


def _spread(mask: np.ndarray, chars: int) -> np.ndarray:
    """Characters covered by the shingles selected by ``mask`` (shingle i covers characters i..i+SHINGLE-1)."""
    m = mask.astype(np.int32)
    delta = np.zeros(chars + 1, dtype=np.int32)
    delta[: len(m)] += m
    delta[SHINGLE : len(m) + SHINGLE] -= m
    return np.cumsum(delta[:chars]) > 0


def containment(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """(|A∩B|/|A|, |A∩B|/|B|, Jaccard) for sorted unique hash arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0.0, 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / len(a), inter / len(b), inter / (len(a) + len(b) - inter)


def tfidf_cosine(pa: Profile, pb: Profile, idf: np.ndarray | None = None) -> float:
    """Cosine of the sublinear-tf x idf vectors of two profiles (idf over hashed buckets; None = pair idf)."""
    if len(pa.grams) == 0 or len(pb.grams) == 0:
        return 0.0
    if idf is None:  # fitted on the pair: smooth idf with n=2
        common = np.isin(pa.grams, pb.grams, assume_unique=True)
        wa = pa.tf * np.where(common, 1.0, np.log(3 / 2) + 1)
        common_b = np.isin(pb.grams, pa.grams, assume_unique=True)
        wb = pb.tf * np.where(common_b, 1.0, np.log(3 / 2) + 1)
    else:
        wa = pa.tf * idf[pa.grams]
        wb = pb.tf * idf[pb.grams]
    _, ia, ib = np.intersect1d(pa.grams, pb.grams, assume_unique=True, return_indices=True)
    dot = float(np.dot(wa[ia], wb[ib]))
    return dot / float(np.linalg.norm(wa) * np.linalg.norm(wb))


@dataclass
class Scores:
    containment_a: float  # share of A's 5-shingles found in B
    containment_b: float  # share of B's 5-shingles found in A
    jaccard: float
    cosine: float  # char-3-gram TF-IDF cosine
    coverage_a: float = 0.0  # share of A's characters inside 5-shingles found in B, short gaps closed
    coverage_b: float = 0.0

    @property
    def containment(self) -> float:
        return max(self.containment_a, self.containment_b)

    @property
    def coverage(self) -> float:
        return max(self.coverage_a, self.coverage_b)

    def flagged(self, threshold: float = COVERAGE_FLAG) -> bool:
        return self.coverage >= threshold

    def as_dict(self) -> dict:
        d = {k: round(v, 4) for k, v in asdict(self).items()}
        d["containment"] = round(self.containment, 4)
        d["coverage"] = round(self.coverage, 4)
        return d


def score_profiles(pa: Profile, pb: Profile, idf: np.ndarray | None = None, rare=None) -> Scores:
    """Exact scores; ``rare`` (a function from a shingle sequence to a mask) leaves boilerplate out of coverage."""
    ca, cb, jac = containment(pa.shingles, pb.shingles)
    mask_a = mask_b = None
    if rare is not None:
        mask_a, mask_b = rare(pa.sequence), rare(pb.sequence)
    return Scores(ca, cb, jac, tfidf_cosine(pa, pb, idf), coverage(pa.sequence, pb.shingles, rare=mask_a),
                  coverage(pb.sequence, pa.shingles, rare=mask_b))


def score(a: str, b: str) -> Scores:
    """Exact scores of one pair (idf fitted on the pair)."""
    return score_profiles(profile(a), profile(b))


# ---------------------------------------------------------------------------------------------- passages

_SENTENCE_END = re.compile(r"[。！？；!?;\n]")


def aligned_passages(a: str, b: str, min_len: int = 30) -> list[dict]:
    """Passages of ``a`` and ``b`` that match after normalisation, longest first-in-A order.

    difflib.SequenceMatcher runs on the normalised texts (autojunk off); matching blocks separated by short gaps
    (a few replaced characters or an altered figure) are merged, and blocks of at least ``min_len`` normalised
    characters are returned with offsets into the original strings (end exclusive) and the original passages.
    """
    na, sa, ea = normalize_with_offsets(a)
    nb, sb, eb = normalize_with_offsets(b)
    if not na or not nb:
        return []
    matcher = difflib.SequenceMatcher(None, na, nb, autojunk=False)
    blocks = [m for m in matcher.get_matching_blocks() if m.size >= 4]
    merged: list[list[int]] = []  # [a_lo, a_hi, b_lo, b_hi, matched]
    for m in blocks:
        if merged:
            last = merged[-1]
            gap_a, gap_b = m.a - last[1], m.b - last[3]
            if 0 <= gap_a <= 8 and 0 <= gap_b <= 8:
                last[1], last[3], last[4] = m.a + m.size, m.b + m.size, last[4] + m.size
                continue
        merged.append([m.a, m.a + m.size, m.b, m.b + m.size, m.size])
    out = []
    for a_lo, a_hi, b_lo, b_hi, matched in merged:
        if matched < min_len:
            continue
        a_start, a_end = sa[a_lo], ea[a_hi - 1]
        b_start, b_end = sb[b_lo], eb[b_hi - 1]
        out.append(
            {
                "a_start": a_start,
                "a_end": a_end,
                "b_start": b_start,
                "b_end": b_end,
                "text_a": a[a_start:a_end],
                "text_b": b[b_start:b_end],
            }
        )
    return out


def _sentence_passages(a: str, b: str, min_len: int) -> list[dict]:
    """Sentence-level fallback for reordered texts: each sentence of A (>= min_len normalised characters) paired
    with its most similar sentence of B when their 3-gram overlap is high."""
    def sentences(text):
        spans, start = [], 0
        for m in _SENTENCE_END.finditer(text):
            spans.append((start, m.end()))
            start = m.end()
        if start < len(text):
            spans.append((start, len(text)))
        return [(s, e, normalize(text[s:e])) for s, e in spans if len(normalize(text[s:e])) >= min_len]

    sb = sentences(b)
    index: dict[str, list[int]] = {}
    for j, (_, _, norm) in enumerate(sb):
        for k in range(0, len(norm) - GRAM + 1):
            index.setdefault(norm[k : k + GRAM], []).append(j)
    out = []
    for s, e, norm in sentences(a):
        hits: dict[int, int] = {}
        grams = {norm[k : k + GRAM] for k in range(len(norm) - GRAM + 1)}
        for g in grams:
            for j in set(index.get(g, ())):
                hits[j] = hits.get(j, 0) + 1
        if not hits:
            continue
        j, n = max(hits.items(), key=lambda kv: kv[1])
        nb = sb[j][2]
        if n / max(len(grams), len({nb[k : k + GRAM] for k in range(len(nb) - GRAM + 1)})) >= 0.6:
            out.append({"a_start": s, "a_end": e, "b_start": sb[j][0], "b_end": sb[j][1],
                        "text_a": a[s:e], "text_b": b[sb[j][0]:sb[j][1]]})
    return out


def passages(a: str, b: str, min_len: int = 30) -> list[dict]:
    """``aligned_passages``, falling back to sentence matching when reordering leaves little in sequence."""
    found = aligned_passages(a, b, min_len)
    if sum(p["a_end"] - p["a_start"] for p in found) < 0.2 * min(len(a), len(b)):
        sentence_level = _sentence_passages(a, b, min_len)
        if len(sentence_level) > len(found):
            return sentence_level
    return found


# ---------------------------------------------------------------------------------------------- index


@dataclass
class Candidate:
    doc_id: object
    estimated_jaccard: float
    scores: Scores
    flagged: bool


@dataclass
class Pair:
    a: object
    b: object
    scores: Scores
    passages: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"a": self.a, "b": self.b, "scores": self.scores.as_dict(), "passages": self.passages}


class DuplicateIndex:
    """MinHash-LSH index of texts with exact verification of candidates.

    Texts are kept by reference (for exact scoring and passages); signatures go into a datasketch
    ``MinHashLSH``.  ``add_signature`` accepts precomputed signatures (e.g. from worker processes).
    """

    def __init__(self, threshold: float = COVERAGE_FLAG, bands: int = BANDS, rows: int = ROWS):
        if bands * rows > NUM_PERM:
            raise ValueError("bands * rows must not exceed NUM_PERM")
        self.threshold = threshold
        self.lsh = MinHashLSH(num_perm=NUM_PERM, params=(bands, rows))
        self.texts: dict = {}
        self.signatures: dict = {}
        self.df = np.zeros(TFIDF_BUCKETS, dtype=np.int32)
        self.shingle_df = np.zeros(COMMON_BUCKETS, dtype=np.int32)
        self._idf: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def add(self, doc_id, text: str) -> None:
        norm = normalize(text)
        shingles = shingle_set(norm)
        grams = np.unique(gram_hashes(norm, GRAM) % np.uint64(TFIDF_BUCKETS))
        self.add_signature(doc_id, text, signature(shingles), grams, np.unique(shingles % np.uint64(COMMON_BUCKETS)))

    def add_signature(self, doc_id, text: str, sig: np.ndarray, grams: np.ndarray | None = None,
                      buckets: np.ndarray | None = None) -> None:
        """Add a text with its precomputed signature; ``grams`` (unique 3-gram buckets) and ``buckets`` (unique
        shingle buckets, see ``shingle_buckets``) are computed here when not given."""
        if doc_id in self.texts:
            raise KeyError(f"duplicate id {doc_id!r}")
        self.texts[doc_id] = text
        self.signatures[doc_id] = sig
        self.lsh.insert(doc_id, LeanMinHash(seed=SEED, hashvalues=sig, scheme="legacy"), check_duplication=False)
        if grams is None:
            grams = np.unique(gram_hashes(normalize(text), GRAM) % np.uint64(TFIDF_BUCKETS))
        self.df[grams.astype(np.int64)] += 1
        if buckets is None:
            buckets = shingle_buckets(text)
        self.shingle_df[buckets.astype(np.int64)] += 1
        self._idf = None

    def add_frequencies(self, gram_df: np.ndarray, shingle_df: np.ndarray) -> None:
        """Add document frequencies counted elsewhere (texts added with empty ``grams``/``buckets``)."""
        self.df += gram_df.astype(np.int32)
        self.shingle_df += shingle_df.astype(np.int32)
        self._idf = None

    @property
    def common_docs(self) -> int:
        return max(COMMON_MIN_DOCS, int(np.ceil(COMMON_SHARE * len(self.texts))))

    def rare(self, sequence: np.ndarray) -> np.ndarray:
        """Mask of the shingles (of a sequence) found in fewer than ``common_docs`` indexed texts."""
        return self.shingle_df[(sequence % np.uint64(COMMON_BUCKETS)).astype(np.int64)] < self.common_docs

    def add_many(self, items: Iterable) -> None:
        """Add (doc_id, text) pairs or a mapping."""
        if hasattr(items, "items"):
            items = items.items()
        for doc_id, text in items:
            self.add(doc_id, text)

    @property
    def idf(self) -> np.ndarray:
        if self._idf is None:
            n = len(self.texts) + 1  # the query counts as one more document
            self._idf = np.log((1 + n) / (1 + self.df.astype(np.float64))) + 1.0
        return self._idf

    def candidates(self, sig: np.ndarray, exclude=None) -> list[tuple[object, float]]:
        keys = [key for key in self.lsh.query(LeanMinHash(seed=SEED, hashvalues=sig, scheme="legacy"))
                if exclude is None or not (key == exclude or (isinstance(exclude, (set, frozenset)) and key in exclude))]
        if not keys:
            return []
        est = (np.stack([self.signatures[key] for key in keys]) == sig).mean(axis=1)  # one pass for all
        return [(key, float(e)) for key, e in zip(keys, est, strict=True) if e >= MIN_EST_JACCARD]

    def query(self, text: str, exclude=None, sig: np.ndarray | None = None, all_candidates: bool = False,
              cache: dict | None = None) -> list[Candidate]:
        """Candidates of ``text`` with exact scores, flagged ones first (highest containment first).

        ``exclude``: an id or a set of ids to leave out; ``all_candidates``: also return unflagged ones;
        ``cache``: optional dict id -> Profile reused across queries."""
        if sig is None:
            sig = text_signature(text)
        found = self.candidates(sig, exclude)
        if not found:
            return []
        pq = profile(text)
        idf = self.idf
        out = []
        for key, est in found:
            if cache is not None:
                pk = cache.get(key)
                if pk is None:
                    pk = cache[key] = profile(self.texts[key])
            else:
                pk = profile(self.texts[key])
            s = score_profiles(pq, pk, idf, rare=self.rare)
            flagged = s.flagged(self.threshold)
            if flagged or all_candidates:
                out.append(Candidate(key, est, s, flagged))
        out.sort(key=lambda c: (not c.flagged, -c.scores.containment))
        return out


def find_duplicates(new: dict, corpus: dict | None = None, threshold: float = COVERAGE_FLAG,
                    with_passages: bool = True, min_len: int = 30) -> list[Pair]:
    """Flagged pairs (new id, corpus id) of ``new`` against ``corpus``; without a corpus, all pairs within
    ``new`` (each unordered pair once)."""
    index = DuplicateIndex(threshold=threshold)
    within = corpus is None
    index.add_many(new if within else corpus)
    pairs = []
    seen = set()
    for doc_id, text in new.items():
        for cand in index.query(text, exclude=doc_id if within else None):
            if within:
                key = frozenset((doc_id, cand.doc_id))
                if key in seen:
                    continue
                seen.add(key)
            other = index.texts[cand.doc_id]
            pairs.append(Pair(doc_id, cand.doc_id, cand.scores,
                              passages(text, other, min_len) if with_passages else []))
    pairs.sort(key=lambda p: -p.scores.containment)
    return pairs


def to_json(pairs: list[Pair], indent: int | None = None) -> str:
    return json.dumps([p.to_json() for p in pairs], ensure_ascii=False, indent=indent)
