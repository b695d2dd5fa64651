"""The vote export: the votes as filtered on the votes page (every vote without a filter), one row each. Above
PREPARE_ABOVE rows the workbook is built in the background (jinxuan.prepared) while a page shows its progress:
openpyxl writes some 0.5 ms per vote, so 300,000 votes take minutes."""

from __future__ import annotations

import datetime as dt

from django.http import QueryDict

from jinxuan import lists
from jinxuan.accounts.access import check
from jinxuan.applicants.prefetch import light
from jinxuan.prepared.services import Kind, counted, register_kind

from . import lists as vote_lists
from . import services

PREPARE_ABOVE = 20_000
WIDTHS = [10, 16, 36, 16, 12, 20, 16, 6, 24, 48]
KIND = "votes"


def votes_query(campaign, data, phone_search: bool):
    """(spec, state, base) of the votes list for the query `data` (a QueryDict or a dict of lists)."""
    spec = vote_lists.votes_spec(campaign, light(services.entrants(campaign)).order_by("pk"), phone_search=phone_search)
    return spec, lists.parse(spec, data), vote_lists.votes_base(campaign)


def as_params(query: QueryDict) -> dict:
    return {key: query.getlist(key) for key in sorted(query)}


def _query(params: dict) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, values in params.items():
        q.setlist(key, list(values))
    return q


def rows_count(campaign, query, user) -> int:
    spec, state, base = votes_query(campaign, query, check(user, "vote.manage", campaign))
    return lists.filtered(spec, state, base).count()


def workbook(campaign, query, user, progress=None) -> tuple[bytes, str]:
    """The workbook and its file name; phone numbers are searched (and so filtered on) for organisers only."""
    spec, state, base = votes_query(campaign, query, check(user, "vote.manage", campaign))
    rows = None
    if progress is not None:
        total = lists.filtered(spec, state, base).count()
        rows = lambda qs: counted(qs.iterator(chunk_size=500), progress, total)  # noqa: E731
    data = lists.export_xlsx(spec, state, base, vote_lists.VOTE_COLUMNS, "投票明细", widths=WIDTHS, rows=rows)
    return data, f"votes-{campaign.slug}-{dt.date.today()}.xlsx"


def _build(campaign, params, user, progress):
    return workbook(campaign, _query(params), user, progress)


def register() -> None:
    register_kind(Kind(KIND, "投票明细（Excel）", "vote.oversee", _build, unit="张票"))
