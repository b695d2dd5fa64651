"""The public vote list's cases (title, track and the first public field, masked), kept under a stamp of the
entrants: building the summaries of 480 cases from their answers took some 85 ms of every view of the most read
public page of a vote. The vote counts beside them are read per view (`services.shown_totals`)."""

from __future__ import annotations

import hashlib

from jinxuan.applicants.prefetch import share_campaign
from jinxuan.campaigns.kept import kept

from .presentation import public_summary
from .services import entrants

LIST_SECONDS = 3600


def _stamp(qs) -> str:
    """The entrants, their last saves, tracks, titles and consent to publish contacts (a consent is given or
    withdrawn without a save)."""
    rows = qs.order_by("pk").values_list("pk", "updated_at", "track_id", "title", "contact_consent_at")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def _rows(campaign, qs) -> list[dict]:
    # every case shares this campaign: one parsed preset for the list, not one per case
    apps = share_campaign(qs.select_related("track").defer("campaign__preset").order_by("pk"), campaign)
    return [{"pk": a.pk, "title": a.title, "track": a.track.name, "summary": public_summary(a)} for a in apps]


def public_rows(campaign) -> list[dict]:
    """Each case the public votes on: {pk, title, track, summary}. Shared between views: do not change them."""
    qs = entrants(campaign)
    return kept(campaign, "vote-list", _stamp(qs), lambda: _rows(campaign, qs), LIST_SECONDS)
