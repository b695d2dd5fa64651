"""Helpers of the results tests (and the flows built on them): stored rankings and award schemes."""

from decimal import Decimal

from tests.factories import award_run


def ranked(campaign, key, kind, scored):
    """Store a ranking of (application, score) pairs, best first; all advance."""
    ordered = sorted(scored, key=lambda t: -t[1])
    return award_run(campaign, key, kind, [(a, i, Decimal(str(s)), True) for i, (a, s) in enumerate(ordered, 1)])


def set_awards(campaign, scheme):
    """Change the campaign's award scheme (as an organiser editing the preset would)."""
    from jinxuan.campaigns.models import Campaign

    campaign.preset = {**campaign.preset, "awards": scheme}
    campaign.save(update_fields=["preset"])
    return Campaign.objects.get(pk=campaign.pk)
