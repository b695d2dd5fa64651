"""Bulk invalidation of votes: one reason, each vote audited by the service, refused once the vote is closed."""

from jinxuan.lists import BulkOutcome, run_bulk, stage_closed

from . import services


def invalidate_votes(campaign, votes, ids, reason: str, *, actor) -> BulkOutcome:
    """Invalidate each selected vote of `votes` (the list the organiser filtered)."""
    return run_bulk(queryset=votes, ids=ids, row=lambda v: services.invalidate(v, reason, actor=actor), verb="作废",
                    audit=None, actor=actor, campaign=campaign, refuse=stage_closed(campaign, "public_vote"),
                    skip_on=(services.VoteError,))
