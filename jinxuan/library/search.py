"""Full-text search of the case library over character bigrams, in a Tantivy index (`search_index.py`).

Why bigrams.  Chinese has no spaces; a user types 普惠, 风控 or 征信 and expects every case containing those two
characters.  Measured alternatives fail that: SQLite FTS5's trigram tokenizer returns nothing for a two-character
query; PostgreSQL pg_trgm cannot use its index for it and scans (>1 s at 10,000 cases); an index over jieba words
misses 14–19 % of substring hits (普惠 inside 数字普惠金融 is cut differently).  Overlapping character bigrams
(`grams.py`) make a two-character query one index term and a longer one a phrase of adjacent bigrams, so a hit
is exactly a substring hit; `bench/library_search.py` checks recall against a plain substring scan.

Why not in the database.  The same bigrams in SQLite FTS5 or a PostgreSQL tsvector (this module until
2026-11-26) reached full recall but p95 0.2–1 s at 100,000 cases; see `search_index.py`.  The database keeps the cases,
their facet rows (similar cases) and one `SearchDoc` row per indexed case (its id orders "newest first" and
tells that the index should hold the case).

A publication, import, edit or withdrawal writes the database rows and a change-log entry in its transaction
(`index_cases`, `unindex_case`, `changes.py`); each host's index applies the committed changes (`follow.py`):
right after the commit on the host that made it, from `jinxuan library follow` every few seconds on every host,
and before a search that finds the index behind (bounded).
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction

from . import changes, follow, grams, search_index
from .models import Case, Facet, SearchDoc

FACET_KINDS = [("year", "年度"), ("campaign", "征集活动"), ("track", "赛道"), ("award", "奖项"),
               ("domain", "应用领域"), ("technology", "技术"), ("region", "地区"), ("institution", "机构类型")]
FACET_LABELS = dict(FACET_KINDS)


# --- schema of the earlier in-database index (migrations 0002, 0004 and 0005) ------------------------------

def create_index_schema(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE library_searchdoc ADD COLUMN vector tsvector")
        schema_editor.execute("CREATE INDEX library_searchdoc_vector ON library_searchdoc USING gin (vector)")
        create_head_schema(schema_editor)
    else:
        schema_editor.execute("CREATE VIRTUAL TABLE library_fts USING fts5(title, orgs, body, content='', "
                              "tokenize='unicode61 remove_diacritics 0')")


def create_head_schema(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE library_searchdoc ADD COLUMN IF NOT EXISTS head tsvector")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS library_searchdoc_head ON library_searchdoc USING gin (head)")


def drop_index_schema(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS library_searchdoc_vector")
        schema_editor.execute("DROP INDEX IF EXISTS library_searchdoc_head")
        schema_editor.execute("ALTER TABLE library_searchdoc DROP COLUMN IF EXISTS head")
        schema_editor.execute("ALTER TABLE library_searchdoc DROP COLUMN IF EXISTS vector")
    else:
        schema_editor.execute("DROP TABLE IF EXISTS library_fts")


# --- indexing ---------------------------------------------------------------------------------------

def fields_of(case: Case) -> tuple[str, str, str]:
    return case.title, "\n".join(case.organisations or []), "\n".join([*(case.paragraphs or []),
                                                                        *(case.captions or [])])


def facet_values(case: Case) -> list[tuple[str, str]]:
    values = []
    if case.year:
        values.append(("year", str(case.year)))
    if case.campaign_id:
        values.append(("campaign", case.campaign.name))
    if case.track:
        values.append(("track", case.track))
    for award in (case.tier, case.special):
        if award:
            values.append(("award", award))
    values += [("domain", v) for v in case.domains]
    values += [("technology", v) for v in case.technologies]
    values += [("region", v) for v in case.regions or []]
    values += [("institution", v) for v in case.institution_types or []]
    return list(dict.fromkeys((k, v[:200]) for k, v in values))


def index_cases(cases: list[Case]) -> None:
    """(Re)write the search documents and facet rows of `cases` and log the change, in the caller's transaction
    (a re-indexed case gets a new SearchDoc id: it counts as the newest). Every host's index applies the change
    once it is committed (`follow.py`)."""
    if not cases:
        return
    ids = [c.pk for c in cases]
    with transaction.atomic():
        Facet.objects.filter(case_id__in=ids).delete()
        Facet.objects.bulk_create([Facet(case=c, kind=k, value=v) for c in cases for k, v in facet_values(c)],
                                  batch_size=2000)
        SearchDoc.objects.filter(case_id__in=ids).delete()
        SearchDoc.objects.bulk_create([SearchDoc(case_id=i) for i in ids])
        changes.append(ids)


def documents(cases: list[Case], stamps: dict[int, int]) -> list:
    docs = []
    for c in cases:
        title, orgs, body = (grams.doc_tokens(x) for x in fields_of(c))
        docs.append(search_index.document(c.pk, stamps[c.pk], title, orgs, body, facet_values(c)))
    return docs


def index_case(case: Case) -> None:
    index_cases([case])


def unindex_case(case: Case) -> None:
    """Take a case out of the search (its index entry goes once the caller's transaction commits)."""
    with transaction.atomic():
        SearchDoc.objects.filter(case=case).delete()
        Facet.objects.filter(case=case).delete()
        changes.append([case.pk])


def rebuild(batch: int = 1000, progress=None) -> int:
    """Rewrite this host's index from the database (the cases that have a SearchDoc row) and set its position in
    the change log. Returns their number."""
    return follow.rebuild(batch, progress)


# --- querying ---------------------------------------------------------------------------------------

@dataclass
class Result:
    query: str
    terms: list[str]
    filters: dict
    total: int
    cases: list[Case]
    facets: dict = field(default_factory=dict)  # kind → [(value, count)] most frequent first
    page: int = 1
    per_page: int = 20

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def clean_filters(raw) -> dict:
    """{kind: value} for the known facet kinds (one value each, first wins)."""
    out = {}
    for kind, _ in FACET_KINDS:
        value = raw.get(kind) if hasattr(raw, "get") else None
        if value:
            out[kind] = str(value)[:200]
    return out


def listing(full: bool = False):
    """Cases with their campaign's name, without the campaign preset (and without figures and policies unless
    `full`): decoding those JSON documents would cost more than the search."""
    qs = Case.objects.select_related("campaign").defer("campaign__preset")
    return qs if full else qs.defer("figures", "policies")


def search(text: str = "", filters: dict | None = None, page: int = 1, per_page: int = 20,
           facets: bool = True, limit: int | None = None) -> Result:
    """Cases matching every term of `text` and every facet filter, best first (title 10, organisations 4, body 1;
    without terms: most recently published or edited first), with the exact number of matches and facet counts.
    Uncached facet counts are aggregated on a pool thread (Tantivy releases the GIL) while the page's cases are
    loaded from the database."""
    q = grams.parse_query(text)
    filters = clean_filters(filters or {})
    page = max(1, page)
    size = limit if limit is not None else per_page
    offset = 0 if limit is not None else (page - 1) * per_page
    follow.before_search()
    query = search_index.query(q.phrases, filters)
    counts, pending, key = {}, None, ""
    if facets:
        key = _facet_key(q, filters)
        counts = cache.get(key)
        if counts is None:
            pending = _pool().submit(search_index.facet_counts, query)
    total, ids = search_index.top(query, size, offset, ranked=bool(q))
    by_id = listing(full=limit is not None).in_bulk(ids)
    cases = [by_id[i] for i in ids if i in by_id]
    if pending is not None:
        counts = _sorted_counts(pending.result())
        cache.set(key, counts, 600)
    return Result(query=text, terms=q.terms, filters=filters, total=total, cases=cases, facets=counts, page=page,
                  per_page=per_page)


_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="library-facets")
    return _executor


