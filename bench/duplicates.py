"""Near-duplicate detection benchmark: new applications against a corpus (jinxuan.textmining.similarity).

    python bench/duplicates.py [--corpus 100000] [--new 5000] [--per-kind 100] [--workers 2]

Texts come from ``bench.corpus.SentencePool``: a pool of sentences drawn from word bigrams of faker prose and the
seed documents; each text takes random pool sentences, so texts share vocabulary and phrases but a sentence only
by the odds of the draw (faker prose itself is built from a few dozen sentence templates: two fakes are
near-copies for any measure and cannot serve as negatives).  Among the new texts, ``--per-kind`` of each edit kind
are planted copies of a random corpus text; the rest are fresh texts.

Measured: wall time of signatures + indexing the corpus and of querying the new texts (candidate search and exact
verification), peak RSS, recall per edit kind, false flags on the fresh texts, and an exhaustive comparison of a
sample (planted copies with their sources, fresh texts, random corpus texts; every pair scored exactly, boilerplate
judged by the full index as in the pipeline): the
false-flag rate of the exact rule and the pipeline's recall of what the exact rule flags.

    python bench/duplicates.py --borderline 3000 [--borderline-corpus 2000]

Borderline copies: each trial copies a random corpus text and replaces random sentences of it with pool sentences
until the 5-shingle Jaccard similarity of copy and source lies in [0.35, 0.40]; it records the share of copies
whose source the LSH stage returns as a candidate (and, after exact scoring, flags), for the banding in use and
for the former one (85 bands x 3 rows), next to the S-curve's prediction.  Records
bench/results/duplicates-borderline-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import random
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import SentencePool  # noqa: E402
from jinxuan.textmining import similarity as S  # noqa: E402

SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
SENTENCE_END = re.compile(r"[。！？；，、\n]")
EDIT_KINDS = ("replace2", "replace5", "replace10", "words10", "shuffle_drop20", "add50", "half", "reworded")
FILLER = "的一是了不在人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后"


# ------------------------------------------------------------------------------------------------ edits


def replace_chars(text: str, share: float, rng: random.Random) -> str:
    chars = list(text)
    spots = [i for i, c in enumerate(chars) if not c.isspace()]
    for i in rng.sample(spots, int(len(spots) * share)):
        chars[i] = rng.choice(FILLER)
    return "".join(chars)


def replace_words(text: str, share: float, rng: random.Random) -> str:
    """Replace ``share`` of the words (rjieba) by other words of the same text."""
    import rjieba

    words = rjieba.cut(text)
    spots = [i for i, w in enumerate(words) if w.strip() and not SENTENCE_END.fullmatch(w)]
    for i in rng.sample(spots, int(len(spots) * share)):
        words[i] = words[rng.choice(spots)]
    return "".join(words)


def alter_figures(text: str, rng: random.Random) -> str:
    return re.sub(r"\d+", lambda m: str(rng.randint(1, 9999)), text)


def edit(text: str, kind: str, rng: random.Random, other: str = "") -> str:
    """Apply one edit kind; ``other`` supplies the unrelated text for ``add50``."""
    paras = [p for p in text.split("\n") if p.strip()]
    if kind.startswith("replace"):
        return replace_chars(text, int(kind[7:]) / 100, rng)
    if kind == "words10":
        return replace_words(text, 0.10, rng)
    if kind == "shuffle_drop20":
        rng.shuffle(paras)
        return "\n".join(paras[: max(1, round(len(paras) * 0.8))])
    if kind == "add50":
        extra = [p for p in other.split("\n") if p.strip()]
        need, added = len(text) * 0.5, []
        while extra and sum(map(len, added)) < need:
            added.append(extra.pop(0))
        for p in added:
            paras.insert(rng.randint(0, len(paras)), p)
        return "\n".join(paras)
    if kind == "half":
        keep = sorted(rng.sample(range(len(paras)), max(1, len(paras) // 2)))
        return "\n".join(paras[i] for i in keep)
    if kind == "reworded":
        out = []
        for p in paras:
            sents = SENTENCE.findall(p)
            rng.shuffle(sents)
            out.append("".join(sents))
        rng.shuffle(out)
        return replace_words(alter_figures("\n".join(out), rng), 0.10, rng)
    raise ValueError(kind)


# ------------------------------------------------------------------------------------------------ workers

_INDEX: S.DuplicateIndex | None = None
_CACHE: dict = {}
_SAMPLE: list = []


def _signatures(texts: list[str]):
    """Signatures of a chunk of texts with the chunk's document frequencies (3-gram and shingle buckets)."""
    gram_df = np.zeros(S.TFIDF_BUCKETS, dtype=np.int32)
    shingle_df = np.zeros(S.COMMON_BUCKETS, dtype=np.int32)
    sigs = np.empty((len(texts), S.NUM_PERM), dtype=np.uint32)
    for i, text in enumerate(texts):
        norm = S.normalize(text)
        shingles = S.shingle_set(norm)
        sigs[i] = S.signature(shingles)
        gram_df[np.unique(S.gram_hashes(norm, S.GRAM) % np.uint64(S.TFIDF_BUCKETS)).astype(np.int64)] += 1
        shingle_df[np.unique(shingles % np.uint64(S.COMMON_BUCKETS)).astype(np.int64)] += 1
    return sigs, gram_df, shingle_df


