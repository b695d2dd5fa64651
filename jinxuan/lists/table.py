"""A spec and a state applied to a queryset: filtered, ordered, paged; the view-model the partials render."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet

from .spec import ListSpec, ListState


def filtered(spec: ListSpec, state: ListState, qs: QuerySet) -> QuerySet:
    """`qs` narrowed by the search term and the filters, in the chosen order (not paged)."""
    if state.q and spec.search_fields:
        qs = qs.filter(spec.search_q(state.q))
        if any("__" in f for f in spec.search_fields):  # a search across a to-many relation may repeat rows
            qs = qs.distinct()
    for f in spec.filters:
        value = state.filters.get(f.name)
        if value:
            qs = f.narrow(qs, value)
    return qs.order_by(*_order(spec, state, qs.model))


def _nullable(model, path: str) -> bool:
    """Whether the field at `path` (a__b__c) can be NULL along the way; True when unsure."""
    try:
        for name in path.split("__"):
            field = model._meta.get_field(name)
            if field.null or (field.is_relation and not field.many_to_one and not field.one_to_one) or \
                    getattr(field, "auto_created", False) and not field.concrete:
                return True
            model = field.related_model if field.is_relation else model
    except FieldDoesNotExist:
        return True
    return False


def _order(spec: ListSpec, state: ListState, model=None) -> list:
    sort = spec.sort(state.sort) or spec.sort(spec.default_sort)
    fields = list(sort.fields) if sort else []
    out = []
    for name in fields:
        reverse = name.startswith("-") != state.desc
        expr = F(name.lstrip("-"))
        # NULLS LAST only where a NULL can occur: on a NOT NULL column it would keep the database from walking
        # an index in the list's order (PostgreSQL sorts DESC with NULLS FIRST)
        nulls = {"nulls_last": True} if model is None or _nullable(model, name.lstrip("-")) else {}
        out.append(expr.desc(**nulls) if reverse else expr.asc(**nulls))
    if spec.tiebreak and spec.tiebreak not in {f.lstrip("-") for f in fields}:
        out.append(f"-{spec.tiebreak}" if state.desc else spec.tiebreak)
    return out


def ordered_ids(spec: ListSpec, state: ListState, qs: QuerySet) -> list[int]:
    """The primary keys of the whole filtered list, in its order: what previous/next walk through."""
    return list(filtered(spec, state, qs).values_list("pk", flat=True))


@dataclass(frozen=True)
class Neighbours:
    previous: int | None
    next: int | None
    position: int  # 1-based; 0 when the object is not in the list
    total: int


def neighbours(spec: ListSpec, state: ListState, qs: QuerySet, pk: int) -> Neighbours:
    """Where `pk` stands in the filtered list, and the ids before and after it."""
    ids = ordered_ids(spec, state, qs)
    try:
        i = ids.index(pk)
    except ValueError:
        return Neighbours(None, ids[0] if ids else None, 0, len(ids))
    return Neighbours(ids[i - 1] if i else None, ids[i + 1] if i + 1 < len(ids) else None, i + 1, len(ids))


@dataclass(frozen=True)
class Header:
    name: str
    label: str
    query: str
    active: bool
    desc: bool

    @property
    def aria_sort(self) -> str:
        if not self.active:
            return "none"
        return "descending" if self.desc else "ascending"

    @property
    def arrow(self) -> str:
        return ("▼" if self.desc else "▲") if self.active else ""

    @property
    def hint(self) -> str:
        """What a click does, for the link's accessible name."""
        if self.active and not self.desc:
            return "点击按降序排列"
        return "点击按升序排列"


@dataclass(frozen=True)
class FilterField:
    name: str
    label: str
    empty_label: str
    choices: list[tuple[str, str]]
    value: str


@dataclass
class Listing:
    """What a list page renders: the page of rows, the total, sortable headers, the toolbar's fields."""

    spec: ListSpec
    state: ListState
    page: Page
    total: int

    @property
    def rows(self):
        return self.page.object_list

    @property
    def query(self) -> str:
        return self.state.list_query

    @property
    def filter_query(self) -> str:
        return self.state.filter_query

    @property
    def headers(self) -> dict[str, Header]:
        return {s.name: Header(s.name, s.label, self.state.sort_query(s.name), s.name == self.state.sort,
                               self.state.desc) for s in self.spec.sorts}

    @property
    def filter_fields(self) -> list[FilterField]:
        return [FilterField(f.name, f.label, f.empty_label, [(str(v), lbl) for v, lbl in f.choices],
                            self.state.filters.get(f.name, "")) for f in self.spec.filters]

    @property
    def hidden_sort(self) -> dict[str, str]:
        """What the search form keeps when it is submitted: the order and the page size."""
        params = self.state.params(page=1)
        return {k: v for k, v in params.items() if k in ("sort", "per")}

    @property
    def page_sizes(self):
        return list(self.spec.page_sizes)

    @property
    def previous_query(self) -> str:
        return self.state.query(page=self.page.number - 1) if self.page.has_previous() else ""

    @property
    def next_query(self) -> str:
        return self.state.query(page=self.page.number + 1) if self.page.has_next() else ""

    @property
    def first_query(self) -> str:
        return self.state.query(page=1)

    @property
    def last_query(self) -> str:
        return self.state.query(page=self.page.paginator.num_pages)


def apply(spec: ListSpec, state: ListState, qs: QuerySet) -> Listing:
    """Filter, order and page; a page number past the end shows the last page (never a 404 or a 500)."""
    paginator = Paginator(filtered(spec, state, qs), state.per)
    page = paginator.get_page(state.page)
    state.page = page.number
    return Listing(spec=spec, state=state, page=page, total=paginator.count)
