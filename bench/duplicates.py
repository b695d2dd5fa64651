"""Near-duplicate detection benchmark: new applications against a corpus (jinxuan.textmining.similarity).

    python bench/duplicates.py [--corpus 100000] [--new 5000] [--per-kind 100] [--workers 2]

Texts are generated cheaply: ``--bases`` (300) long fakes from ``jinxuan.demo.text.TextFaker`` are split into
sentences; every synthetic text takes its paragraphs from 8 random bases, each paragraph 3-6 random sentences of
those bases, so texts share the faker's phrase banks (realistic background overlap) but rarely a whole sentence.
Among the new texts, ``--per-kind`` of each edit kind are planted copies of a random corpus text.

Measured: wall time of signatures + indexing the corpus, of querying the new texts (candidate search and exact
verification), peak RSS, recall per edit kind, and the false-flag rate of the exact rule against an exhaustive
comparison of a random sample of (new, corpus) pairs (scored as sparse-matrix products with the same definitions).
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

from jinxuan.demo.text import TextFaker  # noqa: E402
from jinxuan.textmining import similarity as S  # noqa: E402

SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
EDIT_KINDS = ("replace2", "replace5", "replace10", "shuffle_drop20", "add50", "half", "reworded")
FILLER = "的一是了不在人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后"


# ------------------------------------------------------------------------------------------------ edits


def replace_chars(text: str, share: float, rng: random.Random) -> str:
    chars = list(text)
    spots = [i for i, c in enumerate(chars) if not c.isspace()]
    for i in rng.sample(spots, int(len(spots) * share)):
        chars[i] = rng.choice(FILLER)
    return "".join(chars)


def alter_figures(text: str, rng: random.Random) -> str:
    return re.sub(r"\d+", lambda m: str(rng.randint(1, 9999)), text)


def edit(text: str, kind: str, rng: random.Random, other: str = "") -> str:
    """Apply one edit kind; ``other`` supplies the unrelated text for ``add50``."""
    paras = [p for p in text.split("\n") if p.strip()]
    if kind.startswith("replace"):
        return replace_chars(text, int(kind[7:]) / 100, rng)
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
        return replace_chars(alter_figures("\n".join(out), rng), 0.10, rng)
    raise ValueError(kind)


# ------------------------------------------------------------------------------------------------ texts


def sentence_banks(n_bases: int, seed: int) -> list[list[str]]:
    faker = TextFaker(seed)
    return [SENTENCE.findall(faker.text_of_length(3000, 6000)) for _ in range(n_bases)]


def synth_text(banks: list[list[str]], rng: random.Random) -> str:
    pool = [s for b in rng.sample(banks, 8) for s in b]
    target = rng.randint(3000, 6000)
    paras, size = [], 0
    while size < target:
        para = "".join(rng.choice(pool) for _ in range(rng.randint(3, 6)))
        paras.append(para)
        size += len(para)
    return "\n".join(paras)


# ------------------------------------------------------------------------------------------------ workers

_INDEX: S.DuplicateIndex | None = None
_CACHE: dict = {}


def _sig_grams(text: str):
    norm = S.normalize(text)
    grams = np.unique(S.gram_hashes(norm, S.GRAM) % np.uint64(S.TFIDF_BUCKETS)).astype(np.int32)
    return S.signature(S.shingle_set(norm)).astype(np.uint32), grams


def _query(item):
    doc_id, text = item
    return doc_id, [(c.doc_id, c.scores.containment, c.scores.cosine) for c in _INDEX.query(text, cache=_CACHE)]


def peak_rss_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


# ------------------------------------------------------------------------------------------------ exhaustive


def _sparse_profiles(texts, idf):
    from scipy import sparse

    rows_s, rows_g, rows_w = [], [], []
    for t in texts:
        p = S.profile(t)
        rows_s.append(p.shingles)
        w = p.tf * idf[p.grams]
        rows_g.append(p.grams)
        rows_w.append(w / np.linalg.norm(w))
    return rows_s, rows_g, rows_w, sparse


def exhaustive(new_texts, corpus_texts, idf, threshold):
    """Exact scores of all pairs new x corpus via sparse products; returns (containment max, cosine) matrices."""
    sa, ga, wa, sparse = _sparse_profiles(new_texts, idf)
    sb, gb, wb, _ = _sparse_profiles(corpus_texts, idf)
    vocab = np.unique(np.concatenate(sa + sb))

    def shingle_matrix(sets):
        cols = np.concatenate([np.searchsorted(vocab, s) for s in sets])
        ptr = np.cumsum([0] + [len(s) for s in sets])
        return sparse.csr_matrix((np.ones(len(cols), dtype=np.float32), cols, ptr), shape=(len(sets), len(vocab)))

    def weight_matrix(grams, weights):
        ptr = np.cumsum([0] + [len(g) for g in grams])
        return sparse.csr_matrix((np.concatenate(weights), np.concatenate(grams), ptr),
                                 shape=(len(grams), S.TFIDF_BUCKETS))

    inter = (shingle_matrix(sa) @ shingle_matrix(sb).T).toarray()
    na = np.array([len(s) for s in sa], dtype=float)[:, None]
    nb = np.array([len(s) for s in sb], dtype=float)[None, :]
    cont = np.maximum(inter / na, inter / nb)
    cos = (weight_matrix(ga, wa) @ weight_matrix(gb, wb).T).toarray()
    flagged = (cont >= threshold) | ((cos >= S.COSINE_FLAG) & (cont >= min(S.CONTAINMENT_FLOOR, threshold)))
    return cont, cos, flagged


# ------------------------------------------------------------------------------------------------ main


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=int, default=100_000)
    ap.add_argument("--new", type=int, default=5_000)
    ap.add_argument("--per-kind", type=int, default=100)
    ap.add_argument("--bases", type=int, default=300)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--sample-new", type=int, default=2000)
    ap.add_argument("--sample-corpus", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    global _INDEX

    t0 = time.perf_counter()
    banks = sentence_banks(args.bases, args.seed)
    corpus = {f"c{i}": synth_text(banks, rng) for i in range(args.corpus)}
    corpus_ids = list(corpus)
    new, truth = {}, {}
    for kind in EDIT_KINDS:
        for j in range(args.per_kind):
            src = rng.choice(corpus_ids)
            nid = f"n-{kind}-{j}"
            new[nid] = edit(corpus[src], kind, rng, other=synth_text(banks, rng))
            truth[nid] = (kind, src)
    while len(new) < args.new:
        new[f"n-fresh-{len(new)}"] = synth_text(banks, rng)
    t_gen = time.perf_counter() - t0
    print(f"generated {len(corpus)} corpus + {len(new)} new texts in {t_gen:.1f}s", flush=True)

    # ---- index the corpus: signatures in worker processes, LSH inserts here
    t0 = time.perf_counter()
    index = S.DuplicateIndex()
    with mp.get_context("fork").Pool(args.workers) as pool:
        sigs = pool.imap(_sig_grams, corpus.values(), chunksize=200)
        for doc_id, (sig, grams) in zip(corpus_ids, sigs, strict=True):
            index.add_signature(doc_id, corpus[doc_id], sig.astype(np.uint64), grams)
    t_index = time.perf_counter() - t0
    print(f"indexed in {t_index:.1f}s, peak {peak_rss_mib()} MiB", flush=True)

    # ---- query: workers inherit the built index by fork
    t0 = time.perf_counter()
    _INDEX = index
    _ = index.idf  # compute once before forking
    results = {}
    with mp.get_context("fork").Pool(args.workers) as pool:
        for doc_id, hits in pool.imap_unordered(_query, new.items(), chunksize=50):
            results[doc_id] = hits
    t_query = time.perf_counter() - t0
    print(f"queried in {t_query:.1f}s, peak {peak_rss_mib()} MiB", flush=True)

    recall = {}
    for kind in EDIT_KINDS:
        ids = [n for n, (k, _) in truth.items() if k == kind]
        found = sum(any(h[0] == truth[n][1] for h in results[n]) for n in ids)
        recall[kind] = round(found / len(ids), 4) if ids else None
    flagged_total = sum(len(h) for h in results.values())
    planted_found = sum(any(h[0] == truth[n][1] for h in results[n]) for n in truth)
    fresh_flags = sum(len(h) for n, h in results.items() if n not in truth)

    # ---- exhaustive sample
    t0 = time.perf_counter()
    s_new = rng.sample(list(new), min(args.sample_new, len(new)))
    s_corpus = rng.sample(corpus_ids, min(args.sample_corpus, len(corpus_ids)))
    cont, cos, flagged = exhaustive([new[n] for n in s_new], [corpus[c] for c in s_corpus], index.idf,
                                    S.COVERAGE_FLAG)
    planted = np.array([[truth.get(n, (None, None))[1] == c for c in s_corpus] for n in s_new])
    negatives = ~planted
    false_flags = int((flagged & negatives).sum())
    n_neg = int(negatives.sum())
    t_exh = time.perf_counter() - t0
    pipeline_flags = sum(1 for i, n in enumerate(s_new) for h in results[n] if h[0] in set(s_corpus)
                         and not planted[i, s_corpus.index(h[0])])

    report = {
        "benchmark": "duplicates",
        "date": dt.date.today().isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "inputs": {"corpus": len(corpus), "new": len(new), "per_kind": args.per_kind, "bases": args.bases,
                   "workers": args.workers, "seed": args.seed, "edit_kinds": list(EDIT_KINDS),
                   "generation": "sentences of 300 TextFaker base texts recombined (8 bases per text)"},
        "parameters": {"num_perm": S.NUM_PERM, "bands": S.BANDS, "rows": S.ROWS,
                       "min_est_jaccard": S.MIN_EST_JACCARD, "containment_flag": S.CONTAINMENT_FLAG,
                       "containment_floor": S.CONTAINMENT_FLOOR, "cosine_flag": S.COSINE_FLAG},
        "seconds": {"generate": round(t_gen, 1), "index_corpus": round(t_index, 1), "query_new": round(t_query, 1),
                    "index_plus_query": round(t_index + t_query, 1), "exhaustive_sample": round(t_exh, 1)},
        "peak_rss_mib": peak_rss_mib(),
        "recall": recall,
        "planted_found": f"{planted_found}/{len(truth)}",
        "flags": {"total": flagged_total, "on_fresh_new_texts": fresh_flags},
        "exhaustive_sample": {
            "pairs": int(planted.size), "negative_pairs": n_neg,
            "false_flags_exact_rule": false_flags,
            "false_flag_rate": round(false_flags / max(n_neg, 1), 6),
            "pipeline_flags_on_negative_sample_pairs": pipeline_flags,
            "max_containment_negative": round(float(cont[negatives].max()), 4) if n_neg else None,
            "p999_containment_negative": round(float(np.quantile(cont[negatives], 0.999)), 4) if n_neg else None,
            "max_cosine_negative": round(float(cos[negatives].max()), 4) if n_neg else None,
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
