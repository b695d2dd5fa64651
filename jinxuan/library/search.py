"""Full-text search of the case library: a character-bigram index in the database itself.

Why bigrams, and why in the database.  Chinese has no spaces; a user types 普惠, 风控 or 征信 and expects every
case containing those two characters.  Measured alternatives fail that: SQLite FTS5's trigram tokenizer returns
nothing for a two-character query; PostgreSQL pg_trgm cannot use its index for it and scans (>1 s at 10,000
cases); an index over jieba words misses 14–19 % of substring hits (普惠 inside 数字普惠金融 is cut differently).
Overlapping character bigrams (`grams.py`) make a two-character query one index term and a longer one a phrase
of adjacent bigrams, so a hit is exactly a substring hit; `bench/library_search.py` checks recall against a
plain substring scan.

One code path for both databases: `grams.py` tokenises in Python, identically for SQLite and PostgreSQL; only
the storage differs, by a few lines of SQL each:

* SQLite: a contentless FTS5 table `library_fts(title, orgs, body)` fed with space-separated bigram tokens
  (the unicode61 tokenizer then only splits at the spaces); rowid = `SearchDoc.id`; bm25 ranking with column
  weights.  Contentless rows cannot be deleted without their old text, so a re-indexed case gets a new
  SearchDoc id and its old rows are left unreachable (the join drops them); `rebuild()` compacts.
* PostgreSQL: a `tsvector` column on `library_searchdoc` built from the same tokens as a tsvector literal
  (no text-search parser or dictionary involved), a GIN index, tsquery phrases (`<->`), ts_rank with weights
  A (title), B (organisations), D (body).

The index is written when a case is published, imported or edited (`index_case`), never per query.  Facet
values live in `library_facet` rows (kind, value, case), counted over the matching cases.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F

from . import grams
from .models import Case, Facet, IndexState, SearchDoc

FACET_KINDS = [("year", "年度"), ("campaign", "征集活动"), ("track", "赛道"), ("award", "奖项"),
               ("domain", "应用领域"), ("technology", "技术"), ("region", "地区"), ("institution", "机构类型")]
FACET_LABELS = dict(FACET_KINDS)
WEIGHTS = (10.0, 4.0, 1.0)  # title, organisations, body (FTS5 bm25)
RANK_ALL = 1000  # up to this many matches are all ranked; see `_ranked_ids`
FACET_EXACT = 5000  # up to this many matches facet counts are exact; see `_facet_counts`


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- schema (migration 0002) -------------------------------------------------------------------------

def create_index_schema(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE library_searchdoc ADD COLUMN vector tsvector")
        schema_editor.execute("CREATE INDEX library_searchdoc_vector ON library_searchdoc USING gin (vector)")
        create_head_schema(schema_editor)
    else:
        schema_editor.execute("CREATE VIRTUAL TABLE library_fts USING fts5(title, orgs, body, content='', "
                              "tokenize='unicode61 remove_diacritics 0')")


def create_head_schema(schema_editor) -> None:
    """PostgreSQL: title + organisations alone, to rank very broad queries (`_ranked_ids`)."""
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


def _bump() -> None:
    if not IndexState.objects.filter(pk=1).update(generation=F("generation") + 1):
        IndexState.objects.get_or_create(pk=1)


def generation() -> int:
    return IndexState.objects.filter(pk=1).values_list("generation", flat=True).first() or 0


def index_cases(cases: list[Case]) -> None:
    """(Re)write the search documents and facet rows of `cases` (in one transaction)."""
    if not cases:
        return
    ids = [c.pk for c in cases]
    with transaction.atomic():
        Facet.objects.filter(case_id__in=ids).delete()
        Facet.objects.bulk_create([Facet(case=c, kind=k, value=v) for c in cases for k, v in facet_values(c)],
                                  batch_size=2000)
        with connection.cursor() as cur:
            if is_postgres():
                existing = set(SearchDoc.objects.filter(case_id__in=ids).values_list("case_id", flat=True))
                SearchDoc.objects.bulk_create([SearchDoc(case_id=i) for i in ids if i not in existing])
                docs = dict(SearchDoc.objects.filter(case_id__in=ids).values_list("case_id", "id"))
                rows = []
                for c in cases:
                    t, o, b = fields_of(c)
                    rows.append((grams.tsvector([(t, "A"), (o, "B"), (b, "D")]), grams.tsvector([(t, "A"), (o, "B")]),
                                 docs[c.pk]))
                cur.executemany("UPDATE library_searchdoc SET vector = CAST(%s AS tsvector), "
                                "head = CAST(%s AS tsvector) WHERE id = %s", rows)
            else:
                SearchDoc.objects.filter(case_id__in=ids).delete()
                SearchDoc.objects.bulk_create([SearchDoc(case_id=i) for i in ids])
                docs = dict(SearchDoc.objects.filter(case_id__in=ids).values_list("case_id", "id"))
                rows = []
                for c in cases:
                    rows.append((docs[c.pk], *(" ".join(grams.doc_tokens(x)) for x in fields_of(c))))
                cur.executemany("INSERT INTO library_fts(rowid, title, orgs, body) VALUES (%s, %s, %s, %s)", rows)
    _bump()


def index_case(case: Case) -> None:
    index_cases([case])


def unindex_case(case: Case) -> None:
    SearchDoc.objects.filter(case=case).delete()
    Facet.objects.filter(case=case).delete()
    _bump()


def rebuild(batch: int = 1000) -> int:
    """Rewrite the whole index from the cases (drops unreachable FTS5 rows). Returns the number of cases."""
    with connection.cursor() as cur:
        if not is_postgres():
            cur.execute("INSERT INTO library_fts(library_fts) VALUES ('delete-all')")
    SearchDoc.objects.all().delete()
    n = 0
    qs = listing().order_by("pk")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            break
        index_cases(chunk)
        n += len(chunk)
        last = chunk[-1].pk
    if not is_postgres():
        with connection.cursor() as cur:
            cur.execute("INSERT INTO library_fts(library_fts) VALUES ('optimize')")
    return n


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
    def facets_estimated(self) -> bool:
        return self.total > FACET_EXACT

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


def _filter_sql(filters: dict, col: str) -> tuple[str, list]:
    sql, params = "", []
    for kind, value in filters.items():
        sql += f" AND {col} IN (SELECT case_id FROM library_facet WHERE kind = %s AND value = %s)"
        params += [kind, value]
    return sql, params


def _matches(q: grams.Query, filters: dict, scope: str = "all") -> tuple[str, list, str]:
    """(FROM … WHERE … clause, params, score expression) selecting `d.case_id` of matching cases.

    scope "all": every match; "head": matches in the title and organisations (all terms there);
    "rest": matches that are not "head" matches."""
    if q:
        if is_postgres():
            frm = "FROM library_searchdoc d, CAST(%s AS tsquery) q WHERE "
            frm += {"all": "d.vector @@ q", "head": "d.head @@ q", "rest": "d.vector @@ q AND NOT d.head @@ q"}[scope]
            params = [grams.tsquery(q)]
            score = "ts_rank(d.head, q, 0)" if scope == "head" else "ts_rank(d.vector, q, 0)"
        else:
            frm = ("FROM library_fts JOIN library_searchdoc d ON d.id = library_fts.rowid "
                   "WHERE library_fts MATCH %s")
            expr = grams.fts5_expression(q)
            params = [{"all": expr, "head": f"{{title orgs}} : ({expr})",
                       "rest": f"({expr}) NOT {{title orgs}} : ({expr})"}[scope]]
            score = f"-bm25(library_fts, {', '.join(map(str, WEIGHTS))})"
    else:
        frm, params, score = "FROM library_searchdoc d WHERE 1 = 1", [], "0"
    fsql, fparams = _filter_sql(filters, "d.case_id")
    return frm + fsql, params + fparams, score


def _ranked_ids(q, filters, size: int, offset: int, total: int) -> list[int]:
    """Case ids of one page, best first.  Up to RANK_ALL matches are all ranked (bm25 / ts_rank over the whole
    text).  Beyond that (a two-character query can match half the library) ranking every match would cost
    more than the target allows, so the title/organisation matches come first, ranked, then the other
    matches, most recently indexed first."""
    def fetch(scope, order, limit, skip):
        frm, params, score = _matches(q, filters, scope)
        with connection.cursor() as cur:
            cur.execute(f"SELECT d.case_id, {score} AS score {frm} ORDER BY {order} LIMIT %s OFFSET %s",
                        [*params, limit, skip])
            return [row[0] for row in cur.fetchall()]

    if total <= RANK_ALL:
        return fetch("all", "score DESC, d.case_id", size, offset)
    frm, params, _ = _matches(q, filters, "head")
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) {frm}", params)
        head = cur.fetchone()[0]
    ids = fetch("head", "score DESC, d.case_id", size, offset) if offset < head else []
    if len(ids) < size:
        ids += fetch("rest", "d.id DESC", size - len(ids), max(0, offset - head))
    return ids


def _facet_counts(q: grams.Query, filters: dict, total: int) -> dict:
    """{kind: [(value, count)]} over the matching cases, cached per query, filters and index generation.
    Beyond FACET_EXACT matches the counts are estimated from a fixed pseudo-random sample of FACET_EXACT of
    them (scaled, rounded): counting every facet row of half the library would take seconds."""
    sig = repr((q.phrases, sorted(filters.items()))).encode()
    key = f"library:facets:{generation()}:" + hashlib.sha256(sig).hexdigest()
    hit = cache.get(key)
    if hit is not None:
        return hit
    frm, params, _ = _matches(q, filters)
    sample = total > FACET_EXACT
    inner = f"SELECT d.case_id {frm}"
    if sample:
        inner += f" ORDER BY (d.case_id * 7919) %% 1000003 LIMIT {FACET_EXACT}"
    sql = (f"SELECT f.kind, f.value, COUNT(*) AS n FROM library_facet f WHERE f.case_id IN "
           f"(SELECT case_id FROM ({inner}) m) GROUP BY f.kind, f.value")
    counts: dict[str, list] = {k: [] for k, _ in FACET_KINDS}
    scale = total / FACET_EXACT if sample else 1
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for kind, value, n in cur.fetchall():
            counts.setdefault(kind, []).append((value, max(1, round(n * scale))))
    for kind, items in counts.items():
        if kind == "year":
            items.sort(key=lambda x: x[0], reverse=True)
        else:
            items.sort(key=lambda x: (-x[1], x[0]))
    cache.set(key, counts, 600)
    return counts


def listing(full: bool = False):
    """Cases with their campaign's name, without the campaign preset (and without figures and policies unless
    `full`): decoding those JSON documents would cost more than the search."""
    qs = Case.objects.select_related("campaign").defer("campaign__preset")
    return qs if full else qs.defer("figures", "policies")


def search(text: str = "", filters: dict | None = None, page: int = 1, per_page: int = 20,
           facets: bool = True, limit: int | None = None) -> Result:
    """Cases matching every term of `text` and every facet filter, best first (without terms: most recently
    published or edited first)."""
    q = grams.parse_query(text)
    filters = clean_filters(filters or {})
    frm, params, score = _matches(q, filters)
    page = max(1, page)
    size = limit if limit is not None else per_page
    offset = 0 if limit is not None else (page - 1) * per_page
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) {frm}", params)
        total = cur.fetchone()[0]
    if q:
        ids = _ranked_ids(q, filters, size, offset, total)
    else:
        with connection.cursor() as cur:  # most recently indexed first (the primary key: no sort)
            cur.execute(f"SELECT d.case_id {frm} ORDER BY d.id DESC LIMIT %s OFFSET %s", [*params, size, offset])
            ids = [row[0] for row in cur.fetchall()]
    by_id = listing(full=limit is not None).in_bulk(ids)
    cases = [by_id[i] for i in ids if i in by_id]
    return Result(query=text, terms=q.terms, filters=filters, total=total, cases=cases,
                  facets=_facet_counts(q, filters, total) if facets else {}, page=page, per_page=per_page)


def matching_ids(text: str) -> set[int]:
    """Every case id matching `text` (for the recall benchmark and tests)."""
    q = grams.parse_query(text)
    frm, params, _ = _matches(q, {})
    with connection.cursor() as cur:
        cur.execute(f"SELECT d.case_id {frm}", params)
        return {row[0] for row in cur.fetchall()}


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
