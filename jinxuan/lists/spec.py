"""What a list offers (`ListSpec`) and what the user chose (`ListState`), read from and written to a query string."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import QueryDict

Choices = Sequence[tuple[str, str]]

MAX_QUERY = 100  # characters of a search term kept
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # PostgreSQL refuses NUL in a parameter; none belongs in a search


@dataclass(frozen=True)
class Filter:
    """One select: `name` in the URL, a Chinese `label`, (value, Chinese label) `choices`.

    `field` is the lookup the chosen value is compared with (default: `name`); `apply`, when given, narrows the
    queryset itself: `apply(qs, value) -> qs`. A value outside `choices` is ignored."""

    name: str
    label: str
    choices: Choices
    field: str = ""
    apply: Callable[[QuerySet, str], QuerySet] | None = None
    empty_label: str = "全部"

    def narrow(self, qs: QuerySet, value: str) -> QuerySet:
        if self.apply is not None:
            return self.apply(qs, value)
        return qs.filter(**{self.field or self.name: value})

    def label_of(self, value: str) -> str:
        return dict(self.choices).get(value, "")


@dataclass(frozen=True)
class Sort:
    """A named order: `fields` as for `order_by` (a "-" prefix reverses one field); `desc` reverses them all."""

    name: str
    label: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ListSpec:
    sorts: Sequence[Sort]
    default_sort: str
    search_fields: Sequence[str] = ()
    search_label: str = "搜索"
    search_placeholder: str = ""
    filters: Sequence[Filter] = ()
    page_size: int = 50
    page_sizes: Sequence[int] = (20, 50, 100)
    default_desc: bool = False
    tiebreak: str = "pk"  # appended to every order so pages never overlap
    search_extra: Callable[[str], Q | None] | None = None  # more matches for a term, e.g. an application number

    def sort(self, name: str) -> Sort | None:
        return next((s for s in self.sorts if s.name == name), None)

    def filter(self, name: str) -> Filter | None:
        return next((f for f in self.filters if f.name == name), None)

    def search_q(self, term: str) -> Q:
        q = Q()
        for f in self.search_fields:
            q |= Q(**{f"{f}__icontains": term})
        extra = self.search_extra(term) if self.search_extra else None
        return q | extra if extra is not None else q


@dataclass
class ListState:
    """The user's choice; every field valid for its spec. `query()` writes it back (only what differs from the
    defaults), so a list's URL can be bookmarked and shared."""

    spec: ListSpec
    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = ""
    desc: bool = False
    page: int = 1
    per: int = 0

    def __post_init__(self):
        self.sort = self.sort or self.spec.default_sort
        self.per = self.per or self.spec.page_size

    def params(self, **changes) -> dict[str, str]:
        """The query parameters of this state with `changes` (q, sort, desc, page, per, or a filter's name)."""
        q = changes.pop("q", self.q)
        sort = changes.pop("sort", self.sort)
        desc = changes.pop("desc", self.desc)
        page = changes.pop("page", self.page)
        per = changes.pop("per", self.per)
        filters = {**self.filters, **{k: v for k, v in changes.items() if self.spec.filter(k)}}
        out: dict[str, str] = {}
        if q:
            out["q"] = q
        for f in self.spec.filters:  # in the spec's order: one state, one URL
            if filters.get(f.name):
                out[f.name] = filters[f.name]
        if sort != self.spec.default_sort or desc != self.spec.default_desc:
            out["sort"] = f"-{sort}" if desc else sort
        if per != self.spec.page_size:
            out["per"] = str(per)
        if page and page != 1:
            out["page"] = str(page)
        return out

    def query(self, **changes) -> str:
        return urlencode(self.params(**changes))

    @property
    def list_query(self) -> str:
        """The query string of the list as shown (page included): what a reader carries to come back and to
        walk the same list with previous/next."""
        return self.query()

    @property
    def filter_query(self) -> str:
        """Without the page: the query of the export and of the search form's result."""
        return self.query(page=1)

    def sort_query(self, name: str) -> str:
        """Clicking a column header: that sort ascending, or reversed if it is the current one; back to page 1."""
        sort = self.spec.sort(name)
        if sort is None:
            return self.filter_query
        desc = (not self.desc) if name == self.sort else False
        return self.query(sort=name, desc=desc, page=1)

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or any(self.filters.values()))


def _as_mapping(data) -> Mapping:
    if data is None:
        return {}
    if isinstance(data, str):
        return QueryDict(data.lstrip("?"))
    return data


def _get(data: Mapping, name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return str(value or "").strip()


def _positive(raw: str) -> int:
    try:
        n = int(raw)
    except (TypeError, ValueError):
        return 0
    return n if 0 < n < 10**9 else 0


def parse(spec: ListSpec, data) -> ListState:
    """The state in `data` (a QueryDict, a dict or a query string); whatever is unknown or invalid is ignored."""
    data = _as_mapping(data)
    q = _CONTROL.sub("", _get(data, "q"))[:MAX_QUERY].strip() if spec.search_fields else ""
    filters = {}
    for f in spec.filters:
        value = _get(data, f.name)
        if value and value in {str(v) for v, _ in f.choices}:
            filters[f.name] = value
    raw_sort = _get(data, "sort")
    sort, desc = spec.default_sort, spec.default_desc
    if raw_sort:
        name = raw_sort.lstrip("-")
        if spec.sort(name):
            sort, desc = name, raw_sort.startswith("-")
    per = _positive(_get(data, "per"))
    if per not in spec.page_sizes:
        per = spec.page_size
    return ListState(spec=spec, q=q, filters=filters, sort=sort, desc=desc, page=_positive(_get(data, "page")) or 1,
                     per=per)
