"""Object look-ups for `access.guard(..., obj=...)`: the campaign named by the URL."""

from django.shortcuts import get_object_or_404

from .models import Campaign


def campaign_from_url(request, slug, **_):
    return get_object_or_404(Campaign, slug=slug)
