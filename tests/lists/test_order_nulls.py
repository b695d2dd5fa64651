"""A list's order says NULLS LAST only where a NULL can occur, so that an index can serve a NOT NULL column's order."""

from django.db.models import QuerySet

from jinxuan.lists.spec import ListSpec, ListState, Sort
from jinxuan.lists.table import _nullable, _order
from jinxuan.review.models import Assignment
from jinxuan.voting.models import Vote


def test_nullable_follows_the_path():
    assert not _nullable(Vote, "created_at")
    assert not _nullable(Vote, "application__title")
    assert _nullable(Vote, "ip")
    assert _nullable(Assignment, "review__total")  # the review may not exist yet
    assert _nullable(Vote, "no_such_field")


def test_the_order_of_a_not_null_column_has_no_nulls_clause():
    spec = ListSpec(sorts=[Sort("time", "投票时间", ("created_at",)), Sort("ip", "IP", ("ip",))], default_sort="time")
    newest = str(QuerySet(Vote).order_by(*_order(spec, ListState(spec, sort="time", desc=True), Vote)).query)
    assert 'ORDER BY "voting_vote"."created_at" DESC' in newest and "NULLS" not in newest.split("ORDER BY")[1]
    by_ip = str(QuerySet(Vote).order_by(*_order(spec, ListState(spec, sort="ip", desc=True), Vote)).query)
    assert "NULLS LAST" in by_ip