def _facet_key(q: grams.Query, filters: dict) -> str:
    """Facet counts are cached per query, filters and index commit (any process's commit changes the key)."""
    sig = repr(([(p.tokens, p.prefix) for p in q.phrases], sorted(filters.items()))).encode()
    return f"library:facets:{search_index.version()}:{hashlib.sha256(sig).hexdigest()}"


def _sorted_counts(found: dict) -> dict:
    """{kind: [(value, count)]} for every kind: years newest first, other values most frequent first."""
    counts = {}
    for kind, _ in FACET_KINDS:
        items = found.get(kind, [])
        if kind == "year":
            items.sort(key=lambda x: x[0], reverse=True)
        else:
            items.sort(key=lambda x: (-x[1], x[0]))
        counts[kind] = items
    return counts


def matching_ids(text: str) -> set[int]:
    """Every case id matching `text` (for the recall benchmark and tests)."""
    follow.before_search()
    return search_index.all_ids(search_index.query(grams.parse_query(text).phrases, {}))


SIMILAR_POOL = 2000


def similar(case: Case, n: int = 5) -> list[Case]:
    """Cases of the same track (else campaign) sharing the most domains, technologies and awards with `case`;
    among the latest SIMILAR_POOL of them, so a case page costs the same at any library size."""
    mine = list(Facet.objects.filter(case=case, kind__in=["domain", "technology", "award", "region"])
                .values_list("kind", "value"))
    anchor = ("track", case.track) if case.track else ("campaign", case.campaign_name) if case.campaign_id else None
    if anchor is None or not mine:
        return []
    cond = " OR ".join(["(f.kind = %s AND f.value = %s)"] * len(mine))
    sql = (f"SELECT f.case_id, COUNT(*) AS n FROM library_facet f JOIN "
           f"(SELECT case_id FROM library_facet WHERE kind = %s AND value = %s AND case_id <> %s "
           f"ORDER BY case_id DESC LIMIT %s) pool ON pool.case_id = f.case_id "
           f"WHERE {cond} GROUP BY f.case_id ORDER BY n DESC, f.case_id DESC LIMIT %s")
    with connection.cursor() as cur:
        cur.execute(sql, [*anchor, case.pk, SIMILAR_POOL, *[x for kv in mine for x in kv], n])
        ids = [row[0] for row in cur.fetchall()]
    by_id = listing().in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]
