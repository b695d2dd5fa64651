"""Demo public vote: organic votes over the window and one scripted burst from a single /24 with sequential
numbers, for the organiser's fraud review."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from jinxuan.voting import services
from jinxuan.voting.models import Vote, Voter

PREFIXES = ["138", "139", "150", "151", "186", "187", "177", "199", "135", "158"]


def build(campaign, rng: random.Random, opens: dt.datetime, closes: dt.datetime, organic: int = 400) -> None:
    """Votes inside [opens, closes] (the window set to it)."""
    apps = list(services.entrants(campaign))
    if not apps:
        return
    services.set_window(campaign, opens, closes)
    now = min(closes, timezone.now())
    weights = [rng.uniform(0.5, 3) for _ in apps]
    rows, stamps = [], []
    for i in range(organic):
        at = opens + (now - opens) * rng.uniform(0.02, 0.98)
        voter = Voter.objects.create(phone=f"{rng.choice(PREFIXES)}{rng.randint(0, 10**8 - 1):08d}", verified_at=at)
        stamps.append(at)
        app = rng.choices(apps, weights)[0]
        rows.append(Vote(campaign=campaign, application=app, voter=voter, day=timezone.localdate(at),
                         ip=f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                         device=f"d{i:06d}", user_agent="Mozilla/5.0 (iPhone)"))
    target = apps[-1]
    start = now - dt.timedelta(hours=5)
    for k in range(40):  # a vote farm: one /24, sequential numbers, every 15 seconds
        voter = Voter.objects.create(phone=f"1700000{k:04d}", verified_at=start)
        stamps.append(start + dt.timedelta(seconds=15 * k))
        rows.append(Vote(campaign=campaign, application=target, voter=voter, day=timezone.localdate(start),
                         ip=f"203.0.113.{10 + k % 5}", device=f"farm{k % 3}", user_agent="python-requests/2.31"))
    created = Vote.objects.bulk_create(rows)
    for vote, at in zip(created, stamps, strict=True):  # auto_now_add set "now": back-date them
        vote.created_at, vote.day = at, timezone.localdate(at)
    Vote.objects.bulk_update(created, ["created_at", "day"], batch_size=500)
    services.rebuild_counters(campaign)
    services.detect_signals(campaign)
