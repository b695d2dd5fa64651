"""Previous / next through the list the reader came from, with that list's filters.

The reader's URL carries the list (`list=formal|apps|expert|judge`) and the list's own query string
(`from=state=submitted&rule=…`). `ordered_ids` asks the list's own filter function for its ids in order (each list
registers one in `SOURCES`), so the reader walks exactly the rows the list showed; `neighbours` finds the ones
either side. A list the reader may not use (an expert naming the formal-review queue) gives no neighbours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import QueryDict
from django.urls import reverse

from jinxuan import lists
from jinxuan.dashboard.lists import applications_base, applications_spec
from jinxuan.formalreview import queue as formal_queue
from jinxuan.review.visibility import visible_applications
from jinxuan.roadshow.models import Slot

from .lens import EXPERT, FORMAL, GUIDANCE, JUDGE


@dataclass(frozen=True)
class Source:
    label: str  # the list's name, for the way back
    lenses: frozenset[str]  # the lenses that may walk it
    ids: Callable  # (campaign, user, params: QueryDict) -> list[int]
    url: Callable  # (campaign) -> the list's address


def _formal(campaign, user, params):
    return formal_queue.ordered_ids(campaign, params)


def _applications(campaign, user, params):
    spec = applications_spec(campaign)
    return lists.ordered_ids(spec, lists.parse(spec, params), applications_base(campaign))


def _expert(campaign, user, params):
    return list(visible_applications(user, campaign).order_by("pk").values_list("pk", flat=True))


def _judge(campaign, user, params):
    return list(Slot.objects.filter(campaign=campaign).order_by("position", "pk").values_list("application_id", flat=True))


SOURCES: dict[str, Source] = {
    "formal": Source("形式审核", frozenset({FORMAL}), _formal, lambda c: reverse("formalreview:queue", args=[c.slug])),
    "apps": Source("申报列表", frozenset({FORMAL, GUIDANCE}), _applications,
                   lambda c: reverse("dashboard:applications", args=[c.slug])),
    "expert": Source("我的评审任务", frozenset({EXPERT}), _expert, lambda c: reverse("review:workspace", args=[c.slug])),
    "judge": Source("路演评分", frozenset({JUDGE}), _judge, lambda c: reverse("roadshow:judge", args=[c.slug])),
}
DEFAULT_SOURCE = {FORMAL: "formal", GUIDANCE: "apps", EXPERT: "expert", JUDGE: "judge"}


def register(name: str, source: Source) -> None:
    """A list page that opens the reader names its own filter function here."""
    SOURCES[name] = source


def neighbours(ids: list[int], pk: int) -> tuple[int | None, int | None, int | None, int]:
    """(previous, next, position from 1, count) of `pk` in `ids`; position None when `pk` is not in the list."""
    try:
        i = ids.index(pk)
    except ValueError:
        return None, (ids[0] if ids else None), None, len(ids)
    return (ids[i - 1] if i > 0 else None), (ids[i + 1] if i + 1 < len(ids) else None), i + 1, len(ids)


@dataclass
class Walk:
    source: str
    label: str
    back: str  # the list, with its filters
    previous: str | None
    next: str | None
    position: int | None
    count: int


def walk(campaign, user, lens_name: str, pk: int, source: str, list_query: str) -> Walk | None:
    """Where the reader stands in the list it came from (the lens's own list when none is named)."""
    source = source if source in SOURCES else DEFAULT_SOURCE.get(lens_name, "")
    spec = SOURCES.get(source)
    if spec is None or lens_name not in spec.lenses:
        return None
    params = QueryDict(list_query[:2000])
    ids = spec.ids(campaign, user, params)
    prev_pk, next_pk, position, count = neighbours(ids, pk)
    back = spec.url(campaign) + (f"?{list_query}" if list_query else "")
    return Walk(source, spec.label, back,
                lists.reader_url(campaign, prev_pk, source, list_query) if prev_pk else None,
                lists.reader_url(campaign, next_pk, source, list_query) if next_pk else None, position, count)
