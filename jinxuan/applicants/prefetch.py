"""Whether a list already loaded a relation for all its rows (prefetch_related): then read it without a query."""

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar

from .models import Application


def prefetched(instance, name: str) -> bool:
    return name in getattr(instance, "_prefetched_objects_cache", {})


def share_campaign(applications, campaign):
    """Give every application of `campaign` that campaign object (no query, one parsed preset for the list);
    returns them. For rows loaded through another model (assignments, reviews, votes) of one campaign."""
    field = Application._meta.get_field("campaign")
    out = list(applications)
    for app in out:
        if app.campaign_id == campaign.pk:
            field.set_cached_value(app, campaign)
    return out


LIST_HEAVY = ("answers", "campaign__preset")  # tens of kB each, decoded again for every row that carries them


def light(queryset, via: str = ""):
    """A list's rows without their application's answers and its campaign's preset (the row shows neither; a row
    that does need them loads them with one query). `via`: the path to the application, e.g. "application__";
    the campaign must be in the queryset's select_related."""
    return queryset.defer(*(via + name for name in LIST_HEAVY))


_stamps: ContextVar[dict | None] = ContextVar("states_stamps", default=None)


@contextmanager
def states_read_once():
    """Within the block, `states_stamp` of a campaign is computed once: for readers that change no application
    and ask for it several times (each open stage's preview; 30 ms each at 3,000 applications)."""
    token = _stamps.set({})
    try:
        yield
    finally:
        _stamps.reset(token)


def states_stamp(campaign) -> str:
    """A short digest of every application's state, reason, track, district recommendation and last save in the
    campaign: it changes whenever a stage reading them would read something else (a cached stage preview is keyed
    by it; the fields some views change with `update()`, which leaves the last save alone, are in it themselves)."""
    memo = _stamps.get()
    if memo is not None and campaign.pk in memo:
        return memo[campaign.pk]
    rows = Application.objects.filter(campaign=campaign).order_by("pk").values_list(
        "pk", "state", "state_reason", "track_id", "district_recommended", "updated_at")
    stamp = hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:32]
    if memo is not None:
        memo[campaign.pk] = stamp
    return stamp
