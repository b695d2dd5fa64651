"""The case library's search index: Tantivy (a Rust search engine, from PyPI) over character bigrams.

Why.  The same bigrams (`grams.py`) in SQLite FTS5 or a PostgreSQL tsvector gave full recall but not the speed:
at 100,000 cases a two-character query that matches half the library had to count and rank 54,000 rows, and a
phrase had to re-read every candidate's positions (PostgreSQL's GIN index keeps none): p95 0.2–1 s.  Tantivy
keeps positions and answers the first page of a ranked query (BM25 with block-max WAND), its exact count and
exact facet counts (a terms aggregation over a fast field) in a few milliseconds (`bench/library_search.py`).

Layout.  One document per case: `case_id`; `title`, `orgs`, `body` as space-separated bigram tokens (the
whitespace tokenizer only splits them; positions kept, so a query term is a phrase of adjacent bigrams and a
hit is exactly a substring hit); `facet` as "kind<US>value" raw tokens (filters are term queries, counts an
aggregation); `stamp`, the case's `SearchDoc` id (newest first when there are no terms).

Where.  A directory (settings.LIBRARY_INDEX_DIR, default DATA_DIR/library-index) shared by every process of one
host: each process reads it (a reload per search costs microseconds); a write opens Tantivy's writer, which
holds a lock file across processes, so writers take turns (`_writer` waits for the lock).  The database stays
the source of truth: each host's index follows the library's change log (`follow.py`), and
`jinxuan library reindex` rewrites it from the cases.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import tantivy
from django.conf import settings

SEP = "\x1f"  # between a facet's kind and value
WEIGHTS = {"title": 10.0, "orgs": 4.0, "body": 1.0}
FACET_BUCKETS = 5000
WRITER_HEAP = 64_000_000  # bytes buffered before a segment is written (bulk writes)
SMALL_HEAP = 16_000_000  # a few documents (Tantivy's floor is 15 MB)
LOCK_WAIT = 60  # seconds a write waits for another process's writer


class IndexBusy(RuntimeError):
    pass


_schema = None
_indexes: dict[str, tantivy.Index] = {}
_write_lock = threading.Lock()
_open_lock = threading.Lock()


def schema() -> tantivy.Schema:
    global _schema
    if _schema is None:
        b = tantivy.SchemaBuilder()
        b.add_integer_field("case_id", stored=True, indexed=True, fast=True)
        for name in WEIGHTS:
            b.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="position")
        b.add_text_field("facet", stored=False, tokenizer_name="raw", fast=True)
        b.add_integer_field("stamp", stored=False, indexed=False, fast=True)
        _schema = b.build()
    return _schema


_here: ContextVar[Path | None] = ContextVar("library_index_dir", default=None)


def path() -> Path:
    return _here.get() or Path(getattr(settings, "LIBRARY_INDEX_DIR", None) or Path(settings.DATA_DIR) / "library-index")


@contextmanager
def at(directory):
    """Use the index in `directory` in this thread (several hosts' indexes in one process: tests, tools)."""
    token = _here.set(Path(directory))
    try:
        yield
    finally:
        _here.reset(token)


def index() -> tantivy.Index:
    where = path()
    key = str(where)
    found = _indexes.get(key)
    if found is None:
        with _open_lock:
            found = _indexes.get(key)
            if found is None:
                where.mkdir(parents=True, exist_ok=True)
                found = _indexes[key] = tantivy.Index(schema(), path=key, reuse=True)
    return found


def searcher() -> tantivy.Searcher:
    idx = index()
    idx.reload()  # see other processes' commits
    return idx.searcher()


# --- writing -----------------------------------------------------------------------------------------------

def document(case_id: int, stamp: int, title: list[str], orgs: list[str], body: list[str],
             facets: list[tuple[str, str]]) -> tantivy.Document:
    return tantivy.Document(case_id=case_id, stamp=stamp, title=" ".join(title), orgs=" ".join(orgs),
                            body=" ".join(body), facet=[f"{k}{SEP}{v}" for k, v in facets])


def _writer(heap: int):
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            return index().writer(heap_size=heap, num_threads=1)
        except ValueError as exc:  # another process holds the writer lock
            if time.monotonic() > deadline:
                raise IndexBusy("案例库索引正被其他进程写入，请稍后重试") from exc
            time.sleep(0.05)


def write(docs: list[tantivy.Document] = (), remove: list[int] = (), clear: bool = False) -> None:
    """Remove the documents of the `remove` case ids (or all, `clear`), add `docs`, commit."""
    with _write_lock:
        writer = _writer(WRITER_HEAP if clear or len(docs) > 100 else SMALL_HEAP)
        try:
            if clear:
                writer.delete_all_documents()
            for case_id in remove:
                writer.delete_documents_by_term("case_id", case_id)
            for doc in docs:
                writer.add_document(doc)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise


# --- reading -----------------------------------------------------------------------------------------------

def _phrase(field: str, tokens: tuple[str, ...], prefix: bool) -> tantivy.Query:
    s = schema()
    if len(tokens) == 1:
        if prefix:
            # tokens hold letters, digits and CJK only (`grams.RUNS`): nothing to escape in the pattern
            return tantivy.Query.regex_query(s, field, tokens[0] + ".*")
        return tantivy.Query.term_query(s, field, tokens[0])
    if prefix:
        return tantivy.Query.phrase_prefix_query(s, field, list(tokens))
    return tantivy.Query.phrase_query(s, field, list(tokens))


def query(phrases, filters: dict, fields=tuple(WEIGHTS)) -> tantivy.Query:
    """Every phrase (`grams.Phrase`) in one of `fields` (weighted), and every facet filter."""
    s = schema()
    must = []
    for p in phrases:
        per_field = [(tantivy.Occur.Should, tantivy.Query.boost_query(_phrase(f, p.tokens, p.prefix), WEIGHTS[f]))
                     for f in fields]
        must.append((tantivy.Occur.Must, tantivy.Query.boolean_query(per_field)))
    for kind, value in filters.items():
        must.append((tantivy.Occur.Must, tantivy.Query.term_query(s, "facet", f"{kind}{SEP}{value}")))
    if not must:
        return tantivy.Query.all_query()
    if not phrases:  # filters only: no scores to compute
        return tantivy.Query.const_score_query(tantivy.Query.boolean_query(must), 1.0)
    return tantivy.Query.boolean_query(must)


def top(q: tantivy.Query, size: int, offset: int, ranked: bool) -> tuple[int, list[int]]:
    """(number of matches, case ids of one page): best first, or newest first when not `ranked`."""
    s = searcher()
    size = max(1, size)  # Tantivy refuses a limit of 0
    if ranked:
        found = s.search(q, size, count=True, offset=offset)
    else:
        found = s.search(q, size, count=True, offset=offset, order_by_field="stamp", order=tantivy.Order.Desc)
    return found.count, [s.doc(address)["case_id"][0] for _, address in found.hits]


def facet_counts(q: tantivy.Query) -> dict[str, list[tuple[str, int]]]:
    """{kind: [(value, count)]} over every match (exact)."""
    out = searcher().aggregate(q, {"f": {"terms": {"field": "facet", "size": FACET_BUCKETS}}})
    counts: dict[str, list] = {}
    for bucket in out.get("f", {}).get("buckets", []):
        kind, sep, value = str(bucket["key"]).partition(SEP)
        if sep:
            counts.setdefault(kind, []).append((value, int(bucket["doc_count"])))
    return counts


def all_ids(q: tantivy.Query) -> set[int]:
    s = searcher()
    n = s.search(q, 1, count=True).count
    if not n:
        return set()
    return {s.doc(a)["case_id"][0] for _, a in s.search(q, n, count=False).hits}


def size() -> int:
    return searcher().num_docs


def version() -> str:
    """Changes with every commit (Tantivy rewrites meta.json), in any process: a key for cached counts."""
    try:
        st = (path() / "meta.json").stat()
    except FileNotFoundError:
        return "none"
    return f"{st.st_mtime_ns}-{st.st_size}-{st.st_ino}"
