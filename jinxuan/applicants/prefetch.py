"""Whether a list already loaded a relation for all its rows (prefetch_related): then read it without a query."""

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