def _query(item):
    doc_id, text = item
    return doc_id, [(c.doc_id, round(c.scores.coverage, 4)) for c in _INDEX.query(text, cache=_CACHE)]


def _exact_row(i):
    """Exact coverage of sample new text i against every sample corpus text."""
    new_profiles, corpus_profiles = _SAMPLE
    pa, ra = new_profiles[i]
    return [max(S.coverage(pa.sequence, pb.shingles, rare=ra), S.coverage(pb.sequence, pa.shingles, rare=rb))
            for pb, rb in corpus_profiles]


def peak_rss_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


# ------------------------------------------------------------------------------------------------ main


def _borderline_copy(source: str, pool_sentences: list[str], rng: random.Random, low: float, high: float):
    """A copy of source with random sentences replaced until low <= Jaccard <= high; None when it overshoots."""
    src = S.shingle_set(S.normalize(source))
    sents = SENTENCE.findall(source)
    order = list(range(len(sents)))
    rng.shuffle(order)
    for i in order:
        sents[i] = rng.choice(pool_sentences)
        copy = "".join(sents)
        got = S.shingle_set(S.normalize(copy))
        inter = len(np.intersect1d(src, got, assume_unique=True))
        j = inter / (len(src) + len(got) - inter)
        if j <= high:
            return (copy, j) if j >= low else None
    return None


