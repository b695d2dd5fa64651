"""The public vote list's cases (title, track and the first public field, masked), kept under a stamp of the
entrants: building the summaries of 480 cases from their answers took some 85 ms of every view of the most read
public page of a vote. The vote counts beside them are read per view (`services.shown_totals`)."""

from __future__ import annotations

from jinxuan.applicants.prefetch import share_campaign
from jinxuan.campaigns.kept import kept

from .presentation import public_summary
from .services import entrants

LIST_SECONDS = 3600


def _stamp(qs) -> list[tuple]:
    """The entrants, their last saves, tracks, titles and consent to publish contacts (a consent is given or
    withdrawn without a save); `kept` digests it."""
    return list(qs.order_by("pk").values_list("pk", "updated_at", "track_id", "title", "contact_consent_at"))


def _rows(campaign, qs) -> list[dict]:
    # every case shares this campaign: one parsed preset for the list, not one per case
    apps = share_campaign(qs.select_related("track").defer("campaign__preset").order_by("pk"), campaign)
    return [{"pk": a.pk, "title": a.title, "track": a.track.name, "summary": public_summary(a)} for a in apps]


def public_rows(campaign) -> list[dict]:
    """Each case the public votes on: {pk, title, track, summary}. Shared between views: do not change them."""
    qs = entrants(campaign)
    return kept(campaign, "vote-list", _stamp(qs), lambda: _rows(campaign, qs), LIST_SECONDS)


PAGE = 30  # cases per page of the public list
SORTS = {"": "默认顺序", "votes": "票数从高到低"}


def browse(cases: list[dict], totals: dict[int, int], track: str = "", q: str = "", sort: str = "") -> list[dict]:
    """The public list as asked: one track, titles containing `q` (letters in either case), by the order of
    entry or by votes shown (most first). Each row gains its shown votes; the kept rows are not changed."""
    needle = q.strip().casefold()
    rows = [{**c, "votes": totals.get(c["pk"], 0)} for c in cases
            if (not track or c["track"] == track) and (not needle or needle in c["title"].casefold())]
    if sort == "votes":
        rows.sort(key=lambda r: (-r["votes"], r["pk"]))
    return rows
