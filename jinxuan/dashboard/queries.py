"""Read models for the organiser dashboard (plain functions, testable without a request)."""

from django.db.models import Count

from jinxuan.accounts.models import Role
from jinxuan.accounts.roles import campaign_ids_for
from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.campaigns.models import Campaign


def managed_campaigns(user):
    qs = Campaign.objects.all()
    if user.is_superuser:
        return qs
    ids: set[int] = set()
    for role in (Role.ORGANISER, Role.GUIDANCE):
        scope = campaign_ids_for(user, role)
        if scope is None:
            return qs
        ids |= scope
    return qs.filter(pk__in=ids)


def state_counts(campaign) -> list[dict]:
    counts = dict(
        Application.objects.filter(campaign=campaign).values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    most = max(counts.values(), default=0) or 1
    return [
        {"state": s.value, "label": s.label, "count": counts.get(s.value, 0), "share": round(100 * counts.get(s.value, 0) / most)}
        for s in State
    ]


def track_counts(campaign) -> list[dict]:
    rows = []
    for track in campaign.tracks.annotate(n=Count("applications")).order_by("position"):
        submitted = track.applications.exclude(state__in=[State.DRAFT, State.WITHDRAWN]).count()
        rows.append({"track": track, "total": track.n, "submitted": submitted})
    return rows