def borderline(args) -> dict:
    """Recall of the LSH stage on planted copies at Jaccard 0.35-0.40, for the current and the former banding."""
    pool = SentencePool(args.sentences, seed=args.seed)
    corpus_texts = pool.texts(args.borderline_corpus, seed=args.seed, min_chars=1500, max_chars=4000)
    pool_sentences = SENTENCE.findall("".join(pool.texts(200, seed=args.seed + 1, min_chars=3000, max_chars=4000)))
    rng = random.Random(args.seed)
    trials = []
    while len(trials) < args.borderline:
        src = rng.randrange(len(corpus_texts))
        made = _borderline_copy(corpus_texts[src], pool_sentences, rng, 0.35, 0.40)
        if made is not None:
            trials.append((src, *made))
    out = {}
    for name, (bands, rows) in {"current": (S.BANDS, S.ROWS), "former_85x3": (85, 3)}.items():
        index = S.DuplicateIndex(bands=bands, rows=rows)
        t0 = time.perf_counter()
        index.add_many(dict(enumerate(corpus_texts)))
        t_index = time.perf_counter() - t0
        t0 = time.perf_counter()
        found = flagged = candidates = 0
        for src, copy, _ in trials:
            sig = S.text_signature(copy)
            keys = index.candidates(sig)
            candidates += len(keys)
            hit = any(k == src for k, _ in keys)
            found += hit
            if hit:
                flagged += any(c.doc_id == src for c in index.query(copy, sig=sig))
        t_query = time.perf_counter() - t0
        js = np.array([j for _, _, j in trials])
        out[name] = {"bands": bands, "rows": rows, "candidate_recall": round(found / len(trials), 5),
                     "missed": len(trials) - found, "flag_recall": round(flagged / len(trials), 5),
                     "predicted_candidate_recall": round(float(np.mean([S.lsh_probability(j, bands, rows)
                                                                        for j in js])), 5),
                     "predicted_miss_at_0_35": round(1 - S.lsh_probability(0.35, bands, rows), 7),
                     "candidates_per_query": round(candidates / len(trials), 2),
                     "seconds_index": round(t_index, 2), "seconds_query": round(t_query, 2)}
        print(name, out[name], flush=True)
    report = {
        "benchmark": "duplicates-borderline",
        "date": dt.date.today().isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "inputs": {"corpus": len(corpus_texts), "copies": len(trials), "jaccard_band": [0.35, 0.40],
                   "mean_jaccard": round(float(np.mean([j for _, _, j in trials])), 4), "seed": args.seed,
                   "pool_sentences": args.sentences, "num_perm": S.NUM_PERM,
                   "generation": "bench.corpus.SentencePool texts of 1,500-4,000 characters; copies with random "
                                 "sentences replaced by pool sentences"},
        "results": out,
    }
    if not args.no_write:
        path = ROOT / "bench" / "results" / f"duplicates-borderline-{report['date']}.json"
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return report


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=int, default=100_000)
    ap.add_argument("--new", type=int, default=5_000)
    ap.add_argument("--per-kind", type=int, default=100)
    ap.add_argument("--sentences", type=int, default=300_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--sample-planted", type=int, default=200)
    ap.add_argument("--sample-fresh", type=int, default=200)
    ap.add_argument("--sample-corpus", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--borderline", type=int, default=0, help="planted copies at Jaccard 0.35-0.40 (this mode only)")
    ap.add_argument("--borderline-corpus", type=int, default=2000)
    args = ap.parse_args(argv)
    if args.borderline:
        return borderline(args)
    rng = random.Random(args.seed)
    global _INDEX, _SAMPLE

    t0 = time.perf_counter()
    pool = SentencePool(args.sentences, seed=args.seed)
    corpus_ids = [f"c{i}" for i in range(args.corpus)]
    corpus = dict(zip(corpus_ids, pool.texts(args.corpus, seed=args.seed), strict=True))
    extra = pool.texts(args.new, seed=args.seed + 1)
    new, truth = {}, {}
    for kind in EDIT_KINDS:
        for j in range(args.per_kind):
            src = rng.choice(corpus_ids)
            nid = f"n-{kind}-{j}"
            new[nid] = edit(corpus[src], kind, rng, other=extra.pop())
            truth[nid] = (kind, src)
    while len(new) < args.new:
        new[f"n-fresh-{len(new)}"] = extra.pop()
    t_gen = time.perf_counter() - t0
    chars_corpus = sum(map(len, corpus.values()))
    print(f"generated {len(corpus)} corpus + {len(new)} new texts ({chars_corpus / 1e6:.0f}M characters) "
          f"in {t_gen:.1f}s", flush=True)

    # ---- index the corpus: signatures in worker processes, LSH inserts here
    t0 = time.perf_counter()
    index = S.DuplicateIndex()
    texts = list(corpus.values())
    chunks = [texts[i : i + 1000] for i in range(0, len(texts), 1000)]
    empty = np.zeros(0, dtype=np.int64)
    done = 0
    with mp.get_context("fork").Pool(args.workers) as workers:
        for sigs, gram_df, shingle_df in workers.imap(_signatures, chunks):
            for doc_id, sig in zip(corpus_ids[done : done + len(sigs)], sigs, strict=True):
                index.add_signature(doc_id, corpus[doc_id], sig.astype(np.uint64), empty, empty)
            index.add_frequencies(gram_df, shingle_df)
            done += len(sigs)
    t_index = time.perf_counter() - t0
    print(f"indexed in {t_index:.1f}s, peak {peak_rss_mib()} MiB", flush=True)

    # ---- query: workers inherit the built index by fork
    t0 = time.perf_counter()
    _INDEX = index
    _ = index.idf  # compute once before forking
    results = {}
    with mp.get_context("fork").Pool(args.workers) as workers:
        for doc_id, hits in workers.imap_unordered(_query, new.items(), chunksize=50):
            results[doc_id] = hits
    t_query = time.perf_counter() - t0
    print(f"queried in {t_query:.1f}s, peak {peak_rss_mib()} MiB", flush=True)

    recall = {}
    for kind in EDIT_KINDS:
        ids = [n for n, (k, _) in truth.items() if k == kind]
        found = sum(any(h[0] == truth[n][1] for h in results[n]) for n in ids)
        recall[kind] = round(found / len(ids), 4) if ids else None
    wrong_on_planted = sum(1 for n in truth for h in results[n] if h[0] != truth[n][1])
    fresh = [n for n in new if n not in truth]
    fresh_flags = sum(len(results[n]) for n in fresh)

    # ---- exhaustive sample: every (new, corpus) pair scored exactly
    t0 = time.perf_counter()
    planted_ids = rng.sample(list(truth), min(args.sample_planted, len(truth)))
    s_new = planted_ids + rng.sample(fresh, min(args.sample_fresh, len(fresh)))
    s_corpus = sorted({truth[n][1] for n in planted_ids}) + rng.sample(corpus_ids, args.sample_corpus)
    s_corpus = list(dict.fromkeys(s_corpus))
    profiles = [[S.profile(new[n]) for n in s_new], [S.profile(corpus[c]) for c in s_corpus]]
    _SAMPLE = [[(p, index.rare(p.sequence)) for p in side] for side in profiles]
    with mp.get_context("fork").Pool(args.workers) as workers:
        cov = np.array(workers.map(_exact_row, range(len(s_new)), chunksize=10))
    t_exh = time.perf_counter() - t0
    is_planted = np.array([[truth.get(n, (None, None))[1] == c for c in s_corpus] for n in s_new])
    exact_flag = cov >= S.COVERAGE_FLAG
    col = {c: j for j, c in enumerate(s_corpus)}
    pipe_flag = np.zeros_like(exact_flag)
    for i, n in enumerate(s_new):
        for doc_id, _ in results[n]:
            if doc_id in col:
                pipe_flag[i, col[doc_id]] = True
    negatives = ~is_planted
    n_neg = int(negatives.sum())
    exact_total = int(exact_flag.sum())

    # ---- throughput of the exact scores alone
    t0 = time.perf_counter()
    sample_pairs = [(new[n], corpus[c]) for n, c in zip(s_new[:200], rng.choices(s_corpus, k=len(s_new[:200])), strict=True)]
    for a, b in sample_pairs:
        S.score(a, b)
    pairs_per_s = len(sample_pairs) / (time.perf_counter() - t0)

    report = {
        "benchmark": "duplicates",
        "date": dt.date.today().isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "inputs": {"corpus": len(corpus), "new": len(new), "per_kind": args.per_kind,
                   "corpus_characters": chars_corpus, "pool_sentences": args.sentences,
                   "workers": args.workers, "seed": args.seed, "edit_kinds": list(EDIT_KINDS),
                   "generation": "bench.corpus.SentencePool: random sentences of a word-bigram pool"},
        "parameters": {"num_perm": S.NUM_PERM, "bands": S.BANDS, "rows": S.ROWS, "shingle": S.SHINGLE,
                       "min_est_jaccard": S.MIN_EST_JACCARD, "coverage_flag": S.COVERAGE_FLAG, "gap": S.GAP,
                       "common_share": S.COMMON_SHARE, "common_min_docs": S.COMMON_MIN_DOCS},
        "seconds": {"generate": round(t_gen, 1), "index_corpus": round(t_index, 1), "query_new": round(t_query, 1),
                    "index_plus_query": round(t_index + t_query, 1), "exhaustive_sample": round(t_exh, 1)},
        "peak_rss_mib": peak_rss_mib(),
        "recall": recall,
        "flags": {"on_fresh_new_texts": fresh_flags, "fresh_new_texts": len(fresh),
                  "wrong_source_on_planted": wrong_on_planted},
        "exact_pairs_per_second_one_core": round(pairs_per_s, 1),
        "exhaustive_sample": {
            "new": len(s_new), "corpus": len(s_corpus), "pairs": int(cov.size), "negative_pairs": n_neg,
            "exact_rule_false_flags": int((exact_flag & negatives).sum()),
            "exact_rule_false_flag_rate": round(int((exact_flag & negatives).sum()) / max(n_neg, 1), 6),
            "exact_rule_flags": exact_total,
            "pipeline_recall_of_exact_flags": round(int((exact_flag & pipe_flag).sum()) / max(exact_total, 1), 4),
            "max_coverage_negative": round(float(cov[negatives].max()), 4) if n_neg else None,
            "p999_coverage_negative": round(float(np.quantile(cov[negatives], 0.999)), 4) if n_neg else None,
            "min_coverage_planted": round(float(cov[is_planted].min()), 4) if is_planted.any() else None,
        },
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if not args.no_write:
        out = ROOT / "bench" / "results" / f"duplicates-{report['date']}.json"
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    return report


if __name__ == "__main__":
    main()
