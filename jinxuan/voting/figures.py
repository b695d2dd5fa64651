"""The organiser's vote overview figures over every stored vote (hundreds of thousands of rows: a few grouped
counts that take a second together), kept for a short while.

A figure is at most FIGURES_SECONDS old; an invalidation or a run of the fraud signals shows at once (both are in
the key). The live totals beside them come from the counters, never from here."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from jinxuan.campaigns.kept import kept

from .models import Vote

FIGURES_SECONDS = 30


@dataclass(frozen=True)
class Figures:
    at: dt.datetime                               # when they were counted
    stored: dict[int, int]                        # valid votes per application
    shown: dict[int, int] | None                  # what the public sees under a display delay (None: no delay)
    invalid: dict[int, int]                       # invalidated votes per application
    per_day: list[tuple[int, dt.date, int]]       # (application, day, valid votes)
    total: int                                    # every stored vote
    flagged: int                                  # votes carrying a fraud signal


def _signals_key(campaign) -> str:
    return f"vote-signals-run:{campaign.pk}"


def signals_ran(campaign) -> None:
    """The fraud signals were stored again: the next overview counts afresh."""
    cache.set(_signals_key(campaign), time.time_ns(), None)


def invalidated_stamp(campaign) -> tuple:
    """The set of invalidated votes, in brief (how many, the sum of their ids, the latest invalidation): every
    result kept over the votes has it in its stamp, so an invalidation shows at once."""
    invalid = Vote.objects.filter(campaign=campaign, valid=False).aggregate(
        n=Count("pk"), ids=Sum("pk"), at=Max("invalidated_at"))
    return tuple(invalid.values())


def _stamp(campaign, delay: int) -> tuple:
    return delay, invalidated_stamp(campaign), cache.get(_signals_key(campaign))


def _grouped(qs) -> dict[int, int]:
    return dict(qs.values_list("application_id").annotate(n=Count("id")).values_list("application_id", "n"))


def count(campaign, delay: int) -> Figures:
    votes = Vote.objects.filter(campaign=campaign)
    valid = votes.filter(valid=True)
    now = timezone.now()
    per_day = list(valid.annotate(d=TruncDate("created_at")).values_list("application_id", "d").annotate(n=Count("id")))
    return Figures(now, _grouped(valid), _grouped(valid.filter(created_at__lte=now - dt.timedelta(minutes=delay)))
                   if delay else None, _grouped(votes.filter(valid=False)), per_day, votes.count(),
                   votes.exclude(signals=[]).count())


def figures(campaign, delay: int) -> Figures:
    return kept(campaign, "vote-figures", _stamp(campaign, delay), lambda: count(campaign, delay), FIGURES_SECONDS)
